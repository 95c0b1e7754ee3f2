/**
 * Tolerant matching of printed row labels to canonical rows: numbering, brackets, quotes and spaces
 * are ignored, a typo or two is forgiven, and a label that lost its head or tail to a line wrap
 * still matches.
 */
import type { RowSpec } from '../../shared/template/rows';
import type { Span } from './document';

/** Row numbering: 一、 （一） 1. 1、 */
const NUMBERING = /[一二三四五六七八九十]+、|\([一二三四五六七八九十]+\)|(?<![\d.])\d{1,2}[.、](?!\d)/g;

/** The comparable core of a label: numbering removed, only Han, letters and digits kept. */
export function labelKey(label: string): string {
  return label.replace(NUMBERING, '').replace(/[^\p{Script=Han}A-Za-z0-9]/gu, '');
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}

const MATCH_THRESHOLD = 0.75;
/** A label must keep this share of the canonical label to match as a wrapped head. */
const MIN_HEAD_SHARE = 0.4;

/** Similarity in [0, 1] of a label key to a canonical key; small penalties rank partial matches lower. */
export function labelScore(key: string, canonical: string): number {
  if (!key || !canonical) return 0;
  if (key === canonical) return 1;
  const whole = 1 - editDistance(key, canonical) / Math.max(key.length, canonical.length);
  let partial = 0;
  if (key.length > canonical.length && canonical.length >= 2) {
    // Text from a neighbouring cell ran into the label's start.
    const tail = key.slice(-canonical.length);
    partial = 1 - editDistance(tail, canonical) / canonical.length - 0.02;
  } else if (key.length < canonical.length && key.length >= 4 && key.length >= canonical.length * MIN_HEAD_SHARE) {
    // The label wrapped and only its head sits beside the numbers.
    const head = canonical.slice(0, key.length);
    partial = 1 - editDistance(key, head) / key.length - 0.05;
  }
  return Math.max(whole, partial);
}

export interface RowMatch<R extends RowSpec> {
  row: R;
  score: number;
  /** The label pieces that matched, first to last. */
  pieces: Span[];
}

/** How many trailing label pieces (cells or words) may form one label. */
const MAX_PIECES = 6;

/**
 * The best canonical row for the label pieces that precede a row's numbers. Pieces accumulate from
 * headers and wrapped lines, so the label is sought among the last one to six pieces joined.
 */
export function matchRow<R extends RowSpec>(pieces: Span[], rows: R[]): RowMatch<R> | null {
  let best: RowMatch<R> | null = null;
  for (let count = 1; count <= Math.min(MAX_PIECES, pieces.length); count++) {
    const used = pieces.slice(-count);
    const key = labelKey(used.map((piece) => piece.text).join(''));
    for (const row of rows) {
      for (const label of row.labels) {
        const score = labelScore(key, labelKey(label));
        if (score >= MATCH_THRESHOLD && (!best || score > best.score)) best = { row, score, pieces: used };
      }
    }
  }
  return best;
}
