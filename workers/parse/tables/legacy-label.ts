/**
 * A pre-2019 indicator's printed label, whatever shape its list takes (a 统计表's rows, `label：N条`
 * lines, list sentences): its outline marker, the label words, and the cross-template indicator it
 * names, which for an outcome like 被依法纠错数 depends on the row it sits under.
 */
import type { LegacyIndicator } from '../../../shared/record';
import { indicatorForLabel } from '../../../shared/template/indicators';

/**
 * Outline markers before a label, as NFKC leaves them: 一、 (一) 1. 1、 其中: — the last one printed
 * is the line's own level (a "三、(一)" line sits at the (一) level).
 */
export const OUTLINE_MARKER = /^(?:[一二三四五六七八九十]+[、.]|\([一二三四五六七八九十]+\)|\d{1,2}[.、](?!\d)|其中:?)/;

export interface PrintedLabel {
  label: string;
  marker: string | null;
}

/**
 * "(一)主动公开政府信息数(不同渠道…计1条)" → marker "(一)", label "主动公开政府信息数"; "其中:…" →
 * marker "其中". Markers are kept in one form ('一、', '(一)', '1.', '其中') so validate can compare levels.
 */
export function splitLegacyLabel(printed: string): PrintedLabel {
  let rest = printed.replace(/\s+/g, '');
  let marker: string | null = null;
  for (let found = OUTLINE_MARKER.exec(rest); found; found = OUTLINE_MARKER.exec(rest)) {
    marker = normalizeMarker(found[0]);
    rest = rest.slice(found[0].length);
  }
  return { marker, label: rest.replace(/\([^()]*\)/g, '').replace(/:/g, '') };
}

function normalizeMarker(printed: string): string {
  if (printed.startsWith('其中')) return '其中';
  if (printed.startsWith('(')) return printed;
  const numeral = printed.slice(0, -1);
  return /\d/.test(numeral) ? `${numeral}.` : `${numeral}、`;
}

/** Outline depth: 一、 above （一） above 1.; null for 其中 and unmarked rows, placed by their neighbours. */
function markerDepth(marker: string | null): number | null {
  if (marker === null || marker === '其中') return null;
  if (marker.endsWith('、')) return 0;
  return marker.startsWith('(') ? 1 : 2;
}

/** Half a level: a 其中 row sits under the row above it, above that row's own sub-items. */
const PART_DEPTH = 0.5;

/**
 * The list with each row's cross-template indicator, looked up with the indicator of the row it sits
 * under: the nearest row above at a shallower outline depth. A 其中 row sits under the row above it;
 * an unmarked row beside a 其中 row above it, and otherwise at the top (`行政复议数量：2件` over its
 * `（一）维持…` lines).
 */
export function withIndicators(list: Array<Omit<LegacyIndicator, 'indicator'>>): LegacyIndicator[] {
  const depths: number[] = [];
  const read: LegacyIndicator[] = [];
  list.forEach((row, index) => {
    const previousWhole = depths.slice(0, index).findLast((_, at) => read[at].marker !== '其中') ?? 0;
    const afterPart = index > 0 && read[index - 1].marker === '其中';
    const depth = markerDepth(row.marker) ?? (row.marker === '其中' ? previousWhole + PART_DEPTH : afterPart ? depths[index - 1] : 0);
    depths.push(depth);
    let parent: LegacyIndicator | undefined;
    for (let above = index - 1; above >= 0 && parent === undefined; above--) if (depths[above] < depth) parent = read[above];
    read.push({ ...row, indicator: indicatorForLabel(row.label, parent?.indicator ?? null) });
  });
  // Key order as the record has always printed it: key, label, marker, indicator, then the cells.
  return read.map(({ key, label, marker, indicator, ...cells }) => ({ key, label, marker, indicator, ...cells }));
}
