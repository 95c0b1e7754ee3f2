/**
 * An agency's identity: the place it belongs to (its division code, GB/T 2260, shared/divisions.ts)
 * and its name folded, so the same agency's reports meet across years and copies whatever variant
 * of its name each prints, and same-named agencies of different places never meet.
 *
 * The name is folded in this order:
 * 1. foldName (shared/divisions.ts): Traditional → Simplified (opencc tw → cn), compatibility forms
 *    (NFKC: full-width letters, digits, brackets, spaces) and whitespace of every kind removed:
 *    "兖州 城市管理行政执法局" = "兖州城市管理行政执法局", 米易縣 = 米易县.
 * 2. "人民政府" becomes "政府" (区人民政府办公室 = 区政府办公室), and a name ending in the short form
 *    "政府办" gets its full form "政府办公室".
 *
 * The key is then
 * - `<division code>:<organ>` when a division is found (findDivision's rules: the name's own place
 *   names first, same-named places told apart by the title, the report's opening lines and the
 *   expected-agency list; a name naming no place takes the place of its title or 来源/发布机构 line). The organ is what follows the name's leading place names, and a
 *   level word standing for the place before 政府 is dropped (区政府办公室 of 511002 = 政府办公室):
 *   四川省攀枝花市米易县人民政府 = 攀枝花市米易县政府 = 米易县政府 → `510421:政府`;
 *   内江市市中区人民政府 → `511002:政府`, 乐山市市中区人民政府 → `511102:政府`;
 *   攀枝花市城市管理行政执法局 → `510400:城市管理行政执法局`. When the place is not at the start
 *   (国家税务总局内江市税务局) the whole folded name is the organ. A bare place has just its code.
 * - the whole folded name when no division is found: a prefix that cannot be placed is never cut,
 *   so 甲市第3区人民政府 and 乙市第3区人民政府 stay two agencies.
 *
 * Deliberately not folded: different organs (办公厅 ≠ 办公室, 政府 ≠ 政府办公室), and places below the
 * county (米易县攀莲镇 keeps its town in the organ: town names repeat across the country).
 */
import { divisionByCode, foldName, placeName, type Division, type DivisionContext } from './divisions';
import type { ReportMeta } from './record';

export interface AgencyIdentity {
  /** What reports.agency_key stores: the same for every report of one agency. */
  key: string;
  /** The most specific division found (6 digits), or null. */
  divisionCode: string | null;
  /** The printed name, qualified with its place when it lacks it: 市中区人民政府 of 511002 → 内江市市中区人民政府. */
  fullName: string;
}

/** One expected agency, as agencyIdentity needs it (shared/expected-agencies.ts makes these). */
export interface ExpectedPlace {
  divisionCode: string;
  /** foldAgencyName of the agency's name and of each alias: a report printing one of them is this agency. */
  names: readonly string[];
  /** The expected agency's own identity (expectedIdentity). */
  identity: AgencyIdentity;
}

/** What else of a report may name the agency's place. */
export interface AgencyContext {
  title?: string | null;
  /** The report's opening text (its first page): the title again, 来源/发布机构 lines. */
  opening?: string | null;
  expected?: readonly ExpectedPlace[];
}

/** Step 1 and 2 of the folding above: the form names are compared in. */
export function foldAgencyName(name: string): string {
  return foldName(name).replace(/人民政府/g, '政府').replace(/政府办$/, '政府办公室');
}

/** A level word (区, 县, 市…) standing for the agency's own place before 政府: 区人民政府办公室. */
function withoutLevelWord(organ: string, division: Division): string {
  const level = division.name.at(-1);
  return level && /^(?:人民)?政府/.test(organ.slice(level.length)) && organ.startsWith(level) ? organ.slice(level.length) : organ;
}

/** The division as a place label: a county with its city (内江市市中区) or its province (北京市东城区, 湖北省仙桃市). */
export function placeLabel(division: Division): string {
  const parent = division.level === 'county' && division.parentCode ? divisionByCode(division.parentCode) : undefined;
  return (parent?.name ?? '') + division.name;
}

/**
 * Divisions the expected list gives this name: entries listing the name itself (or as an alias), and,
 * when the name starts with a place, entries of the same organ — they choose between same-named
 * places (市中区人民政府 when only 内江市's 市中区 is expected) but never place a name that has none.
 */
function expectedCodes(folded: string, placed: boolean, organ: string, expected: readonly ExpectedPlace[]): string[] {
  return expected.filter((entry) => entry.names.includes(folded) || (placed && organOf(entry.identity) === organ)).map((entry) => entry.divisionCode);
}

/** What follows the place in an identity's key: 政府 of `510421:政府`. */
function organOf(identity: AgencyIdentity): string {
  return identity.divisionCode === null ? identity.key : identity.key.slice(identity.divisionCode.length + 1);
}

/** Lines of a report's opening that state its agency: the title line (…年度报告) and 来源/发布机构 lines. */
const AGENCY_LINE = /年度报告|(?:来源|发布机构|发布单位|信息来源)\s*[:：]/;

function agencyLines(opening: string | null | undefined): string[] {
  return (opening ?? '').split(/\r?\n/).filter((line) => AGENCY_LINE.test(line));
}

/**
 * The identity of the agency a report names. A name the expected list gives (as the agency's name or
 * an alias) of one agency is that agency; otherwise the name is placed by itself and its context.
 */
export function agencyIdentity(name: string, context: AgencyContext = {}): AgencyIdentity {
  const folded = foldAgencyName(name);
  const expected = context.expected ?? [];
  const listed = new Map(expected.filter((entry) => entry.names.includes(folded)).map((entry) => [entry.identity.key, entry.identity]));
  if (listed.size === 1) return [...listed.values()][0]!;
  const leading = placeName(folded);
  const organAfterPlace = [...folded].slice(leading.placeEnd).join('');
  return placedIdentity(name, {
    texts: [context.title, context.opening],
    placingTexts: [context.title, ...agencyLines(context.opening)],
    expectedCodes: expectedCodes(folded, leading.placeEnd > 0, organAfterPlace, expected),
  });
}

/** An expected agency's identity: its name placed, its listed division choosing between same-named places. */
export function expectedIdentity(name: string, divisionCode: string): AgencyIdentity {
  return placedIdentity(name, { expectedCodes: [divisionCode] });
}

function placedIdentity(name: string, divisionContext: DivisionContext): AgencyIdentity {
  const printed = foldName(name);
  const folded = foldAgencyName(name);
  const { division, placeEnd } = placeName(folded, divisionContext);
  if (!division) return { key: folded, divisionCode: null, fullName: printed };
  const organ = withoutLevelWord([...folded].slice(placeEnd).join(''), division);
  const key = organ ? `${division.code}:${organ}` : division.code;
  const printedOrgan = withoutLevelWord([...printed].slice(placeEnd).join(''), division);
  const printedPlace = [...printed].slice(0, placeEnd).join('');
  const label = placeLabel(division);
  const placeNamed = placeEnd > 0 ? printedPlace.includes(label) : printed.includes(division.name);
  const fullName = placeNamed ? printed : `${label}${printedOrgan}`;
  return { key, divisionCode: division.code, fullName };
}

/** The identity's key alone (see agencyIdentity): what reports.agency_key stores and the year-over-year check matches. */
export function agencyKey(name: string, context: AgencyContext = {}): string {
  return agencyIdentity(name, context).key;
}

/** What else places a report's agency besides its record: its first page's opening text and the expected list. */
export interface ReportPlaceContext {
  opening: string | null;
  expected: readonly ExpectedPlace[];
}

/** The identity of a report's agency from its name, title and opening; null when the report names no agency. */
export function reportIdentity(meta: Pick<ReportMeta, 'agency' | 'title'>, place: ReportPlaceContext): AgencyIdentity | null {
  return meta.agency ? agencyIdentity(meta.agency, { title: meta.title, opening: place.opening, expected: place.expected }) : null;
}
