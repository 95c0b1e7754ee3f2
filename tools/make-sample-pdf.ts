/**
 * Renders seed 001 (a tab-separated text report) as a text-layer PDF the way a government office's
 * word processor would: wrapped paragraphs and ruled tables, A4, CJK font embedded.
 *
 *   npx tsx tools/make-sample-pdf.ts
 *
 * The output is byte-for-byte reproducible (see tools/scan-fixtures/report-pdf.ts, which the scan
 * fixtures share).
 */
import fs from 'node:fs';
import path from 'node:path';
import { readTabBlocks, renderReport } from './scan-fixtures/report-pdf';

const REPO_ROOT = path.resolve(__dirname, '..');
const SEED_PATH = path.join(REPO_ROOT, 'samples/001_8775b43b601402e9.txt');
const OUTPUT_PATH = path.join(REPO_ROOT, 'samples/001_8775b43b601402e9.pdf');

async function main(): Promise<void> {
  const { pdf, pageCount } = await renderReport(readTabBlocks(fs.readFileSync(SEED_PATH, 'utf8')), 'gongkai tools/make-sample-pdf.ts');
  fs.writeFileSync(OUTPUT_PATH, pdf);
  console.log(`${path.relative(REPO_ROOT, OUTPUT_PATH)}: ${pageCount} pages, ${pdf.length} bytes`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
