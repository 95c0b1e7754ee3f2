/**
 * Report metadata: title, agency, year, statistical period and publication date. A crawler's header
 * (标题, 发布机构, 发布时间) is the first authority, then the title; what a web page or signature adds
 * (发布时间, 来源, the closing date) fills the gaps.
 */
import type { ReportMeta } from '../../shared/record';
import type { CrawlHeader } from './crawl-header';
import type { DocLine } from './document';

export type Metadata = Omit<ReportMeta, 'template' | 'script'>;

/** The title is among the first lines, short, and names the report. */
const TITLE_SEARCH_LINES = 8;
const TITLE = /(?:信息公开|政务公开).{0,12}报告|年度报告/;

const NO_HEADER: CrawlHeader = { title: null, agency: null, publishedOn: null };

export function readMetadata(lines: DocLine[], header: CrawlHeader = NO_HEADER): Metadata {
  const text = lines.map((line) => line.text).join('\n');
  const title = header.title ?? findTitle(lines);
  const period = findPeriod(text);
  const titleYear = title ? firstYear(title) : null;
  return {
    title,
    agency: header.agency ?? (title ? agencyFromTitle(title) : null) ?? agencyFromText(lines),
    year: titleYear ?? (period ? Number(period.from.slice(0, 4)) : null) ?? reportYearInText(text),
    period,
    publishedOn: header.publishedOn ?? findPublishedOn(lines),
  };
}

function findTitle(lines: DocLine[]): string | null {
  const candidates = lines.map((line) => line.text.trim()).filter((text) => text !== '').slice(0, TITLE_SEARCH_LINES);
  const title = candidates.find((text) => text.length <= 60 && TITLE.test(text) && !/[。:;]/.test(text));
  return title ?? null;
}

function firstYear(text: string): number | null {
  const match = /((?:19|20)\d{2})\s*年/.exec(text);
  return match ? Number(match[1]) : null;
}

/** "…2017年度信息公开工作报告…", "关于做好2017年度政府信息公开统计表…" */
function reportYearInText(text: string): number | null {
  const match = /((?:19|20)\d{2})\s*年度?(?:政府)?(?:信息公开|政务公开)/.exec(text);
  return match ? Number(match[1]) : null;
}

const ADMINISTRATIVE_PLACE = /[^省市县区州旗盟]+?(?:自治州|自治县|自治旗|特别行政区|省|市|县|区|州|旗|盟)/g;
const PLACE_ONLY = /(?:省|市|县|区|州|旗|盟)$/;

/** "湛河区城市管理局2021年…报告" → 湛河区城市管理局; a title naming only a place stands for its government. */
function agencyFromTitle(title: string): string | null {
  const withoutYear = title.replace(/(?:19|20)\d{2}\s*年度?/g, '');
  const end = withoutYear.search(/政府信息公开|政务公开|信息公开/);
  // "X办公室关于Y…报告": X only compiles (编制) the report; Y is whose report it is.
  let agency = (end >= 0 ? withoutYear.slice(0, end) : '').replace(/^.*关于/, '').replace(/[\s,、:]+$/, '');
  if (agency.endsWith('人民')) agency += '政府';
  if (!agency) return null;
  if (!PLACE_ONLY.test(agency)) return agency;
  // "攀枝花市米易县" reports for 米易县人民政府 (its 办公室 only compiles the report).
  const places = agency.match(ADMINISTRATIVE_PLACE);
  return `${places ? places[places.length - 1] : agency}人民政府`;
}

const AGENCY_NAME = /[\p{Script=Han}]{2,}?(?:省|市|区|县|州|旗)[\p{Script=Han}]{0,14}?(?:人民政府办公室|人民政府|委员会|办公室|局|厅|委|办)/gu;
const SELF_REFERENCE: Array<[RegExp, RegExp]> = [
  [/我局/, /局$/],
  [/我委/, /委员会$|委$/],
  [/我办/, /办公室$|办$/],
  [/我(?:县|区|市|省)/, /人民政府$/],
];

/** Without a title: the page's 来源, else the agency name the text uses for itself (我局 → …局). */
function agencyFromText(lines: DocLine[]): string | null {
  const text = lines.map((line) => line.text).join('\n');
  const source = /来源\s*:\s*(\S+)/.exec(text);
  if (source) return source[1];
  const names = Array.from(text.matchAll(AGENCY_NAME), (match) => match[0]);
  if (names.length === 0) return null;
  const selfKind = SELF_REFERENCE.find(([reference]) => reference.test(text));
  const own = selfKind ? names.filter((name) => selfKind[1].test(name)) : names;
  return mostLikelyName(own.length ? own : names, text);
}

const PLACE_PART = /^[\p{Script=Han}]+?(?:省|市|区|县|州|旗)/u;

/**
 * The name used most often; between equals, the one whose place recurs in the text (a heading run on
 * into the next paragraph makes "…推进政务信息公开区执法局" look like a name once, its "place" never
 * again), then the longer.
 */
function mostLikelyName(names: string[], text: string): string {
  const counts = new Map<string, number>();
  for (const name of names) counts.set(name, (counts.get(name) ?? 0) + 1);
  const placeSupport = (name: string): number => text.split(PLACE_PART.exec(name)?.[0] ?? name).length - 1;
  const rank = (name: string): number[] => [counts.get(name)!, placeSupport(name), name.length];
  return [...counts.keys()].reduce((best, name) => {
    const [a, b] = [rank(name), rank(best)];
    const first = a.findIndex((value, index) => value !== b[index]);
    return first >= 0 && a[first] > b[first] ? name : best;
  });
}

const DATE = String.raw`((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日`;

/** "统计期限自2021年1月1日起至2021年12月31日止" */
function findPeriod(text: string): Metadata['period'] {
  const match = new RegExp(`${DATE}\\s*起?\\s*(?:至|到|-|—|~)\\s*${DATE}`).exec(text);
  if (!match) return null;
  return { from: isoDate(match[1], match[2], match[3]), to: isoDate(match[4], match[5], match[6]) };
}

/**
 * 发布时间 on the web page, else the date the report closes with: the last date that ends its line or
 * stands before an attachment (附件), and is no part of a sentence ("…截至2021年12月31日").
 * Signature and date may share a line or not, so only the date's own ending counts.
 */
function findPublishedOn(lines: DocLine[]): string | null {
  for (const line of lines) {
    const match = /发布(?:时间|日期)\s*:?\s*((?:19|20)\d{2})[-/.年](\d{1,2})[-/.月](\d{1,2})/.exec(line.text);
    if (match) return isoDate(match[1], match[2], match[3]);
  }
  const closingDate = new RegExp(`(?<![为至到于止截])${DATE}\\s*(?:$|(?=附件|附表))`);
  for (let i = lines.length - 1; i >= 0; i--) {
    const match = closingDate.exec(chineseNumeralsToDigits(lines[i].text));
    if (match) return isoDate(match[1], match[2], match[3]);
  }
  return null;
}

const DIGITS = '〇一二三四五六七八九';
const CHINESE_DATE = /([〇零一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})日/g;

/** "二〇二二年一月二十日" → "2022年1月20日" wherever it stands; other text is left as it is. */
function chineseNumeralsToDigits(text: string): string {
  return text.replace(CHINESE_DATE, (_date, year: string, month: string, day: string) => {
    const digits = Array.from(year, (c) => DIGITS.indexOf(c === '零' ? '〇' : c)).join('');
    return `${digits}年${smallNumber(month)}月${smallNumber(day)}日`;
  });
}

/** 一 … 三十一 */
function smallNumber(text: string): number {
  const [tens, ones] = text.includes('十') ? text.split('十') : ['', text];
  const tensValue = text.includes('十') ? (tens ? DIGITS.indexOf(tens) : 1) : 0;
  return tensValue * 10 + (ones ? DIGITS.indexOf(ones) : 0);
}

function isoDate(year: string, month: string, day: string): string {
  return `${year}-${month.padStart(2, '0')}-${day.padStart(2, '0')}`;
}
