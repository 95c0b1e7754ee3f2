/**
 * The report of test/fixtures/parse/001-nonzero.txt in the other formats offices send, for
 * test/unit/formats.test.ts and test/integration/layouts.test.ts:
 *
 * - 001-nonzero.ofd: an OFD (GB/T 33190) laid out on A4 pages like a word processor's export: prose
 *   wrapped at the margins, the tables drawn as bordered cells (PathObjects) with their text as
 *   positioned TextObjects in millimetres, long labels wrapped inside their cells, a group label
 *   (三、本年度办理结果) centred in one cell spanning its rows, tables continued over page breaks, and
 *   the title placed through a CTM as producers that measure fonts in points do;
 * - 001-nonzero.doc: test/fixtures/layouts/001-nonzero.docx saved as Word 97-2003 by LibreOffice;
 * - 001-nonzero.wps: the .doc's streams written into a new compound file (so its bytes, and its
 *   sha256, differ) under WPS Writer's extension. WPS Writer saves .wps with Word 97's WordDocument
 *   stream, which is what the reader reads; no Kingsoft-written file could be made here, so this one
 *   stands for it.
 *
 *   npx tsx tools/make-format-fixtures.ts        (needs `soffice` on the PATH for the .doc)
 *
 * The OFD is reproducible byte for byte; the .doc is not, because LibreOffice stamps the time into it.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import CFB from 'cfb';
import { strToU8, zipSync } from 'fflate';

const REPO_ROOT = path.resolve(__dirname, '..');
const SOURCE_PATH = path.join(REPO_ROOT, 'test/fixtures/parse/001-nonzero.txt');
const DOCX_PATH = path.join(REPO_ROOT, 'test/fixtures/layouts/001-nonzero.docx');
const OUTPUT_DIR = path.join(REPO_ROOT, 'test/fixtures/formats');

const OFD_NAMESPACE = 'http://www.ofdspec.org/2016';
/** A fixed time in the zip entries, so the OFD is reproducible. */
const FIXED_DATE = new Date('2022-01-20T08:00:00Z');

// ---------------------------------------------------------------------------------------------
// OFD packaging: any list of page bodies (the XML inside <ofd:Content>) → an .ofd file.

export interface OfdPageSpec {
  /** Text and path objects, as XML, for the page's one body layer. */
  objects: string;
  width?: number;
  height?: number;
}

export const escapeXml = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const xmlPart = (body: string): Uint8Array => strToU8(`<?xml version="1.0" encoding="UTF-8"?>\n${body}\n`);

/** A complete OFD package: OFD.xml → Doc_0/Document.xml → Doc_0/Pages/Page_N/Content.xml, fonts in PublicRes.xml. */
export function ofdPackage(pages: OfdPageSpec[]): Buffer {
  const files: Record<string, Uint8Array> = {
    'OFD.xml': xmlPart(
      `<ofd:OFD xmlns:ofd="${OFD_NAMESPACE}" Version="1.0" DocType="OFD"><ofd:DocBody><ofd:DocInfo><ofd:DocID>gongkai-fixture</ofd:DocID><ofd:Creator>gongkai tools/make-format-fixtures.ts</ofd:Creator></ofd:DocInfo><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>`,
    ),
    'Doc_0/Document.xml': xmlPart(
      `<ofd:Document xmlns:ofd="${OFD_NAMESPACE}"><ofd:CommonData><ofd:MaxUnitID>1</ofd:MaxUnitID><ofd:PageArea><ofd:PhysicalBox>0 0 210 297</ofd:PhysicalBox></ofd:PageArea><ofd:PublicRes>PublicRes.xml</ofd:PublicRes></ofd:CommonData><ofd:Pages>${pages
        .map((_, index) => `<ofd:Page ID="${index + 2}" BaseLoc="Pages/Page_${index}/Content.xml"/>`)
        .join('')}</ofd:Pages></ofd:Document>`,
    ),
    'Doc_0/PublicRes.xml': xmlPart(
      `<ofd:Res xmlns:ofd="${OFD_NAMESPACE}" BaseLoc="Res"><ofd:Fonts><ofd:Font ID="1" FontName="宋体" FamilyName="宋体"/></ofd:Fonts></ofd:Res>`,
    ),
  };
  pages.forEach((page, index) => {
    const area = page.width !== undefined ? `<ofd:Area><ofd:PhysicalBox>0 0 ${page.width} ${page.height ?? 297}</ofd:PhysicalBox></ofd:Area>` : '';
    files[`Doc_0/Pages/Page_${index}/Content.xml`] = xmlPart(
      `<ofd:Page xmlns:ofd="${OFD_NAMESPACE}">${area}<ofd:Content><ofd:Layer ID="${1000 + index}" Type="Body">${page.objects}</ofd:Layer></ofd:Content></ofd:Page>`,
    );
  });
  return Buffer.from(zipSync(files, { mtime: FIXED_DATE, level: 9 }));
}

const round = (value: number): number => Math.round(value * 1000) / 1000;

/** A glyph's advance in a font of the given size: CJK full width, Latin half. */
const glyphWidth = (glyph: string, size: number): number => (/[\u0000-\u02ff]/.test(glyph) ? size / 2 : size);

/** DeltaX with runs of one advance written as 'g count advance', as producers write it. */
function deltaX(glyphs: string[], size: number): string {
  const advances = glyphs.slice(0, -1).map((glyph) => round(glyphWidth(glyph, size)));
  const tokens: string[] = [];
  for (let index = 0; index < advances.length; ) {
    let end = index;
    while (end < advances.length && advances[end] === advances[index]) end++;
    tokens.push(end - index > 2 ? `g ${end - index} ${advances[index]}` : advances.slice(index, end).join(' '));
    index = end;
  }
  return tokens.join(' ');
}

let nextId = 10;

/** One line of text with its top-left at (x, y) mm; `pointScale` draws it through a CTM with the size in points. */
export function textObject(text: string, x: number, y: number, size: number, pointScale = false): string {
  const glyphs = [...text];
  const width = glyphs.reduce((sum, glyph) => sum + glyphWidth(glyph, size), 0);
  const baseline = round(size * 0.88);
  const boundary = `${round(x)} ${round(y)} ${round(width)} ${round(size)}`;
  if (pointScale) {
    const mmPerPoint = 25.4 / 72;
    const sizeInPoints = round(size / mmPerPoint);
    return `<ofd:TextObject ID="${nextId++}" Boundary="${boundary}" Font="1" Size="${sizeInPoints}" CTM="${round(mmPerPoint)} 0 0 ${round(mmPerPoint)} 0 0"><ofd:TextCode X="0" Y="${round(baseline / mmPerPoint)}" DeltaX="${deltaX(glyphs, sizeInPoints)}">${escapeXml(text)}</ofd:TextCode></ofd:TextObject>`;
  }
  return `<ofd:TextObject ID="${nextId++}" Boundary="${boundary}" Font="1" Size="${size}"><ofd:TextCode X="0" Y="${baseline}" DeltaX="${deltaX(glyphs, size)}">${escapeXml(text)}</ofd:TextCode></ofd:TextObject>`;
}

/** A stroked rectangle (a cell's border) in page millimetres. */
export function rectangleObject(x: number, y: number, width: number, height: number): string {
  const [w, h] = [round(width), round(height)];
  return `<ofd:PathObject ID="${nextId++}" Boundary="${round(x)} ${round(y)} ${w} ${h}" LineWidth="0.25"><ofd:AbbreviatedData>M 0 0 L ${w} 0 L ${w} ${h} L 0 ${h} C</ofd:AbbreviatedData></ofd:PathObject>`;
}

// ---------------------------------------------------------------------------------------------
// Laying the text fixture out on A4 pages.

const PAGE = { width: 210, height: 297, margin: 20 };
const BODY_SIZE = 3.5;
const TITLE_SIZE = 5;
const CELL_SIZE = 3;
const LINE_GAP = 1.6;
const CELL_PADDING = 1;
/** Column widths never go below this, so a narrow column's label wraps as in a real form. */
const MIN_COLUMN = 9;
const MAX_COLUMN = 34;

/** Splits text into lines no wider than `width` mm. */
function wrap(text: string, width: number, size: number): string[] {
  const lines: string[] = [];
  let line = '';
  let used = 0;
  for (const glyph of text) {
    const advance = glyphWidth(glyph, size);
    if (used + advance > width && line !== '') {
      lines.push(line);
      line = '';
      used = 0;
    }
    line += glyph;
    used += advance;
  }
  if (line !== '') lines.push(line);
  return lines;
}

class PageWriter {
  readonly pages: OfdPageSpec[] = [];
  private objects: string[] = [];
  y = PAGE.margin;

  ensureRoom(height: number): boolean {
    if (this.y + height <= PAGE.height - PAGE.margin) return false;
    this.newPage();
    return true;
  }

  newPage(): void {
    this.pages.push({ objects: this.objects.join('') });
    this.objects = [];
    this.y = PAGE.margin;
  }

  add(object: string): void {
    this.objects.push(object);
  }

  finish(): OfdPageSpec[] {
    if (this.objects.length > 0) this.newPage();
    return this.pages;
  }
}

function writeParagraph(writer: PageWriter, text: string, size: number, options: { centred?: boolean; pointScale?: boolean } = {}): void {
  const usable = PAGE.width - 2 * PAGE.margin;
  for (const line of wrap(text, usable, size)) {
    writer.ensureRoom(size + LINE_GAP);
    const width = [...line].reduce((sum, glyph) => sum + glyphWidth(glyph, size), 0);
    const x = options.centred ? (PAGE.width - width) / 2 : PAGE.margin;
    writer.add(textObject(line, x, writer.y, size, options.pointScale));
    writer.y += size + LINE_GAP;
  }
  writer.y += LINE_GAP;
}

/**
 * A table from tab-separated rows: one column per cell position, each cell bordered; a row's leading
 * empty cells belong to the cell above (a group label spanning rows, as the official form draws it).
 */
function writeTable(writer: PageWriter, rows: string[][]): void {
  const columnCount = Math.max(...rows.map((row) => row.length));
  const grid = rows.map((row) => Array.from({ length: columnCount }, (_, column) => (row[column] ?? '').trim()));
  const widest = Array.from({ length: columnCount }, (_, column) =>
    Math.max(...grid.map((row) => [...row[column]].reduce((sum, glyph) => sum + glyphWidth(glyph, CELL_SIZE), 0))),
  );
  const usable = PAGE.width - 2 * PAGE.margin;
  const wanted = widest.map((width) => Math.min(MAX_COLUMN, Math.max(MIN_COLUMN, width + 2 * CELL_PADDING)));
  const scale = Math.min(1, usable / wanted.reduce((sum, width) => sum + width, 0));
  const widths = wanted.map((width) => width * scale);
  const lefts = widths.map((_, column) => PAGE.margin + widths.slice(0, column).reduce((sum, width) => sum + width, 0));

  // Which cells continue the one above: the leading empty cells of every row but the first.
  const continues = grid.map((row, rowIndex) => {
    const firstFilled = row.findIndex((text) => text !== '');
    return row.map((_, column) => rowIndex > 0 && (firstFilled === -1 || column < firstFilled));
  });
  const lines = grid.map((row) => row.map((text, column) => (text === '' ? [] : wrap(text, widths[column] - 2 * CELL_PADDING, CELL_SIZE))));
  const heights = lines.map((row) => Math.max(1, ...row.map((cellLines) => cellLines.length)) * (CELL_SIZE + 1) + 2 * CELL_PADDING);

  // Cells drawn once their span ends (at the last row it covers, or at a page break).
  const open: Array<{ top: number; text: string[] } | null> = Array.from({ length: columnCount }, () => null);
  const tops: number[] = [];
  const closeCell = (column: number, bottom: number): void => {
    const cell = open[column];
    if (!cell) return;
    writer.add(rectangleObject(lefts[column], cell.top, widths[column], bottom - cell.top));
    const textHeight = cell.text.length * (CELL_SIZE + 1) - 1;
    let y = cell.top + (bottom - cell.top - textHeight) / 2;
    for (const line of cell.text) {
      writer.add(textObject(line, lefts[column] + CELL_PADDING, y, CELL_SIZE));
      y += CELL_SIZE + 1;
    }
    open[column] = null;
  };
  grid.forEach((_, rowIndex) => {
    if (writer.y + heights[rowIndex] > PAGE.height - PAGE.margin) {
      open.forEach((__, column) => closeCell(column, writer.y));
      writer.newPage();
    }
    tops[rowIndex] = writer.y;
    for (let column = 0; column < columnCount; column++) {
      if (continues[rowIndex][column] && open[column]) continue;
      closeCell(column, writer.y);
      open[column] = { top: writer.y, text: lines[rowIndex][column] };
    }
    writer.y += heights[rowIndex];
  });
  open.forEach((_, column) => closeCell(column, writer.y));
  writer.y += 2 * LINE_GAP;
}

export function reportOfd(sourceText: string): Buffer {
  nextId = 10;
  const writer = new PageWriter();
  const lines = sourceText.replace(/\r\n?/g, '\n').split('\n');
  let titleWritten = false;
  for (let index = 0; index < lines.length; ) {
    if (lines[index].includes('\t')) {
      const rows: string[][] = [];
      while (index < lines.length && lines[index].includes('\t')) rows.push(lines[index++].split('\t'));
      writeTable(writer, rows);
      continue;
    }
    const line = lines[index++].trim();
    if (line === '') continue;
    if (!titleWritten) {
      writeParagraph(writer, line, TITLE_SIZE, { centred: true, pointScale: true });
      titleWritten = true;
    } else writeParagraph(writer, line, BODY_SIZE);
  }
  return ofdPackage(writer.finish());
}

// ---------------------------------------------------------------------------------------------

function wordBinaryFromDocx(): Buffer {
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gongkai-doc-'));
  try {
    execFileSync('soffice', ['--headless', `-env:UserInstallation=file://${workDir}/profile`, '--convert-to', 'doc', '--outdir', workDir, DOCX_PATH], { stdio: 'ignore', timeout: 120_000 });
    return fs.readFileSync(path.join(workDir, '001-nonzero.doc'));
  } finally {
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

function main(): void {
  fs.mkdirSync(OUTPUT_DIR, { recursive: true });
  const outputs: Array<[string, Buffer]> = [['001-nonzero.ofd', reportOfd(fs.readFileSync(SOURCE_PATH, 'utf8'))]];
  const doc = wordBinaryFromDocx();
  const wps = Buffer.from(CFB.write(CFB.read(doc, { type: 'buffer' }), { type: 'buffer' }) as Uint8Array);
  outputs.push(['001-nonzero.doc', doc], ['001-nonzero.wps', wps]);
  for (const [name, bytes] of outputs) {
    fs.writeFileSync(path.join(OUTPUT_DIR, name), bytes);
    console.log(`${name.padEnd(18)} ${String(bytes.length).padStart(8)} B`);
  }
}

if (require.main === module) main();
