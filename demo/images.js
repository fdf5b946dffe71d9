// Input images for the demo: the chapter's 6x8 edge image and 28x28 presets (circle, checkerboard, digits).
// An image is a plain row-major number[][] with values in [0, 1].

export function blank(h = 28, w = 28) {
  return Array.from({ length: h }, () => new Array(w).fill(0));
}

/** d2l: X = torch.ones((6, 8)); X[:, 2:6] = 0 */
export function edges() {
  return Array.from({ length: 6 }, () => [1, 1, 0, 0, 0, 0, 1, 1]);
}

export function circle(n = 28) {
  const img = blank(n, n);
  const c = (n - 1) / 2;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const r = Math.hypot(i - c, j - c);
      img[i][j] = r <= 9 ? 1 : r <= 10 ? +(10 - r).toFixed(2) : 0; // a disk with a soft rim
    }
  }
  return img;
}

export function checkerboard(n = 28, cell = 4) {
  return Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => ((Math.floor(i / cell) + Math.floor(j / cell)) % 2)));
}

// 5x7 glyphs, upscaled 3x into a 28x28 frame with a one-pixel soft halo, like a pen stroke.
const GLYPHS = {
  "2": ["01110", "10001", "00001", "00110", "01000", "10000", "11111"],
  "4": ["00010", "00110", "01010", "10010", "11111", "00010", "00010"],
  "7": ["11111", "00001", "00010", "00100", "01000", "01000", "01000"],
  "8": ["01110", "10001", "10001", "01110", "10001", "10001", "01110"],
};

export function digit(ch = "7", n = 28, scale = 3) {
  const rows = GLYPHS[ch];
  const img = blank(n, n);
  const gh = rows.length * scale, gw = rows[0].length * scale;
  const top = Math.floor((n - gh) / 2), left = Math.floor((n - gw) / 2);
  for (let r = 0; r < rows.length; r++) {
    for (let c = 0; c < rows[r].length; c++) {
      if (rows[r][c] !== "1") continue;
      for (let a = 0; a < scale; a++) for (let b = 0; b < scale; b++) img[top + r * scale + a][left + c * scale + b] = 1;
    }
  }
  // soft halo: cells next to ink get 0.35 (so blur and edge kernels have something to show)
  const out = img.map((row) => row.slice());
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      if (img[i][j] === 1) continue;
      const near = [[-1, 0], [1, 0], [0, -1], [0, 1]].some(([di, dj]) => img[i + di]?.[j + dj] === 1);
      if (near) out[i][j] = 0.35;
    }
  }
  return out;
}

export const PRESETS = {
  edges: { label: "Edges 6×8", make: edges },
  circle: { label: "Circle", make: () => circle() },
  checker: { label: "Checkerboard", make: () => checkerboard() },
  digit7: { label: "Digit 7", make: () => digit("7") },
  digit2: { label: "Digit 2", make: () => digit("2") },
  digit4: { label: "Digit 4", make: () => digit("4") },
  blank: { label: "Blank 28×28", make: () => blank() },
};

/** Kernels for the editor (cross-correlation, not flipped: the [1, -1] kernel finds vertical edges). */
export const KERNELS = {
  diff: { label: "[1, −1]", k: [[1, -1]] },
  sobelX: { label: "Sobel x", k: [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]] },
  sobelY: { label: "Sobel y", k: [[-1, -2, -1], [0, 0, 0], [1, 2, 1]] },
  laplacian: { label: "Laplacian", k: [[0, 1, 0], [1, -4, 1], [0, 1, 0]] },
  blur: { label: "Box blur", k: [[1 / 9, 1 / 9, 1 / 9], [1 / 9, 1 / 9, 1 / 9], [1 / 9, 1 / 9, 1 / 9]] },
  sharpen: { label: "Sharpen", k: [[0, -1, 0], [-1, 5, -1], [0, -1, 0]] },
  identity: { label: "Identity", k: [[0, 0, 0], [0, 1, 0], [0, 0, 0]] },
};
