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
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { convertWithWriter, exportThroughWriter, PDF_TARGET, printWithChromium, writerOutput } from './office-render';

const REPO_ROOT = path.resolve(__dirname, '..');
const LAYOUTS = path.join(REPO_ROOT, 'test/fixtures/layouts');
const OUTPUT_DIR = path.join(REPO_ROOT, 'test/fixtures/pdf-variants');

async function main(): Promise<void> {
  fs.mkdirSync(OUTPUT_DIR, { recursive: true });
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'gongkai-variants-'));
  try {
    await printWithChromium([[path.join(LAYOUTS, '001-nonzero.html'), path.join(OUTPUT_DIR, 'chromium.pdf')]]);
    const docx = path.join(LAYOUTS, '001-nonzero.docx');
    convertWithWriter([docx], PDF_TARGET, scratch);
    fs.copyFileSync(writerOutput(docx, PDF_TARGET, scratch), path.join(OUTPUT_DIR, 'writer-docx.pdf'));
    const [[, pdf]] = exportThroughWriter([path.join(LAYOUTS, '001-nonzero.html')], path.join(scratch, 'html'));
    fs.copyFileSync(pdf, path.join(OUTPUT_DIR, 'writer-html.pdf'));
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  for (const file of fs.readdirSync(OUTPUT_DIR)) console.log(`${file}: ${fs.statSync(path.join(OUTPUT_DIR, file)).size} bytes`);
}

void main();
