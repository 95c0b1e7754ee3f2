/**
 * The layout fixture (test/fixtures/layouts/001-nonzero.{html,docx}) turned into PDFs the ways offices
 * make them, for test/unit/pdf-variants.test.ts:
 *
 * - chromium.pdf: the web page printed from a browser (Debian's chromium, `--print-to-pdf`);
 * - writer-docx.pdf: the Word file exported by LibreOffice Writer;
 * - writer-html.pdf: the web page opened in Writer, saved as Word, exported to PDF (Writer's HTML
 *   import straight to PDF loses the title, so offices go through a document).
 *
 *   apt-get install chromium fonts-wqy-microhei libreoffice-writer-nogui
 *   npx tsx tools/make-pdf-variants.ts
 *
 * Each generator stamps its own time and version into the PDF, so the outputs are not byte for byte
 * reproducible; the tables they draw are.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const REPO_ROOT = path.resolve(__dirname, '..');
const LAYOUTS = path.join(REPO_ROOT, 'test/fixtures/layouts');
const OUTPUT_DIR = path.join(REPO_ROOT, 'test/fixtures/pdf-variants');

const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-pdf-header-footer', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

function printWithChromium(html: string, output: string): void {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'gongkai-chromium-'));
  try {
    execFileSync('chromium', [...CHROMIUM_FLAGS, `--user-data-dir=${profile}`, `--print-to-pdf=${output}`, `file://${html}`], { stdio: 'ignore' });
  } finally {
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

/** soffice --convert-to into a scratch folder; returns the converted file's path. */
function convertWithWriter(input: string, target: string, scratch: string, filterArgs: string[] = []): string {
  execFileSync('soffice', ['--headless', ...filterArgs, '--convert-to', target, input, '--outdir', scratch], { stdio: 'ignore' });
  const extension = target.split(':')[0];
  return path.join(scratch, `${path.basename(input, path.extname(input))}.${extension}`);
}

function main(): void {
  fs.mkdirSync(OUTPUT_DIR, { recursive: true });
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'gongkai-variants-'));
  try {
    printWithChromium(path.join(LAYOUTS, '001-nonzero.html'), path.join(OUTPUT_DIR, 'chromium.pdf'));
    fs.copyFileSync(convertWithWriter(path.join(LAYOUTS, '001-nonzero.docx'), 'pdf:writer_pdf_Export', scratch), path.join(OUTPUT_DIR, 'writer-docx.pdf'));
    const docx = convertWithWriter(path.join(LAYOUTS, '001-nonzero.html'), 'docx:MS Word 2007 XML', path.join(scratch, 'html'), ['--infilter=HTML (StarWriter)']);
    fs.copyFileSync(convertWithWriter(docx, 'pdf:writer_pdf_Export', path.join(scratch, 'html')), path.join(OUTPUT_DIR, 'writer-html.pdf'));
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  for (const file of fs.readdirSync(OUTPUT_DIR)) console.log(`${file}: ${fs.statSync(path.join(OUTPUT_DIR, file)).size} bytes`);
}

main();
