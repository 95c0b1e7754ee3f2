/**
 * Table grids from ruling lines, in any page coordinates (PDF points, OCR pixels, OFD millimetres):
 * rulings that cross form a table, and the cell grid comes from their positions, with cells merged
 * wherever a ruling between them is missing. The OCR stage finds rulings on the page image; the PDF
 * and OFD readers take them from the vector paths.
 */

/** [x0, y0, x1, y1], y growing downwards. */
export type Rect = [x0: number, y0: number, x1: number, y1: number];

export interface Ruling {
  /** y of a horizontal ruling, x of a vertical one (centre of its thickness). */
  pos: number;
  /** Extent along the line. */
  from: number;
  to: number;
  thickness: number;
}

export interface Rulings {
  horizontal: Ruling[];
  vertical: Ruling[];
}

/** One cell of a rebuilt table: its box (inside the rulings) and the grid rows/columns it spans. */
export interface GridCell {
  bbox: Rect;
  row: number;
  col: number;
  rowSpan: number;
  colSpan: number;
}

export interface TableGrid {
  bbox: Rect;
  /** Row boundaries (y) and column boundaries (x), outer rulings included. */
  rowLines: number[];
  colLines: number[];
  cells: GridCell[];
}

function clusterPositions(values: number[], tolerance: number): number[] {
  const sorted = [...values].sort((a, b) => a - b);
  const groups: number[][] = [];
  for (const v of sorted) {
    const last = groups[groups.length - 1];
    if (last && v - last[last.length - 1] <= tolerance) last.push(v);
    else groups.push([v]);
  }
  return groups.map((g) => g.reduce((s, v) => s + v, 0) / g.length);
}

export interface GridOptions {
  /** Positions closer than this are one line. */
  tolerance?: number;
  /**
   * Close a table left open by a page break: where two or more column rulings run past the first
   * (or last) row ruling by more than this, a row boundary is added where they end. Off by default.
   */
  openEdgeRow?: number;
}

/**
 * A table cut by a page break has no ruling across its top (or bottom), only its column rulings
 * running on: the row between them and the cut is a row all the same.
 */
function closeOpenEdges(group: { h: Ruling[]; v: Ruling[] }, minRow: number): void {
  const top = Math.min(...group.h.map((r) => r.pos));
  const bottom = Math.max(...group.h.map((r) => r.pos));
  const from = Math.min(...group.h.map((r) => r.from));
  const to = Math.max(...group.h.map((r) => r.to));
  const thickness = Math.min(...group.h.map((r) => r.thickness));
  const above = group.v.filter((r) => r.from < top - minRow).map((r) => r.from);
  const below = group.v.filter((r) => r.to > bottom + minRow).map((r) => r.to);
  if (above.length >= 2) group.h.push({ pos: Math.max(...above), from, to, thickness });
  if (below.length >= 2) group.h.push({ pos: Math.min(...below), from, to, thickness });
}

/** Groups crossing rulings into tables and derives each table's cell grid. */
export function buildTableGrids(rulings: Rulings, options: GridOptions = {}): TableGrid[] {
  const tol = options.tolerance ?? 8;
  const h = rulings.horizontal;
  const v = rulings.vertical;
  // Union-find over all rulings; crossing (or touching) rulings belong to one table.
  const parent = Array.from({ length: h.length + v.length }, (_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i])));
  const crosses = (hr: Ruling, vr: Ruling): boolean => vr.pos >= hr.from - tol && vr.pos <= hr.to + tol && hr.pos >= vr.from - tol && hr.pos <= vr.to + tol;
  for (let i = 0; i < h.length; i++) {
    for (let j = 0; j < v.length; j++) {
      if (crosses(h[i], v[j])) parent[find(i)] = find(h.length + j);
    }
  }
  const groups = new Map<number, { h: Ruling[]; v: Ruling[] }>();
  h.forEach((r, i) => {
    const g = groups.get(find(i)) ?? { h: [], v: [] };
    g.h.push(r);
    groups.set(find(i), g);
  });
  v.forEach((r, j) => {
    const g = groups.get(find(h.length + j)) ?? { h: [], v: [] };
    g.v.push(r);
    groups.set(find(h.length + j), g);
  });
  const grids: TableGrid[] = [];
  for (const group of groups.values()) {
    // A table's first row alone at the foot of a page has one ruling across it: closing it makes the second.
    if (options.openEdgeRow !== undefined && group.h.length >= 1 && group.v.length >= 2) closeOpenEdges(group, options.openEdgeRow);
    if (group.h.length < 2 || group.v.length < 2) continue;
    // A row boundary spans at least one cell wall to wall, and so does a column boundary; strokes of
    // text that passed for rulings do not. Drop those until the grid is stable.
    let rowLines = clusterPositions(group.h.map((r) => r.pos), tol);
    let colLines = clusterPositions(group.v.map((r) => r.pos), tol);
    for (let pass = 0; pass < 3; pass++) {
      const spansCell = (r: Ruling, lines: number[]): boolean =>
        lines.some((at, i) => i + 1 < lines.length && r.from <= at + tol && r.to >= lines[i + 1] - tol);
      const keptH = group.h.filter((r) => spansCell(r, colLines));
      const keptV = group.v.filter((r) => spansCell(r, rowLines));
      if (keptH.length === group.h.length && keptV.length === group.v.length) break;
      group.h = keptH;
      group.v = keptV;
      rowLines = clusterPositions(group.h.map((r) => r.pos), tol);
      colLines = clusterPositions(group.v.map((r) => r.pos), tol);
    }
    if (rowLines.length < 2 || colLines.length < 2) continue;
    const nRows = rowLines.length - 1;
    const nCols = colLines.length - 1;
    // Is the boundary between column c-1 and c present in row r? (a vertical ruling covers the row's middle)
    const vBoundary = (r: number, c: number): boolean => {
      const mid = (rowLines[r] + rowLines[r + 1]) / 2;
      return group.v.some((ru) => Math.abs(ru.pos - colLines[c]) <= tol && ru.from <= mid && ru.to >= mid);
    };
    const hBoundary = (r: number, c: number): boolean => {
      const mid = (colLines[c] + colLines[c + 1]) / 2;
      return group.h.some((ru) => Math.abs(ru.pos - rowLines[r]) <= tol && ru.from <= mid && ru.to >= mid);
    };
    const cellParent = Array.from({ length: nRows * nCols }, (_, i) => i);
    const findCell = (i: number): number => (cellParent[i] === i ? i : (cellParent[i] = findCell(cellParent[i])));
    for (let r = 0; r < nRows; r++) {
      for (let c = 0; c < nCols; c++) {
        if (c > 0 && !vBoundary(r, c)) cellParent[findCell(r * nCols + c)] = findCell(r * nCols + c - 1);
        if (r > 0 && !hBoundary(r, c)) cellParent[findCell(r * nCols + c)] = findCell((r - 1) * nCols + c);
      }
    }
    const spans = new Map<number, { r0: number; r1: number; c0: number; c1: number }>();
    for (let r = 0; r < nRows; r++) {
      for (let c = 0; c < nCols; c++) {
        const root = findCell(r * nCols + c);
        const s = spans.get(root);
        if (!s) spans.set(root, { r0: r, r1: r, c0: c, c1: c });
        else {
          s.r0 = Math.min(s.r0, r);
          s.r1 = Math.max(s.r1, r);
          s.c0 = Math.min(s.c0, c);
          s.c1 = Math.max(s.c1, c);
        }
      }
    }
    const cells: GridCell[] = [...spans.values()]
      .map((s) => ({
        bbox: [Math.round(colLines[s.c0]), Math.round(rowLines[s.r0]), Math.round(colLines[s.c1 + 1]), Math.round(rowLines[s.r1 + 1])] as Rect,
        row: s.r0,
        col: s.c0,
        rowSpan: s.r1 - s.r0 + 1,
        colSpan: s.c1 - s.c0 + 1,
      }))
      .sort((a, b) => a.row - b.row || a.col - b.col);
    grids.push({
      bbox: [Math.round(colLines[0]), Math.round(rowLines[0]), Math.round(colLines[nCols]), Math.round(rowLines[nRows])],
      rowLines,
      colLines,
      cells,
    });
  }
  return grids.sort((a, b) => a.bbox[1] - b.bbox[1]);
}
