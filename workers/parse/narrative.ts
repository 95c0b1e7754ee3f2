/**
 * Figures the report states in prose (主动公开信息N条, 收到申请N件, 行政复议N件, 行政诉讼N件), with the
 * sentence each came from. Validate compares them with the tables (NARRATIVE_MISMATCH).
 */
import type { CanonicalRecord, NarrativeKey } from '../../shared/record';
import type { DocLine } from './document';

const N = String.raw`(\d[\d,]*)\s*`;

/** Per figure, patterns in order of preference; the first sentence that matches wins. */
const PATTERNS: Record<NarrativeKey, RegExp[]> = {
  proactiveItems: [
    new RegExp(String.raw`主动公开(?:政府)?信息[^。;,\d]{0,6}?${N}条`, 'g'),
    new RegExp(String.raw`公开(?:政府)?信息[^。;,\d]{0,6}?${N}条`, 'g'),
  ],
  applicationsReceived: [
    // 案件 alone is too broad (受理数字化案件 are city-management cases), so it must be 信息公开 cases.
    new RegExp(String.raw`(?:收到|接到|受理)[^。;,\d]{0,16}?(?:申请|信息公开[^。;,\d]{0,4}?案件)[^。;,\d]{0,6}?${N}件`, 'g'),
    new RegExp(String.raw`依申请公开[^。;,\d]{0,6}?${N}件`, 'g'),
  ],
  reviewCases: [new RegExp(String.raw`行政复议(?:申请|案件)?[^。;,\d]{0,6}?${N}(?:件|起)`, 'g')],
  litigationCases: [new RegExp(String.raw`行政诉讼(?:案件)?[^。;,\d]{0,6}?${N}(?:件|起)`, 'g')],
};

/** Application counts must not be taken from a sentence part about reconsideration or litigation. */
const NOT_APPLICATIONS = /复议|诉讼/;

export interface Narrative {
  values: CanonicalRecord['narrative'];
  sources: CanonicalRecord['narrativeSources'];
}

/** Reads prose lines only: table rows (tabs, `|`) are left to the table readers. */
export function readNarrative(lines: DocLine[]): Narrative {
  const sentences = lines
    .filter((line) => !/[\t|]/.test(line.text))
    .flatMap((line) => line.text.split(/(?<=[。;!?])/))
    .map((sentence) => sentence.trim())
    .filter((sentence) => sentence !== '');
  const narrative: Narrative = { values: {}, sources: {} };
  for (const key of Object.keys(PATTERNS) as NarrativeKey[]) {
    const found = firstFigure(sentences, PATTERNS[key], key === 'applicationsReceived' ? NOT_APPLICATIONS : null);
    if (found) {
      narrative.values[key] = found.value;
      narrative.sources[key] = found.sentence;
    }
  }
  return narrative;
}

function firstFigure(sentences: string[], patterns: RegExp[], exclude: RegExp | null): { value: number; sentence: string } | null {
  for (const pattern of patterns) {
    for (const sentence of sentences) {
      for (const match of sentence.matchAll(pattern)) {
        if (!exclude?.test(match[0])) return { value: Number(match[1].replace(/,/g, '')), sentence };
      }
    }
  }
  return null;
}
