/**
 * Renders fixture pages the ways offices turn them into PDFs and Word files, with Debian's packages:
 * printed from Chromium (`chromium`, with fonts-wqy-microhei for the Chinese) and converted by
 * LibreOffice Writer (`libreoffice-writer-nogui`). Used by the fixture and corpus generators in tools/.
 */
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

/** Headless printing as root on a machine with no network: no sandbox, no GPU, nothing fetched. */
const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-pdf-header-footer', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** Prints each [html, pdf] pair, `parallel` browsers at a time (a few seconds a page each). */
export async function printWithChromium(jobs: Array<[html: string, pdf: string]>, parallel = 1): Promise<void> {
  const run = promisify(execFile);
  const queue = [...jobs];
  const worker = async (): Promise<void> => {
    for (let job = queue.shift(); job; job = queue.shift()) {
      const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'gongkai-chromium-'));
      try {
        await run('chromium', [...CHROMIUM_FLAGS, `--user-data-dir=${profile}`, `--print-to-pdf=${job[1]}`, `file://${path.resolve(job[0])}`]);
      } finally {
        fs.rmSync(profile, { recursive: true, force: true });
      }
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
}

/**
 * One soffice call converting every input into `outDir` (`target` like 'pdf:writer_pdf_Export'); each
 * output is named after its input with the target's extension.
 */
export function convertWithWriter(inputs: string[], target: string, outDir: string, filterArgs: string[] = []): void {
  if (inputs.length === 0) return;
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'gongkai-writer-'));
  try {
    execFileSync('soffice', [`-env:UserInstallation=file://${profile}`, '--headless', ...filterArgs, '--convert-to', target, '--outdir', outDir, ...inputs], { stdio: 'ignore' });
  } finally {
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

/** Where convertWithWriter put the conversion of `input`. */
export function writerOutput(input: string, target: string, outDir: string): string {
  return path.join(outDir, `${path.basename(input, path.extname(input))}.${target.split(':')[0]}`);
}

export const WORD_TARGET = 'docx:MS Word 2007 XML';
export const PDF_TARGET = 'pdf:writer_pdf_Export';
export const HTML_IMPORT = ['--infilter=HTML (StarWriter)'];

/**
 * Web pages opened in Writer, saved as Word, exported to PDF — Writer's HTML import straight to PDF
 * loses the title, so offices go through a document. Returns each page's [docx, pdf] in `outDir`.
 */
export function exportThroughWriter(htmlFiles: string[], outDir: string): Array<[docx: string, pdf: string]> {
  convertWithWriter(htmlFiles, WORD_TARGET, outDir, HTML_IMPORT);
  const documents = htmlFiles.map((html) => writerOutput(html, WORD_TARGET, outDir));
  convertWithWriter(documents, PDF_TARGET, outDir);
  return documents.map((docx) => [docx, writerOutput(docx, PDF_TARGET, outDir)]);
}
