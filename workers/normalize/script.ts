/**
 * Traditional-script detection and conversion. The `tw` → `cn` converter turns every table label of a
 * Traditional report into the Simplified form the parser knows; `twp` would also rewrite vocabulary
 * (文件 → 文档), which breaks label matching.
 */
import { Converter } from 'opencc-js';
import type { Script } from '../../shared/record';
import { mapCodePoints, replaceAligned, type MappedText } from './mapped-text';

const twToCn = Converter({ from: 'tw', to: 'cn' });

/**
 * Share of Han characters that must change under tw → cn to call a text Traditional. Simplified
 * reports score 0 (a stray 著 or 乾 at most); the Traditional seed scores 0.34.
 */
const TRADITIONAL_SHARE = 0.05;
const MIN_TRADITIONAL_CHARACTERS = 3;

const HAN = /\p{Script=Han}/u;

export function detectScript(texts: string[]): Script {
  let han = 0;
  let changed = 0;
  for (const text of texts) {
    for (const character of text) {
      if (!HAN.test(character)) continue;
      han++;
      if (twToCn(character) !== character) changed++;
    }
  }
  return changed >= MIN_TRADITIONAL_CHARACTERS && changed / han >= TRADITIONAL_SHARE ? 'traditional' : 'simplified';
}

/**
 * Converts to Simplified. OpenCC converts phrases; if a phrase changed length the offsets could no
 * longer be aligned, so such a text is converted character by character instead.
 */
export function toSimplified(input: MappedText): MappedText {
  const whole = twToCn(input.text);
  if (whole.length === input.text.length) return replaceAligned(input, whole);
  return mapCodePoints(input, (codePoint) => twToCn(codePoint));
}
