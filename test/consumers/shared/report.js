// Hands a consumer's result (or its error) to the test that runs it.
export async function report(compute) {
  let result;
  try {
    result = await compute();
  } catch (e) {
    result = { error: String((e && e.stack) || e) };
  }
  if (typeof window !== "undefined" && typeof document !== "undefined") {
    window.__wasmconv = result;
    const pre = document.createElement("pre");
    pre.textContent = JSON.stringify(result, null, 2);
    document.body.append(pre);
  } else if (typeof self !== "undefined" && typeof self.postMessage === "function" && typeof process === "undefined") {
    self.postMessage(result);
  } else {
    console.log(JSON.stringify(result));
  }
}
