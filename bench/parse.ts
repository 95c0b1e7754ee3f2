/**
 * Reading time per document, stage by stage (ingest's text extraction, normalize, parse), for the
 * text PDFs offices publish, in this checkout and in any other checkouts named with --baseline (an
 * older commit checked out beside this one), measured in one run on the same files.
 *
 *   npm run bench:parse -- [--repeat 5] [--baseline DIR] [files…]
 *
 * Each checkout runs in its own process, one file at a time, after one unmeasured warm-up read of
 * each file (pdf.js and the reader thread start once). Writes bench/results/parse.{json,md}.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const REPO_ROOT = path.resolve(__dirname, '..');
const REAL_CORPUS = path.resolve(REPO_ROOT, '../shared/corpus/real');
const RESULTS = path.join(REPO_ROOT, 'bench/results');

interface StageTimes {
  ingestMs: number;
  normalizeMs: number;
  parseMs: number;
}

/** Runs inside the measured checkout (argv: checkout, repeat, files…): prints each file's median stage times as JSON. */
const MEASURE = `
const [tree, repeatText, ...files] = process.argv.slice(1);
const fs = require('fs');
const { extractDocument } = require(tree + '/workers/ingest/core');
const { normalizeDocument } = require(tree + '/workers/normalize/core');
const { parseReport } = require(tree + '/workers/parse/core');
const { closePdfReader } = require(tree + '/workers/ingest/pdf');
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
(async () => {
  const results = {};
  for (const file of files) {
    const bytes = fs.readFileSync(file);
    const times = { ingestMs: [], normalizeMs: [], parseMs: [] };
    for (let round = 0; round <= Number(repeatText); round++) {
      let start = process.hrtime.bigint();
      const lap = () => { const now = process.hrtime.bigint(); const ms = Number(now - start) / 1e6; start = now; return ms; };
      const extracted = await extractDocument({ bytes, fileName: file }, { maxPages: 500 });
      const ingestMs = lap();
      const normalized = normalizeDocument(extracted);
      const normalizeMs = lap();
      const parsed = parseReport(normalized, { sha256: '', fileName: file, mediaType: extracted.mediaType, pages: extracted.pages.length, ocrPages: [] });
      const parseMs = lap();
      if (round === 0) { results[file] = { cells: parsed.cells.length }; continue; }
      times.ingestMs.push(ingestMs); times.normalizeMs.push(normalizeMs); times.parseMs.push(parseMs);
    }
    Object.assign(results[file], { ingestMs: median(times.ingestMs), normalizeMs: median(times.normalizeMs), parseMs: median(times.parseMs) });
  }
  await closePdfReader();
  process.stdout.write(JSON.stringify(results));
})();
`;

function measure(tree: string, repeat: number, files: string[]): Record<string, StageTimes & { cells: number }> {
  const output = execFileSync(process.execPath, ['--import', 'tsx', '-e', MEASURE, tree, String(repeat), ...files], { cwd: tree, encoding: 'utf8', maxBuffer: 1 << 24 });
  return JSON.parse(output);
}

function parseArguments(argv: string[]): { repeat: number; baselines: string[]; files: string[] } {
  const options = { repeat: 5, baselines: [] as string[], files: [] as string[] };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--repeat') options.repeat = Number(argv[++i]);
    else if (argv[i] === '--baseline') options.baselines.push(path.resolve(argv[++i]));
    else options.files.push(path.resolve(argv[i]));
  }
  if (options.files.length === 0) {
    options.files.push(path.join(REPO_ROOT, 'samples/001_8775b43b601402e9.pdf'), path.join(REPO_ROOT, 'test/fixtures/pdf-variants/chromium.pdf'));
    if (fs.existsSync(REAL_CORPUS)) options.files.push(...fs.readdirSync(REAL_CORPUS).filter((name) => name.endsWith('.pdf')).map((name) => path.join(REAL_CORPUS, name)));
  }
  return options;
}

function main(): void {
  const { repeat, baselines, files } = parseArguments(process.argv.slice(2));
  const trees = [REPO_ROOT, ...baselines];
  const runs = trees.map((tree) => ({ tree, results: measure(tree, repeat, files) }));
  const total = (times: StageTimes) => times.ingestMs + times.normalizeMs + times.parseMs;
  const lines = [
    `# Reading time per text PDF (median of ${repeat}, ms)`,
    '',
    `Measured ${new Date().toISOString()} with \`npm run bench:parse -- --repeat ${repeat}${baselines.map((tree) => ` --baseline ${path.relative(REPO_ROOT, tree) || '.'}`).join('')}\`.`,
    '',
    '| file | checkout | cells | ingest | normalize | parse | total | total vs this checkout |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const file of files) {
    const current = runs[0].results[file];
    for (const { tree, results } of runs) {
      const times = results[file];
      const ratio = (total(times) / total(current)).toFixed(2);
      lines.push(`| ${path.basename(file)} | ${tree === REPO_ROOT ? 'this' : path.basename(tree)} | ${times.cells} | ${times.ingestMs.toFixed(1)} | ${times.normalizeMs.toFixed(1)} | ${times.parseMs.toFixed(1)} | ${total(times).toFixed(1)} | ${ratio} |`);
    }
  }
  fs.mkdirSync(RESULTS, { recursive: true });
  fs.writeFileSync(path.join(RESULTS, 'parse.json'), `${JSON.stringify({ repeat, runs: runs.map(({ tree, results }) => ({ tree: path.relative(REPO_ROOT, tree) || '.', results: Object.fromEntries(Object.entries(results).map(([file, times]) => [path.relative(REPO_ROOT, file), times])) })) }, null, 2)}\n`);
  fs.writeFileSync(path.join(RESULTS, 'parse.md'), `${lines.join('\n')}\n`);
  console.log(lines.join('\n'));
}

main();
