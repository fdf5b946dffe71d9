// Rendering: the markdown table, the targets list and the notes.

export function fmtMs(ms) {
  if (ms == null || !Number.isFinite(ms)) return "-";
  if (ms >= 100) return ms.toFixed(0);
  if (ms >= 10) return ms.toFixed(1);
  if (ms >= 1) return ms.toFixed(2);
  return ms.toPrecision(3);
}

const fmtX = (x) => (x == null || !Number.isFinite(x) ? "n/a" : x >= 100 ? `${x.toFixed(0)}x` : x >= 10 ? `${x.toFixed(1)}x` : `${x.toFixed(2)}x`);

function fmtRate(w, r) {
  if (w.latency) return `${(r.median_ms * 1000).toFixed(2)} µs/call`;
  if (r.rate == null) return "-";
  const v = r.rate >= 10 ? r.rate.toFixed(1) : r.rate.toFixed(2);
  return `${v} ${r.rate_unit}`;
}

const fmtPct = (f) => (f == null || !Number.isFinite(f) ? "" : `${(100 * f).toFixed(0)}%`);

const esc = (s) => String(s).replace(/\|/g, "\\|");

export function renderTable(workloads) {
  const lines = [
    "| workload | contender | median ms | GFLOP/s or GB/s | of ceiling | x vs tfjs-wasm | x vs pure JS | spread min–max ms (n × inner) |",
    "| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |",
  ];
  for (const w of workloads) {
    w.rows.forEach((r, i) => {
      const name = i === 0 ? `**${w.id}** ${esc(w.title)}` : "";
      if (r.status === "ok" || r.status === "wrong") {
        const flag = r.status === "wrong" ? " ✗ WRONG RESULT" : "";
        const ref = r.isReference ? " (reference)" : "";
        const vsT = r.contender === "tfjs-wasm" ? "—" : fmtX(r.vs?.["tfjs-wasm"]);
        const vsJ = r.contender === "purejs" ? "—" : fmtX(r.vs?.purejs);
        lines.push(`| ${name} | ${esc(r.label)}${ref}${flag} | ${fmtMs(r.median_ms)} | ${fmtRate(w, r)} | ${fmtPct(r.of_ceiling)} | ${vsT} | ` +
          `${vsJ} | ${fmtMs(r.min_ms)}–${fmtMs(r.max_ms)} (${r.samples} × ${r.inner}) |`);
      } else {
        lines.push(`| ${name} | ${esc(r.label)} | ${r.status} | | | | | ${esc(r.reason ?? "")} |`);
      }
    });
    const p = w.probe;
    if (p) {
      lines.push(`| | *host probe: ${esc(p.label)}* | ${fmtMs(p.median_ms)} | ${p.rate.toFixed(1)} ${p.unit} | 100% | | | ` +
        `${fmtMs(p.min_ms)}–${fmtMs(p.max_ms)} (${p.samples} × ${p.inner}) |`);
    }
  }
  return lines.join("\n");
}

export function renderTargets(targets) {
  const lines = [
    "| target | workload | value | threshold | met | host probe alongside |",
    "| --- | --- | ---: | ---: | :---: | --- |",
  ];
  for (const t of targets) {
    const v = t.value == null ? "n/a" : t.unit === "x" ? fmtX(t.value) : `${t.value.toFixed(t.value >= 100 ? 0 : 2)} ${t.unit}`;
    const th = `${t.cmp} ${t.threshold}${t.unit === "x" ? "x" : ` ${t.unit}`}`;
    lines.push(`| ${t.target} | ${t.workload} | ${v} | ${th} | ${t.met === null ? "?" : t.met ? "yes" : "NO"} | ${probeNote(t.probe)} |`);
  }
  const met = targets.filter((t) => t.met).length, unknown = targets.filter((t) => t.met === null).length;
  lines.push("", `${met} of ${targets.length} target rows met, ${targets.length - met - unknown} missed, ${unknown} unknown.`);
  return lines.join("\n");
}

/** What the host-phase probe saw during a target's workload, and where the row stands against it. */
function probeNote(p) {
  if (!p) return "";
  const base = `${p.rate.toFixed(1)} ${p.unit}`;
  return p.of_ceiling != null ? `${base}; this row ${fmtPct(p.of_ceiling)} of it` : base;
}
