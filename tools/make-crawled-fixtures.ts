/**
 * Writes each text sample as a web crawler saves it (test/fixtures/crawled/): a `key: value` header,
 * a `==== 正文 ====` separator, then the whole body on one line. Run with `npx tsx tools/make-crawled-fixtures.ts`;
 * test/unit/line-breaks.test.ts builds the same variants in memory and checks they read like the samples.
 */
import fs from 'node:fs';
import path from 'node:path';

export interface CrawlHeaderValues {
  title: string;
  publishedAt: string;
  agency: string;
  url: string;
}

/** The page as crawled: header lines, the separator, and the body with every line break removed. */
export function crawledText(body: string, header: CrawlHeaderValues): string {
  return [
    `标题: ${header.title}`,
    `发布时间: ${header.publishedAt}`,
    `发布机构: ${header.agency}`,
    `原文链接: ${header.url}`,
    `来源: ${header.agency}`,
    '==== 正文 ====',
    withoutLineBreaks(body),
  ].join('\n');
}

export function withoutLineBreaks(text: string): string {
  return text.replace(/[\r\n]/g, '');
}

/** The header a crawler would have written for each text sample (002, a pre-2019 list, is read by its own reader). */
export const CRAWLED_SAMPLES: Record<string, CrawlHeaderValues> = {
  '000_9d33212acc5db30e.txt': {
    title: '攀枝花市城市管理行政执法局2021年度政府信息公开工作年度报告',
    publishedAt: '2022-01-25 09:30:00',
    agency: '攀枝花市城市管理行政执法局',
    url: 'http://cgj.panzhihua.gov.cn/zwgk/ndbg/2022-01-25.html',
  },
  '001_8775b43b601402e9.txt': {
    title: '湛河区城市管理局2021年政府信息公开工作年度报告',
    publishedAt: '2022-01-28',
    agency: '平顶山市湛河区城市管理局',
    url: 'http://www.zhanhe.gov.cn/zwgk/2022/0128.html',
  },
  '003_6f6c780c05ed1855.txt': {
    title: '攀枝花市米易县2021年政府信息公开工作年度报告',
    publishedAt: '2022年02月08日',
    agency: '米易县人民政府办公室',
    url: 'http://www.scmiyi.gov.cn/zwgk/ndbg/2022-02-08.html',
  },
  '004_821e3546fb6fcf9b.txt': {
    // The crawler copies the hacked page's fields, spam included.
    title: 'bet365亚洲官网 办公室2021年政府信息公开工作年度报告',
    publishedAt: '2022-01-30 16:00',
    agency: 'bet365亚洲官网 办公室',
    url: 'http://www.example.gov.cn/zwgk/ndbg/2022-01-30.html',
  },
};

function main(): void {
  const samples = path.resolve(__dirname, '../samples');
  const target = path.resolve(__dirname, '../test/fixtures/crawled');
  fs.mkdirSync(target, { recursive: true });
  for (const [file, header] of Object.entries(CRAWLED_SAMPLES)) {
    const text = crawledText(fs.readFileSync(path.join(samples, file), 'utf8'), header);
    fs.writeFileSync(path.join(target, file.replace(/\.txt$/, '-crawled.txt')), text);
    console.log(`${file} → test/fixtures/crawled/${file.replace(/\.txt$/, '-crawled.txt')}`);
  }
}

if (require.main === module) main();
