/**
 * Character-level clean-up that makes the parser's job layout-independent: one line-break form, no
 * invisible characters, ASCII digits and punctuation (NFKC folds （）：，１２ and the ideographic space),
 * and no stray spaces inside Chinese labels ("商业 企业", "统 计 指 标"). Tabs, `|` and line breaks are
 * left alone because they separate cells and rows.
 */
import { mapCodePoints, type MappedText } from './mapped-text';

const INVISIBLE = new Set(['\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u00ad']);

/** \r\n and lone \r become \n; invisible characters go; everything else is NFKC-folded. */
export function foldCharacters(input: MappedText): MappedText {
  return mapCodePoints(input, (codePoint, index, text) => {
    if (codePoint === '\r') return text[index + 1] === '\n' ? '' : '\n';
    if (INVISIBLE.has(codePoint)) return '';
    return codePoint.normalize('NFKC');
  });
}

/** Characters a label is made of: Han and the CJK punctuation that sits inside labels. */
const LABEL_CHARACTER = /[\p{Script=Han}、“”‘’《》〔〕【】]/u;
const INLINE_SPACE = /[ \u00a0]/;

const ITEM_NUMBER_SEPARATOR = /[.、]/;

/**
 * Whether a space run between `before` and `after` sits inside a label's item number, spaced out
 * with the label (`4 . 保 护`, `4. 保护`): digit, separator, then Han.
 */
function insideItemNumber(text: string, before: number, after: number): boolean {
  const isDigit = (index: number) => /\d/.test(text[index] ?? '');
  const nextVisible = (index: number) => {
    while (index < text.length && INLINE_SPACE.test(text[index])) index++;
    return text[index] ?? '';
  };
  if (isDigit(before) && ITEM_NUMBER_SEPARATOR.test(text[after] ?? '')) return /\p{Script=Han}/u.test(nextVisible(after + 1));
  if (ITEM_NUMBER_SEPARATOR.test(text[before] ?? '') && /\p{Script=Han}/u.test(text[after] ?? '')) {
    let digit = before - 1;
    while (digit >= 0 && INLINE_SPACE.test(text[digit])) digit--;
    return isDigit(digit);
  }
  return false;
}

/** Deletes runs of spaces that have a label character on both sides (within the line), and spaces inside an item number. */
export function collapseLabelSpaces(input: MappedText): MappedText {
  const text = input.text;
  // Decided once per run of spaces (every space of a run has the same neighbours): a long run costs linear time, not quadratic.
  let runEnd = -1;
  let deleteRun = false;
  return mapCodePoints(input, (codePoint, index) => {
    if (!INLINE_SPACE.test(codePoint)) return codePoint;
    if (index > runEnd) {
      let before = index - 1;
      while (before >= 0 && INLINE_SPACE.test(text[before])) before--;
      let after = index + 1;
      while (after < text.length && INLINE_SPACE.test(text[after])) after++;
      runEnd = after - 1;
      const between = before >= 0 && after < text.length && LABEL_CHARACTER.test(text[before]) && LABEL_CHARACTER.test(text[after]);
      deleteRun = between || insideItemNumber(text, before, after);
    }
    return deleteRun ? '' : codePoint;
  });
}
