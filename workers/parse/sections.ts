/**
 * The six sections of the 2019/2021 templates: which headings are present, and the line range each
 * one covers (so a table is read only inside its own section).
 */
import type { CanonicalRecord, TemplateId } from '../../shared/record';
import { isOcrPage, type DocLine } from './document';

const TITLES = [
  '总体情况',
  '主动公开政府信息情况',
  '收到和处理政府信息公开申请情况',
  '政府信息公开行政复议、行政诉讼情况',
  '存在的主要问题及改进情况',
  '其他需要报告的事项',
];
const TITLE_5_2019 = '政府信息公开工作存在的主要问题及改进情况';

/** Every title a section heading is printed with, longest first, so text can be cut right after one. */
export const SECTION_TITLES = [...TITLES, TITLE_5_2019, '概述'].sort((a, b) => b.length - a.length);

/** A heading names its section with one of these (table row labels like 四、结转下年度 do not). */
const KEYWORDS = [['总体情况', '概述'], ['主动公开'], ['收到和处理', '依申请公开'], ['行政复议', '行政诉讼'], ['问题'], ['其他需要报告', '其他事项']];
const NUMERALS = '一二三四五六';
const HEADING = /^([一二三四五六])[、.]\s*(.*)/;
/**
 * Specks in a scan's margin read as a character or two before a heading ("0二、主动公开…"): on an OCR page,
 * up to two such characters (digits, Latin look-alikes, punctuation) ahead of the numeral are not the heading's.
 */
const OCR_SPECKS_BEFORE_HEADING = /^[\s0-9.,:;'"`·|_~\-oOlI]{1,2}(?=[一二三四五六][、.])/;
/**
 * A heading's title is short; where the source had no line break after it, the body runs on, so the
 * keyword is sought only this far in.
 */
const TITLE_WINDOW = 22;

export interface SectionHeading {
  number: number;
  lineIndex: number;
}

export function findSectionHeadings(lines: DocLine[]): SectionHeading[] {
  const headings: SectionHeading[] = [];
  lines.forEach((line, lineIndex) => {
    if (/[\t|]/.test(line.text)) return;
    const text = line.text.trim();
    const match = HEADING.exec(isOcrPage(line.page) ? text.replace(OCR_SPECKS_BEFORE_HEADING, '') : text);
    if (!match) return;
    const number = NUMERALS.indexOf(match[1]) + 1;
    if (headings.some((heading) => heading.number === number)) return;
    const title = match[2].split(/[。;:]/)[0].slice(0, TITLE_WINDOW);
    if (KEYWORDS[number - 1].some((keyword) => title.includes(keyword))) headings.push({ number, lineIndex });
  });
  return headings;
}

export function sectionList(headings: SectionHeading[], template: TemplateId | null): CanonicalRecord['sections'] {
  return TITLES.map((title, index) => ({
    number: index + 1,
    title: index === 4 && template === '2019' ? TITLE_5_2019 : title,
    present: headings.some((heading) => heading.number === index + 1),
  }));
}

/** Lines of section `number`: after its heading, up to the next heading below it in the document; null without a heading. */
export function sectionLines(lines: DocLine[], headings: SectionHeading[], number: number): DocLine[] | null {
  const heading = headings.find((h) => h.number === number);
  if (!heading) return null;
  const next = headings
    .filter((h) => h.lineIndex > heading.lineIndex)
    .reduce((end, h) => Math.min(end, h.lineIndex), lines.length);
  return lines.slice(heading.lineIndex + 1, next);
}
