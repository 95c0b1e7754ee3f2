/**
 * Generated scans of made-up annual reports, each named by its seed, to measure OCR far beyond the
 * fixed fixtures (issue 14):
 *
 *   npx tsx tools/make-scan-corpus.ts --seeds 1-20 --out /tmp/scans [--held-out]
 *
 * For each seed S it writes `scan-S.pdf` (or `scan-S.tif`), `scan-S.truth.json` (the shape of
 * ../shared/corpus/real/) and `scan-S.scan.json` (every variation drawn for the file, and the seed).
 * The seed alone decides the report, its print style and every degradation, so `--seeds S` rebuilds a
 * failing file. What varies and the seed ranges (HELD_OUT_SEEDS, CI_SEEDS) are in
 * tools/scan-corpus/plan.ts; held-out seeds are refused without `--held-out`.
 *
 * Needs chromium, poppler-utils (pdftoppm, pdftotext), ImageMagick (TIFF), qpdf (mixed PDFs) and the
 * fonts fonts-arphic-uming, fonts-arphic-ukai, fonts-wqy-microhei. Reports are printed by Chromium in
 * one batch, then rasterised and degraded two seeds at a time, each in its own process.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { printWithChromium } from './office-render';
import { HELD_OUT_SEEDS, isHeldOut, parseSeeds, planScan } from './scan-corpus/plan';
import { renderScan } from './scan-corpus/render';

export interface CorpusOptions {
  seeds: number[];
  out: string;
  heldOut: boolean;
  /** Seeds rendered at once, each in a process of its own. */
  parallel?: number;
}

function argument(argv: string[], flag: string): string | undefined {
  const at = argv.indexOf(flag);
  return at >= 0 ? argv[at + 1] : undefined;
}

/** Refuses held-out seeds unless asked for them, so tuning never sees them by accident. */
export function guardHeldOut(seeds: number[], heldOut: boolean): void {
  const held = seeds.filter(isHeldOut);
  if (held.length > 0 && !heldOut) {
    throw new Error(`seeds ${HELD_OUT_SEEDS.first}–${HELD_OUT_SEEDS.last} are held out for the final measurement (asked for ${held.length} of them); pass --held-out to generate them`);
  }
}

const printedPdfOf = (work: string, seed: number) => path.join(work, `scan-${seed}.printed.pdf`);

/** Plans, prints and renders every seed into `out`; returns the written scan files by seed. */
export async function makeScanCorpus(options: CorpusOptions): Promise<Map<number, string>> {
  guardHeldOut(options.seeds, options.heldOut);
  fs.mkdirSync(options.out, { recursive: true });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'gongkai-scan-corpus-'));
  try {
    const jobs: Array<[string, string]> = [];
    for (const seed of options.seeds) {
      const plan = planScan(seed);
      const html = path.join(work, `scan-${seed}.html`);
      fs.writeFileSync(html, plan.html);
      fs.writeFileSync(path.join(options.out, `scan-${seed}.truth.json`), `${JSON.stringify(plan.truth, null, 1)}\n`);
      jobs.push([html, printedPdfOf(work, seed)]);
    }
    await printWithChromium(jobs, 2);
    const written = new Map<number, string>();
    const queue = [...options.seeds];
    const worker = async (): Promise<void> => {
      for (let seed = queue.shift(); seed !== undefined; seed = queue.shift()) {
        await renderInChild(seed, printedPdfOf(work, seed), options.out);
        written.set(seed, JSON.parse(fs.readFileSync(path.join(options.out, `scan-${seed}.scan.json`), 'utf8')).file);
      }
    };
    await Promise.all(Array.from({ length: options.parallel ?? 2 }, worker));
    return written;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** This file run again in its own process for one seed: rasterising and pixel work are CPU-bound. */
function renderInChild(seed: number, printed: string, out: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, __filename, '--render', String(seed), '--printed', printed, '--out', out], { stdio: 'inherit' });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`rendering seed ${seed} failed (exit ${code})`))));
  });
}

async function renderOne(seed: number, printed: string, out: string): Promise<void> {
  const { variations } = planScan(seed);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), `gongkai-scan-${seed}-`));
  try {
    const result = await renderScan(variations, printed, out, work);
    const description = { ...variations, ...result };
    fs.writeFileSync(path.join(out, `scan-${seed}.scan.json`), `${JSON.stringify(description, null, 1)}\n`);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

async function main(argv: string[]): Promise<void> {
  const render = argument(argv, '--render');
  if (render !== undefined) return renderOne(Number(render), argument(argv, '--printed')!, argument(argv, '--out')!);
  const seedsText = argument(argv, '--seeds');
  if (!seedsText) throw new Error('usage: make-scan-corpus.ts --seeds 1-20 [--out DIR] [--held-out]');
  const seeds = parseSeeds(seedsText);
  const out = path.resolve(argument(argv, '--out') ?? 'scan-corpus');
  const started = Date.now();
  const written = await makeScanCorpus({ seeds, out, heldOut: argv.includes('--held-out') });
  const seconds = (Date.now() - started) / 1000;
  console.log(`${written.size} scan(s) → ${path.relative(process.cwd(), out) || '.'} in ${seconds.toFixed(0)} s (${(seconds / Math.max(1, written.size)).toFixed(1)} s per scan)`);
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
