/**
 * Agency names folded into a key that finds the same agency's report in other years, whatever
 * variant of its name a year's report prints.
 *
 * agencyKey folds exactly this, in order:
 * 1. Compatibility forms (Unicode NFKC): full-width letters, digits, brackets and spaces become
 *    their ordinary forms.
 * 2. Whitespace of every kind (ideographic space, line breaks, zero-width characters) is removed:
 *    "兖州 城市管理行政执法局" = "兖州城市管理行政执法局".
 * 3. "人民政府" becomes "政府" (区人民政府办公室 = 区政府办公室), and a name ending in the short
 *    form "政府办" gets its full form "政府办公室".
 * 4. Leading higher-level divisions are dropped while the next word is itself a division: a
 *    province (省, 自治区) before a prefecture-level name, a prefecture-level name (市, 州, 自治州,
 *    地区, 盟) before a county-level one (县, 自治县, 旗, 自治旗, or a 市/区/州 of two or more
 *    characters). So 四川省攀枝花市米易县人民政府 = 攀枝花市米易县人民政府 = 米易县政府, and
 *    四川省攀枝花市城市管理行政执法局 = 攀枝花市城市管理行政执法局.
 *
 * Deliberately not folded:
 * - Traditional characters: normalize converts them to Simplified before parse reads the name.
 * - A prefix before a word that only looks like a division: 城市管理 and 市场监督 (one character before
 *   市), names containing an organ's word (公安局高新区分局), generic zones (高新区, 开发区, 园区…),
 *   and one-character districts (东区) keep their city, since without it they name nothing.
 * - A county's prefix before a town (米易县攀莲镇): town names repeat across the country.
 * - Different organs: 办公厅 ≠ 办公室, 政府 ≠ 政府办公室.
 *
 * Dropping the city makes same-named districts of different cities (南京市鼓楼区, 福州市鼓楼区) share
 * a key, and a name without a place (区政府办公室) matches every district's; callers that look a
 * key up should treat more than one candidate agency as no match.
 */

const HAN = '\\p{Script=Han}';
/** A province or prefecture-level name at the start of the name; lazy, so the shortest one. */
const HIGHER_DIVISION = new RegExp(`^${HAN}{2,8}?(?:省|自治区|市|自治州|州|地区|盟)`, 'u');
/** A division one level down at the start of what follows. */
const LOWER_DIVISION = new RegExp(`^(?:${HAN}{1,8}?(?:自治县|县|自治旗|旗)|${HAN}{2,8}?(?:市|区|自治州|州|地区|盟))`, 'u');
/** Characters of organs' names (局, 委, 办…), which no division's name contains. */
const ORGAN_CHARACTER = /[局委办厅院所站队处部署室]/;
/** Zones named like districts that are not divisions and repeat from city to city. */
const GENERIC_ZONE = /(?:园区|开发区|高新区|保护区|示范区|试验区|实验区|功能区|自贸区|保税区|合作区|名胜区|旅游区|景区|社区)$/;

export function agencyKey(name: string): string {
  let key = name
    .normalize('NFKC')
    .replace(/[\s\u200b-\u200d\u2060\ufeff]/g, '')
    .replace(/人民政府/g, '政府')
    .replace(/政府办$/, '政府办公室');
  for (let prefix = divisionPrefix(key); prefix !== null; prefix = divisionPrefix(key)) key = key.slice(prefix.length);
  return key;
}

/** The leading higher-level division to drop, or null when the name starts at its lowest level. */
function divisionPrefix(name: string): string | null {
  const higher = HIGHER_DIVISION.exec(name)?.[0];
  if (higher === undefined || !isDivisionName(higher)) return null;
  const lower = LOWER_DIVISION.exec(name.slice(higher.length))?.[0];
  return lower !== undefined && isDivisionName(lower) ? higher : null;
}

function isDivisionName(word: string): boolean {
  return !ORGAN_CHARACTER.test(word) && !GENERIC_ZONE.test(word);
}
