/**
 * CONTENT_TAMPERING: spam injected into a report (hacked CMS pages swap the agency name for a
 * gambling brand, or add links). Government text can mention gambling legitimately — police
 * crackdowns (打击赌博), 福利彩票公益金, 银行开户 — so the body is searched only for brands and
 * promotional phrasing, while the title and agency name, which never speak of gambling, are also
 * searched for the bare words.
 */
import type { Bilingual, CanonicalRecord, Finding } from '../../shared/record';
import { finding } from './finding';

const PROMOTIONAL_SPAM: readonly RegExp[] = [
  /bet365|188bet|12bet|1xbet|sbobet|dafabet|betway|bwin/gi,
  /亚洲官网|威尼斯人|葡京|娱乐城|百家乐|时时彩|真人(?:视讯|荷官)/g,
  /澳门[\p{Script=Han}A-Za-z0-9]{0,6}?娱乐/gu,
  /皇冠(?:体育|娱乐|足球|现金|投注|官网)/g,
  /(?:博彩|赌场|彩票|投注|娱乐)(?:官网|官方网站|网址|注册|app|下载)/gi,
  /(?:体育|足球|在线)投注/g,
  /(?:娱乐|博彩|彩票|投注|真人|棋牌)(?:平台|官网)?(?:注册)?开户/g,
  /开户送/g,
];
const GAMBLING_WORDS = /博彩|赌场|赌博|赌球|投注|开户/g;

/** A link up to its host: with a scheme, after www., or a bare name under a common top-level domain. Not e-mail domains. */
const LINK = /(?<![@\w.-])(https?:\/\/)?((?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+([a-z]{2,}))(?![\w-])/gi;
const BARE_HOST_TLDS = new Set(
  'com net org cn cc info biz top vip xyz me tv co io app site club online shop live asia hk mo tw bet win casino'.split(' '),
);
const GOVERNMENT_HOST = /(?:^|\.)gov(?:\.[a-z]{2})?$/i;
/** State media and the platforms government accounts publish on, which reports cite as channels. */
const TRUSTED_HOSTS = [
  'people.com.cn', 'xinhuanet.com', 'news.cn', 'cctv.com', 'cctv.cn', 'gmw.cn', 'chinadaily.com.cn', '12371.cn',
  'weibo.com', 'weibo.cn', 'weixin.qq.com',
];

interface ScannedField {
  cell: string;
  description: Bilingual;
  text: string | null | undefined;
  /** Whether the bare gambling words alone already mean spam here. */
  isName: boolean;
}

export function checkTampering(record: CanonicalRecord, bodyText: string | undefined): Finding[] {
  const fields: ScannedField[] = [
    { cell: 'meta.title', description: { zh: '标题', en: 'the title' }, text: record.meta.title, isName: true },
    { cell: 'meta.agency', description: { zh: '机构名称', en: 'the agency name' }, text: record.meta.agency, isName: true },
    { cell: 'body', description: { zh: '正文', en: 'the body text' }, text: bodyText, isName: false },
  ];
  const findings: Finding[] = [];
  for (const field of fields) {
    if (!field.text) continue;
    const text = field.text.normalize('NFKC');
    const spam = spamIn(text, field.isName ? [...PROMOTIONAL_SPAM, GAMBLING_WORDS] : PROMOTIONAL_SPAM);
    const links = foreignLinksIn(text);
    if (spam.length === 0 && links.length === 0) continue;
    const found = [...spam.map((spamText) => `gambling spam "${spamText}"`), ...links.map((link) => `non-government link "${link}"`)];
    const foundZh = [...spam.map((spamText) => `赌博广告“${spamText}”`), ...links.map((link) => `非政府网站链接“${link}”`)];
    const message = {
      zh: `${field.description.zh}中有被植入的内容：${foundZh.join('，')}`,
      en: `injected content in ${field.description.en}: ${found.join(', ')}`,
    };
    findings.push(finding('CONTENT_TAMPERING', message, [field.cell]));
  }
  return findings;
}

/**
 * The distinct spam texts, adjacent matches joined so an injection reads as printed ("bet365" and
 * "亚洲官网" are one "bet365亚洲官网").
 */
function spamIn(text: string, patterns: readonly RegExp[]): string[] {
  const spans = patterns
    .flatMap((pattern) => [...text.matchAll(pattern)].map((match): [number, number] => [match.index, match.index + match[0].length]))
    .sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const [start, end] of spans) {
    const last = merged.at(-1);
    if (last !== undefined && start <= last[1]) last[1] = Math.max(last[1], end);
    else merged.push([start, end]);
  }
  return [...new Set(merged.map(([start, end]) => text.slice(start, end)))];
}

function foreignLinksIn(text: string): string[] {
  const links = new Set<string>();
  for (const match of text.matchAll(LINK)) {
    const [link, scheme, host, topLevelDomain] = match;
    const looksLikeLink = scheme !== undefined || /^www\./i.test(host) || BARE_HOST_TLDS.has(topLevelDomain.toLowerCase());
    if (looksLikeLink && !isTrustedHost(host.toLowerCase())) links.add(link);
  }
  return [...links];
}

function isTrustedHost(host: string): boolean {
  return GOVERNMENT_HOST.test(host) || TRUSTED_HOSTS.some((trusted) => host === trusted || host.endsWith(`.${trusted}`));
}
