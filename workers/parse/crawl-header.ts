/**
 * The header a web crawler writes above a saved page: `key: value` lines (标题:, 发布时间:, 发布机构:,
 * 原文链接:, 来源:, …), usually closed by a separator line such as `==== 正文 ====`. It is metadata about
 * the page, not part of the report: it is kept out of section, table and narrative reading and gives
 * the record its title, agency and publication date.
 */

/** Keys crawlers and CMS exports write, as NFKC leaves them (the full-width colon is folded to ':'). */
const HEADER_LINE = /^\s*(标题|题目|文章标题|发布时间|发布日期|成文日期|发文日期|发布机构|发文机关|发文单位|发布单位|来源|信息来源|原文链接|原文地址|链接|网址|url|索引号|文号|发文字号|主题分类|分类|栏目|作者)\s*:\s*(.*?)\s*$/i;
/** `==== 正文 ====`, `---- 正文 ----`, `【正文】`. */
const SEPARATOR = /^\s*(?:[=\-—_*#]{2,}\s*正文\s*[=\-—_*#]{2,}|【正文】)\s*$/;

/** A separator further down than this is part of the body, not the end of a header. */
const MAX_HEADER_LINES = 30;
/** Without a separator, this many `key: value` lines at the top make a header. */
const MIN_KEYS_WITHOUT_SEPARATOR = 2;

export interface CrawlHeader {
  title: string | null;
  /** 发布机构, else a 来源 that names an agency rather than a website. */
  agency: string | null;
  /** The date part of 发布时间 (or 发布日期, 成文日期), ISO. */
  publishedOn: string | null;
}

/** How many leading lines (of page 1) the header takes, its separator included; 0 without a header. */
export function crawlHeaderLength(lines: readonly string[]): number {
  const separator = lines.slice(0, MAX_HEADER_LINES).findIndex((line) => SEPARATOR.test(line));
  if (separator >= 0 && lines.slice(0, separator).some((line) => HEADER_LINE.test(line))) return separator + 1;
  let length = 0;
  let keys = 0;
  for (const line of lines) {
    if (HEADER_LINE.test(line)) keys++;
    else if (line.trim() !== '') break;
    length++;
  }
  return keys >= MIN_KEYS_WITHOUT_SEPARATOR ? length : 0;
}

/** A 来源 that is a website (攀枝花市人民政府网, 本站) names no agency. */
const WEBSITE = /网站?$|本站|门户/;

export function readCrawlHeader(lines: readonly string[]): CrawlHeader {
  const values = new Map<string, string>();
  for (const line of lines) {
    const match = HEADER_LINE.exec(line);
    if (match && match[2] !== '' && !values.has(match[1])) values.set(match[1], match[2]);
  }
  const first = (...keys: string[]): string | null => keys.map((key) => values.get(key)).find((value) => value !== undefined) ?? null;
  const source = first('来源', '信息来源');
  const date = /((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})/.exec(first('发布时间', '发布日期', '成文日期', '发文日期') ?? '');
  return {
    title: first('标题', '题目', '文章标题'),
    agency: first('发布机构', '发文机关', '发文单位', '发布单位') ?? (source && !WEBSITE.test(source) ? source : null),
    publishedOn: date ? `${date[1]}-${date[2].padStart(2, '0')}-${date[3].padStart(2, '0')}` : null,
  };
}
