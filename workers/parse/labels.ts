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

export function editDistance(a: string, b: string): number {
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
const UNEXPLAINED_PENALTY = 0.1;
/** A label must keep this share of the canonical label to match as a wrapped head. */
const MIN_HEAD_SHARE = 0.4;

/** Similarity in [0, 1] of a label key to a canonical key; small penalties rank partial matches lower. */
export function labelScore(key: string, canonical: string): number {
  if (!key || !canonical) return 0;
  if (key === canonical) return 1;
  const whole = 1 - editDistance(key, canonical) / Math.max(key.length, canonical.length);
  let partial = 0;
  if (key.length > canonical.length && canonical.length >= 2) {
    // Text from a neighbouring cell ran into the label's start. The more text left unexplained, the
    // weaker the match, so 其他 at the end of a wrapped 部分公开(…不计其他 does not outrank the long label.
    const tail = key.slice(-canonical.length);
    partial = 1 - editDistance(tail, canonical) / canonical.length - 0.02 - UNEXPLAINED_PENALTY * (1 - canonical.length / key.length);
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
 * In a borderless table the wrapped lines of neighbouring label cells interleave, so the label may be
 * followed by fragments of the group labels beside it (`(二)部分公开(区分处理的,只计这` then `度办理结`):
 * where no label ends the pieces confidently (`无法提` is three quarters of 无法提供), up to this many
 * trailing pieces are passed over in search of a better one.
 */
const CONFIDENT_MATCH = 0.9;
const SKIPPING_MARGIN = 0.1;
const MAX_SKIPPED_PIECES = 2;
const MIN_SKIPPING_LABEL = 4;

/**
 * The best canonical row for the label pieces that precede a row's numbers. Pieces accumulate from
 * headers and wrapped lines, so the label is sought among the last one to six pieces joined.
 */
export function matchRow<R extends RowSpec>(pieces: Span[], rows: R[]): RowMatch<R> | null {
  let best: RowMatch<R> | null = null;
  for (let skipped = 0; skipped <= Math.min(MAX_SKIPPED_PIECES, pieces.length - 1) && (best === null || best.score < CONFIDENT_MATCH); skipped++) {
    const end = pieces.length - skipped;
    // Past the last pieces, a better label must be clearly better.
    const toBeat = skipped > 0 && best ? best.score + SKIPPING_MARGIN : (best?.score ?? 0);
    for (let count = 1; count <= Math.min(MAX_PIECES, end); count++) {
      const used = pieces.slice(end - count, end);
      const key = labelKey(used.map((piece) => piece.text).join(''));
      for (const row of rows) {
        // What is passed over are group labels' fragments, so a group's label there is no row's own.
        if (skipped > 0 && rows.some((other) => other.key.startsWith(`${row.key}.`))) continue;
        for (const label of row.labels) {
          const canonical = labelKey(label);
          // Past the last pieces, a short label (其他, 总计) is as likely a column header as a row.
          if (skipped > 0 && canonical.length < MIN_SKIPPING_LABEL) continue;
          const score = labelScore(key, canonical);
          if (score >= MATCH_THRESHOLD && score > toBeat && (!best || score > best.score)) best = { row, score, pieces: used };
        }
      }
    }
  }
  return best;
}
