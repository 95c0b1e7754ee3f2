/**
 * A corpus of made-up but internally consistent annual reports (2021 and 2019 templates), each
 * printed the ways real reports reach the reader, to measure the reader far beyond the fixtures:
 *
 *   npx tsx tools/make-variation-corpus.ts --seed 1 --count 40 --out /tmp/variations [--formats html,crawled]
 *
 * Each report varies as real offices print them: agency, year and numbers (mostly zeros, some large,
 * every equation of the template holding), fees as decimals, (六)其他处理 sometimes one row, blank or
 * `/` cells, label wording, one-character typos, stray spaces, full- or half-width brackets, group
 * labels in rowspan cells (sometimes one character per line) or repeated on every row, the 勾稽 note,
 * table 二 as one table or four, borders or none, prose with numbers and dates, a wrapped title.
 *
 * Formats, one folder each under --out, every file with its `NAME.truth.json` (the shape of
 * ../shared/corpus/real/; a collapsed group's values under the group key, no sub-rows):
 *
 * - html/        the page (the source of every other format);
 * - chromium/    the page printed by Chromium (needs `chromium` and fonts-wqy-microhei);
 * - writer-docx/ the page saved as Word by LibreOffice Writer (needs `soffice`);
 * - writer-pdf/  that Word file exported to PDF by Writer;
 * - crawled/     a crawler's text: header, separator, the visible text with every line break and cell separator removed;
 * - crawled-spaced/ the same with cell separators kept as spaces or tabs.
 *
 * The same seed and count write the same HTML, text and truth; the PDFs and DOCX carry their
 * converters' timestamps.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { convertWithWriter, HTML_IMPORT, PDF_TARGET, printWithChromium, WORD_TARGET } from './office-render';
import { blocksOf, crawledText, makeReport, pick, Printer, seededRandom, styleOf, toHtml, truthOf } from './variations/report';

const FORMATS = ['html', 'chromium', 'writer-docx', 'writer-pdf', 'crawled', 'crawled-spaced'] as const;
type Format = (typeof FORMATS)[number];

interface Options {
  seed: number;
  count: number;
  out: string;
  formats: Set<Format>;
}

function parseOptions(argv: string[]): Options {
  const value = (flag: string, fallback: string) => {
    const at = argv.indexOf(flag);
    return at >= 0 && argv[at + 1] !== undefined ? argv[at + 1] : fallback;
  };
  const formats = value('--formats', FORMATS.join(',')).split(',');
  for (const format of formats) if (!(FORMATS as readonly string[]).includes(format)) throw new Error(`unknown format ${format}; formats: ${FORMATS.join(', ')}`);
  return { seed: Number(value('--seed', '1')), count: Number(value('--count', '40')), out: path.resolve(value('--out', 'variation-corpus')), formats: new Set(formats as Format[]) };
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const random = seededRandom(options.seed);
  const folder = (format: Format) => path.join(options.out, format);
  for (const format of options.formats) fs.mkdirSync(folder(format), { recursive: true });
  // The HTML every converter reads lives in html/ whether or not that format was asked for.
  fs.mkdirSync(folder('html'), { recursive: true });

  const names: string[] = [];
  for (let index = 0; index < options.count; index++) {
    const report = makeReport(random, index);
    const printer = new Printer(random, styleOf(random));
    const blocks = blocksOf(report, random, printer);
    const truth = `${JSON.stringify(truthOf(report), null, 1)}\n`;
    names.push(report.name);
    fs.writeFileSync(path.join(folder('html'), `${report.name}.html`), toHtml(blocks, printer.style));
    const texts: Partial<Record<Format, string>> = { crawled: crawledText(report, blocks, printer.style, ''), 'crawled-spaced': crawledText(report, blocks, printer.style, pick(random, [' ', '\t'])) };
    for (const [format, text] of Object.entries(texts) as Array<[Format, string]>) if (options.formats.has(format)) fs.writeFileSync(path.join(folder(format), `${report.name}.txt`), text);
    for (const format of options.formats) fs.writeFileSync(path.join(folder(format), `${report.name}.truth.json`), truth);
  }

  const htmlOf = (name: string) => path.join(folder('html'), `${name}.html`);
  if (options.formats.has('chromium')) await printWithChromium(names.map((name) => [htmlOf(name), path.join(folder('chromium'), `${name}.pdf`)]), 2);
  if (options.formats.has('writer-docx') || options.formats.has('writer-pdf')) {
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'gongkai-variations-'));
    try {
      convertWithWriter(names.map(htmlOf), WORD_TARGET, scratch, HTML_IMPORT);
      const docxOf = (name: string) => path.join(scratch, `${name}.docx`);
      if (options.formats.has('writer-pdf')) convertWithWriter(names.map(docxOf), PDF_TARGET, folder('writer-pdf'));
      if (options.formats.has('writer-docx')) for (const name of names) fs.copyFileSync(docxOf(name), path.join(folder('writer-docx'), `${name}.docx`));
    } finally {
      fs.rmSync(scratch, { recursive: true, force: true });
    }
  }
  if (!options.formats.has('html')) for (const name of names) fs.rmSync(htmlOf(name));
  console.log(`${names.length} report(s) × ${[...options.formats].join(', ')} → ${path.relative(process.cwd(), options.out) || '.'}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
