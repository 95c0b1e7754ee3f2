/**
 * Where each table sits: inside its section when the heading survived, otherwise from the table's
 * own first line (an anchor) to the next heading or table.
 */
import type { DocLine } from './document';
import { sectionLines, type SectionHeading } from './sections';

export type TableKey = 'active' | 'applications' | 'reviewLitigation';

const TABLE_SECTION: Record<TableKey, number> = { active: 2, applications: 3, reviewLitigation: 4 };

const ANCHORS: Record<TableKey, RegExp> = {
  active: /第二十条第\(一\)项/,
  applications: /申请人情况|本年新收政府信息公开申请/,
  reviewLitigation: /^\s*行政复议(?:\s|\||$)/,
};

/** An anchored region never runs longer than the largest table does. */
const MAX_REGION_LINES = 120;

/** Sentences are prose around a table, never its cells; their numbers must not be read as cells. */
const SENTENCE = /。/;

export function tableRegion(lines: DocLine[], headings: SectionHeading[], table: TableKey): DocLine[] {
  return regionLines(lines, headings, table).filter((line) => !SENTENCE.test(line.text));
}

function regionLines(lines: DocLine[], headings: SectionHeading[], table: TableKey): DocLine[] {
  const section = sectionLines(lines, headings, TABLE_SECTION[table]);
  if (section) return section;
  const start = lines.findIndex((line) => ANCHORS[table].test(line.text));
  if (start < 0) return [];
  const boundaries = [
    ...headings.map((heading) => heading.lineIndex),
    ...(Object.keys(ANCHORS) as TableKey[])
      .filter((other) => other !== table)
      .map((other) => lines.findIndex((line, index) => index > start && ANCHORS[other].test(line.text))),
  ].filter((index) => index > start);
  const end = Math.min(start + MAX_REGION_LINES, lines.length, ...boundaries);
  return lines.slice(start, end);
}
