/**
 * What one generated scan is, drawn from its seed alone: the report (tools/variations/report.ts), the
 * office's print style, and every way the page is printed, scanned and stored. Pure — no files, no
 * processes — so a seed's truth and variations can be checked without printing anything.
 *
 * Seed ranges, fixed before any tuning of the reader:
 * - HELD_OUT_SEEDS 100000–100199: the 200 scans the issue's bar is measured on. Never generate or look
 *   at them while tuning; the CLI refuses them without `--held-out`.
 * - CI_SEEDS: the seeds CI checks on every run (bounded time), the default of `npm run check:scans`.
 * - every other seed below 100000 is for tuning and investigation.
 */
import { blocksOf, chance, integer, makeReport, pick, Printer, styleOf, toHtml, truthOf, type Random } from '../variations/report';
import { seededRandom } from '../scan-fixtures/raster';

export interface SeedRange {
  first: number;
  last: number;
}

export const HELD_OUT_SEEDS: SeedRange = { first: 100000, last: 100199 };
/**
 * Chosen from the tuning seeds for their spread (about 21 pages): a page turned 270°, blue signature,
 * two-column prose (2); a grey JPEG TIFF under uneven light (4); a 2019 mixed PDF at 150 dpi with a seal over
 * the signature (15); a seal over table 四's values (25). 200, 240 dpi; 楷 and 黑 fonts. And three that
 * once went wrong: an unreadable header word taken for a number, shifting table 四's values silently (17);
 * dash placeholders read as a label, losing table 四 (276); 1-bit 200-dpi pages fed sideways and read
 * upside down (389).
 */
export const CI_SEEDS: readonly number[] = [2, 4, 15, 25, 17, 276, 389];

export const isHeldOut = (seed: number): boolean => seed >= HELD_OUT_SEEDS.first && seed <= HELD_OUT_SEEDS.last;

/** `1-20`, `7`, `1-5,9,12-13` → the seeds in order, without repeats. */
export function parseSeeds(text: string): number[] {
  const seeds = new Set<number>();
  for (const part of text.split(',')) {
    const match = /^\s*(\d+)\s*(?:-\s*(\d+))?\s*$/.exec(part);
    if (!match) throw new Error(`not a seed range: "${part}" (expected e.g. 1-20 or 1-5,9)`);
    const first = Number(match[1]);
    const last = Number(match[2] ?? match[1]);
    if (last < first) throw new Error(`empty seed range ${part}`);
    for (let seed = first; seed <= last; seed++) seeds.add(seed);
  }
  return [...seeds];
}

/** The Debian fonts pages are printed in: 宋体-like, 楷体 (standing in for 仿宋) and 黑体-like. */
export const FONTS = {
  song: { css: '"AR PL UMing CN"', debianPackage: 'fonts-arphic-uming' },
  kai: { css: '"AR PL UKai CN"', debianPackage: 'fonts-arphic-ukai' },
  hei: { css: '"WenQuanYi Micro Hei"', debianPackage: 'fonts-wqy-microhei' },
} as const;
export type FontFamily = keyof typeof FONTS;

export interface TableLook {
  font: FontFamily;
  fontPt: number;
  /** Rule width in pt; scanned reports are printed from Word with ruled tables. */
  borderPt: number;
  paddingPt: number;
  /** Minimum row height in pt. */
  rowHeightPt: number;
  headerBold: boolean;
  /** Grey fill behind the header rows, 0 for none (0–255 darkness). */
  headerShade: number;
}

export interface PagePlan {
  /** Rotation of the content before any turn, degrees, positive = counter-clockwise. */
  skewDegrees: number;
  /** Clockwise quarter turns of the page image (a sheet fed sideways or upside down). */
  quarterTurns: 0 | 1 | 2 | 3;
  /** Seeds the grain and specks of this page. */
  noiseSeed: number;
}

export type Container = 'pdf' | 'tiff' | 'mixed';
/** jpeg-colour and jpeg-grey are DCT pages; bilevel is 1-bit (Flate in a PDF, CCITT G4 in a TIFF). */
export type Encoding = 'jpeg-colour' | 'jpeg-grey' | 'bilevel';

export interface Seal {
  /** Where it is stamped: over the last rows of table 四, or over the closing agency and date. */
  over: 'table' | 'signature';
  diameterMm: number;
  /** Offset of the centre from its anchor, mm. */
  offsetMm: [number, number];
  rotationDegrees: number;
  /** Ink strength 0–1 (a light or heavy stamp). */
  opacity: number;
  /** The ring text, the agency's name. */
  text: string;
}

export interface Stroke {
  colour: 'blue' | 'black';
  /** Seeds the scrawl's shape. */
  shapeSeed: number;
  widthMm: number;
}

/** Everything varied for one seed; written beside the scan as `scan-S.scan.json`. */
export interface ScanVariations {
  seed: number;
  name: string;
  template: '2021' | '2019';
  bodyFont: FontFamily;
  bodyPt: number;
  titleFont: FontFamily;
  marginMm: number;
  table: TableLook;
  twoColumnProse: boolean;
  dpi: number;
  container: Container;
  encoding: Encoding;
  /** 35–90 for JPEG pages; null for bilevel. */
  jpegQuality: number | null;
  /** Grey level below which a pixel is black, for bilevel pages. */
  bilevelThreshold: number | null;
  noise: { sigma: number; specksPerMegapixel: number; paperGrey: number };
  /** [1 2 1] filter passes (0 = sharp). */
  blurPasses: number;
  light: { depth: number; angle: number; shadow: number } | null;
  seal: Seal | null;
  stroke: Stroke | null;
  /** Per page, for as many pages as the print may have; the extra entries go unused. */
  pages: PagePlan[];
}

export interface ScanPlan {
  variations: ScanVariations;
  truth: unknown;
  html: string;
}

/** Pages planned per file; the reports print on 3–7 A4 pages. */
const MAX_PAGES = 12;
/** A seed's print and scan draws come from their own stream, so the report stays that of the variation module for the same stream. */
const SCAN_STREAM = 0x5ca1ab1e;

export function planScan(seed: number): ScanPlan {
  const random = seededRandom(seed);
  const report = makeReport(random, 0);
  report.name = `scan-${seed}`;
  const printer = new Printer(random, styleOf(random));
  // Scanned reports come from Word with ruled tables: the reader rebuilds scanned tables from their rules.
  printer.style.borders = true;
  const blocks = blocksOf(report, random, printer);
  const variations = drawVariations(seededRandom((seed ^ SCAN_STREAM) >>> 0), seed, report.name, report.template, report.agency);
  const closing = [report.agency, cnDate(report.publishedOn)];
  return { variations, truth: truthOf(report), html: toHtml(blocks, printer.style, { css: pageCss(variations), proseColumns: variations.twoColumnProse, closing }) };
}

const cnDate = (iso: string): string => {
  const [year, month, day] = iso.split('-').map(Number);
  return `${year}年${month}月${day}日`;
};

const between = (random: Random, min: number, max: number, places = 2): number => Number((min + random() * (max - min)).toFixed(places));

function drawVariations(random: Random, seed: number, name: string, template: '2021' | '2019', agency: string): ScanVariations {
  const families = Object.keys(FONTS) as FontFamily[];
  const table: TableLook = {
    font: pick(random, families),
    fontPt: pick(random, [9, 10, 10.5, 11, 12]),
    borderPt: pick(random, [0.5, 0.75, 1, 1, 1.5]),
    paddingPt: pick(random, [0, 1, 2, 3, 5]),
    rowHeightPt: pick(random, [0, 14, 18, 24]),
    headerBold: chance(random, 0.5),
    headerShade: chance(random, 0.3) ? integer(random, 20, 70) : 0,
  };
  const seal: Seal | null = chance(random, 0.4)
    ? {
        over: chance(random, 0.5) ? 'table' : 'signature',
        diameterMm: integer(random, 38, 45),
        offsetMm: [between(random, -25, 25, 1), between(random, -6, 6, 1)],
        rotationDegrees: integer(random, -30, 30),
        opacity: between(random, 0.55, 0.9),
        text: agency,
      }
    : null;
  const stroke: Stroke | null = chance(random, 0.3) ? { colour: chance(random, 0.6) ? 'blue' : 'black', shapeSeed: integer(random, 1, 2 ** 30), widthMm: between(random, 0.4, 0.9) } : null;
  const needsColour = seal !== null || stroke?.colour === 'blue';
  const roll = random();
  const container: Container = roll < 0.12 ? 'tiff' : roll < 0.3 ? 'mixed' : 'pdf';
  const encoding: Encoding = needsColour || chance(random, 0.3) ? 'jpeg-colour' : chance(random, 0.6) ? 'jpeg-grey' : 'bilevel';
  const turned = chance(random, 0.13);
  const pages = Array.from({ length: MAX_PAGES }, (): PagePlan => ({
    skewDegrees: chance(random, 0.15) ? 0 : between(random, -3, 3),
    quarterTurns: turned && chance(random, 0.35) ? pick(random, [1, 2, 3] as const) : 0,
    noiseSeed: integer(random, 1, 2 ** 30),
  }));
  // A file drawn as turned has at least one turned page among its first three (every report has three).
  if (turned && !pages.slice(0, 3).some((page) => page.quarterTurns !== 0)) pages[integer(random, 0, 2)].quarterTurns = pick(random, [1, 2, 3] as const);
  return {
    seed,
    name,
    template,
    bodyFont: pick(random, families),
    bodyPt: pick(random, [10.5, 12, 14, 16]),
    titleFont: pick(random, families),
    marginMm: integer(random, 15, 28),
    table,
    twoColumnProse: chance(random, 0.2),
    dpi: pick(random, [150, 200, 200, 240, 300, 300]),
    container,
    encoding,
    jpegQuality: encoding === 'bilevel' ? null : integer(random, 35, 90),
    bilevelThreshold: encoding === 'bilevel' ? integer(random, 130, 170) : null,
    noise: { sigma: encoding === 'bilevel' ? integer(random, 8, 20) : between(random, 1, 6, 1), specksPerMegapixel: integer(random, 0, 60), paperGrey: integer(random, 0, 30) },
    blurPasses: pick(random, [0, 0, 1, 1, 2]),
    light: chance(random, 0.35) ? { depth: between(random, 0.08, 0.3), angle: between(random, 0, 2 * Math.PI, 3), shadow: chance(random, 0.3) ? between(random, 0.03, 0.08, 3) : 0 } : null,
    seal,
    stroke,
    pages,
  };
}

function pageCss(variations: ScanVariations): string {
  const { table } = variations;
  const font = (family: FontFamily) => `${FONTS[family].css}, "WenQuanYi Micro Hei", sans-serif`;
  const shade = 255 - table.headerShade;
  return [
    `@page { size: A4; margin: ${variations.marginMm}mm; }`,
    `body { font-family: ${font(variations.bodyFont)}; font-size: ${variations.bodyPt}pt; line-height: 1.5; }`,
    `h2 { font-family: ${font(variations.titleFont)}; }`,
    `table { border-collapse: collapse; margin: 6pt auto; }`,
    `td { border: ${table.borderPt}pt solid #000; padding: ${table.paddingPt}pt; font-family: ${font(table.font)}; font-size: ${table.fontPt}pt; line-height: 1.25;${table.rowHeightPt ? ` height: ${table.rowHeightPt}pt;` : ''} }`,
    `td p { margin: 0; }`,
    `tr:nth-child(-n+2) td { ${table.headerBold ? 'font-weight: bold; ' : ''}${table.headerShade ? `background: rgb(${shade},${shade},${shade}); ` : ''}}`,
    `.prose { column-count: 2; column-gap: 8mm; }`,
    `.closing { margin: 4pt 0; }`,
    // Keep background shading when printing.
    `* { -webkit-print-color-adjust: exact; print-color-adjust: exact; }`,
  ].join('\n');
}
