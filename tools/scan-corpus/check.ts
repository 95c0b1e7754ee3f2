/**
 * `npm run check:scans -- [--seeds A-B] [--held-out] [--keep DIR] [--reuse] [--out FILE] [--min-accuracy 99.5]`
 *
 * Generates the seeds' scans (tools/make-scan-corpus.ts) into a temporary folder (or --keep DIR), reads
 * them with `gongkai check DIR --json` — the same stage cores, OCR and scoring — and summarises: values
 * right, wrong but flagged, wrong and silent, template tables missing, one line per file with its seed,
 * and a breakdown by each variation (dpi, turn, seal, font…) so what fails shows. Writes FILE.md and
 * FILE.json (bench/results/scan-check by default). Exit code 1 when a wrong value carries no finding, a
 * file cannot be read, or the share of right values is below --min-accuracy (percent).
 *
 * --reuse (with --keep) reads the scans already in DIR instead of generating them again. Without
 * --seeds, the CI seeds of plan.ts are checked.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { guardHeldOut, makeScanCorpus } from '../make-scan-corpus';
import { CI_SEEDS, HELD_OUT_SEEDS, parseSeeds, type ScanVariations } from './plan';

const REPO_ROOT = path.resolve(__dirname, '../..');
const TEMPLATE_TABLES = ['active', 'applications', 'reviewLitigation'] as const;

interface WrongValue {
  key: string;
  expected: number | string | null;
  got?: number | string | null;
  verdict: 'flagged' | 'silent';
}

/** One file of `gongkai check --json` (cli/check.ts summarizeForJson). */
interface CheckedFile {
  file: string;
  parseMs: number;
  error?: { code: string | null; message: string };
  template?: string | null;
  tables?: string[];
  findings?: Record<string, number>;
  truth?: { file: string; error?: string; right?: number; flagged?: number; silent?: number; wrong?: WrongValue[]; metaMismatches?: unknown[] };
}

interface FileResult {
  seed: number;
  file: string;
  pageCount: number;
  scannedPages: number[];
  values: number;
  right: number;
  flagged: number;
  silent: number;
  missingTables: string[];
  error: string | null;
  parseMs: number;
  wrong: WrongValue[];
  variations: ScanVariations;
}

interface Tally {
  files: number;
  values: number;
  right: number;
  flagged: number;
  silent: number;
  missingTables: number;
  unreadable: number;
}

const emptyTally = (): Tally => ({ files: 0, values: 0, right: 0, flagged: 0, silent: 0, missingTables: 0, unreadable: 0 });

function add(tally: Tally, result: FileResult): void {
  tally.files++;
  tally.values += result.values;
  tally.right += result.right;
  tally.flagged += result.flagged;
  tally.silent += result.silent;
  tally.missingTables += result.missingTables.length;
  if (result.error) tally.unreadable++;
}

const accuracy = (tally: Pick<Tally, 'right' | 'values'>): number => (tally.values === 0 ? 0 : (100 * tally.right) / tally.values);

const bucket = (value: number, edges: number[], labels: string[]): string => labels[edges.findIndex((edge) => value < edge)] ?? labels[labels.length - 1];

/** The variations a result is grouped by: each dimension → this file's value. */
function dimensions(result: FileResult): Record<string, string> {
  const v = result.variations;
  const scanned = new Set(result.scannedPages.map((page) => page - 1));
  const pages = v.pages.slice(0, result.pageCount).filter((_, index) => scanned.has(index));
  const maxSkew = Math.max(0, ...pages.map((page) => Math.abs(page.skewDegrees)));
  const turns = [...new Set(pages.map((page) => page.quarterTurns * 90).filter((degrees) => degrees !== 0))];
  return {
    template: v.template,
    container: v.container,
    encoding: v.encoding,
    dpi: String(v.dpi),
    'jpeg quality': v.jpegQuality === null ? 'bilevel' : bucket(v.jpegQuality, [50, 70, 91], ['35–49', '50–69', '70–90']),
    'turned pages': turns.length === 0 ? 'none' : turns.sort().join('+'),
    'max skew': bucket(maxSkew, [1, 2, 3.01], ['<1°', '1–2°', '2–3°']),
    seal: v.seal?.over ?? 'none',
    stroke: v.stroke?.colour ?? 'none',
    'table font': v.table.font,
    'table font pt': String(v.table.fontPt),
    'cell padding pt': String(v.table.paddingPt),
    'rule pt': String(v.table.borderPt),
    'header shaded': v.table.headerShade > 0 ? 'yes' : 'no',
    blur: String(v.blurPasses),
    'uneven light': v.light ? 'yes' : 'no',
    'two-column prose': v.twoColumnProse ? 'yes' : 'no',
  };
}

function runGongkaiCheck(folder: string): Promise<{ files: CheckedFile[]; exitCode: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin/gongkai.js'), 'check', folder, '--json'], { stdio: ['ignore', 'pipe', 'inherit'], cwd: REPO_ROOT });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.on('error', reject);
    child.on('exit', (code) => {
      const stdout = Buffer.concat(chunks).toString('utf8');
      // The JSON document is the last thing printed; anything a library logs before it is passed over.
      const start = stdout.search(/^\{$/m);
      if (start < 0) return reject(new Error(`gongkai check printed no JSON (exit ${code}):\n${stdout.slice(-2000)}`));
      resolve({ files: (JSON.parse(stdout.slice(start)) as { files: CheckedFile[] }).files, exitCode: code ?? 1 });
    });
  });
}

function resultOf(checked: CheckedFile, folder: string): FileResult {
  const seed = Number(/^scan-(\d+)\./.exec(checked.file)![1]);
  const description = JSON.parse(fs.readFileSync(path.join(folder, `scan-${seed}.scan.json`), 'utf8')) as ScanVariations & { file: string; pageCount: number; scannedPages: number[] };
  const truth = JSON.parse(fs.readFileSync(path.join(folder, `scan-${seed}.truth.json`), 'utf8')) as { tables: Record<string, unknown> };
  const score = checked.truth;
  const values = (score?.right ?? 0) + (score?.flagged ?? 0) + (score?.silent ?? 0);
  const expectedValues = countLeaves(truth.tables);
  const error = checked.error ? `${checked.error.code ?? 'ERROR'}: ${checked.error.message}` : (score?.error ?? null);
  return {
    seed,
    file: checked.file,
    pageCount: description.pageCount,
    scannedPages: description.scannedPages,
    // An unreadable file scores every truth value as wrong and unflagged.
    values: error ? expectedValues : values,
    right: score?.right ?? 0,
    flagged: score?.flagged ?? 0,
    silent: error ? expectedValues : (score?.silent ?? 0),
    missingTables: TEMPLATE_TABLES.filter((table) => truth.tables[table] !== undefined && !(checked.tables ?? []).includes(table)),
    error,
    parseMs: checked.parseMs,
    wrong: score?.wrong ?? [],
    variations: description,
  };
}

function countLeaves(node: unknown): number {
  if (node === null || typeof node !== 'object') return 1;
  return Object.values(node).reduce((sum: number, child) => sum + countLeaves(child), 0);
}

const percent = (value: number) => `${value.toFixed(2)}%`;

function variationLine(result: FileResult): string {
  const v = result.variations;
  const turns = result.scannedPages.map((page) => (v.pages[page - 1].quarterTurns ? `p${page}:${v.pages[page - 1].quarterTurns * 90}°` : '')).filter(Boolean);
  return [
    v.template,
    v.container,
    v.encoding + (v.jpegQuality ? ` q${v.jpegQuality}` : ''),
    `${v.dpi} dpi`,
    `font ${v.table.font} ${v.table.fontPt}pt`,
    `pad ${v.table.paddingPt}pt`,
    v.seal ? `seal over ${v.seal.over}` : '',
    v.stroke ? `${v.stroke.colour} stroke` : '',
    turns.length ? `turned ${turns.join(' ')}` : '',
    v.blurPasses ? `blur ${v.blurPasses}` : '',
    v.light ? 'uneven light' : '',
    v.twoColumnProse ? 'two-column' : '',
  ]
    .filter(Boolean)
    .join(', ');
}

const formatLeaf = (value: WrongValue['got']): string => (value === undefined ? '(none)' : value === null ? 'blank' : String(value));

function markdown(results: FileResult[], total: Tally, breakdown: Record<string, Record<string, Tally>>, header: string): string {
  const lines = [
    '# Generated-scan check (`npm run check:scans`)',
    '',
    header,
    '',
    `**${total.values} values: ${total.right} right (${percent(accuracy(total))}), ${total.flagged} wrong but flagged, ${total.silent} wrong and silent; ${total.missingTables} template table(s) missing; ${total.unreadable} file(s) unreadable.**`,
    '',
    '| seed | file | pages (scanned) | right / values | flagged | silent | missing tables | ms | variations |',
    '|---|---|---|---|---|---|---|---|---|',
    ...results.map(
      (r) =>
        `| ${r.seed} | ${r.file} | ${r.pageCount} (${r.scannedPages.join(',')}) | ${r.right} / ${r.values} (${percent(accuracy(r))}) | ${r.flagged} | ${r.silent} | ${r.missingTables.join(' ') || '-'} | ${r.parseMs} | ${variationLine(r)}${r.error ? ` — **${r.error.replace(/\|/g, '/')}**` : ''} |`,
    ),
    '',
    '## By variation',
    '',
    '| variation | value | files | values | right | flagged | silent | missing tables |',
    '|---|---|---|---|---|---|---|---|',
    ...Object.entries(breakdown).flatMap(([dimension, groups]) =>
      Object.entries(groups)
        .sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true }))
        .map(([value, t]) => `| ${dimension} | ${value} | ${t.files} | ${t.values} | ${percent(accuracy(t))} | ${t.flagged} | ${t.silent} | ${t.missingTables} |`),
    ),
    '',
    '## Wrong values',
    '',
  ];
  for (const r of results.filter((result) => result.wrong.length > 0 || result.error)) {
    lines.push(`- seed ${r.seed} (${r.file}): ${r.error ?? `${r.flagged} flagged, ${r.silent} silent`}`);
    for (const value of r.wrong.slice(0, 12)) lines.push(`  - ${value.verdict} \`${value.key}\`: expected ${formatLeaf(value.expected)}, got ${formatLeaf(value.got)}`);
    if (r.wrong.length > 12) lines.push(`  - … ${r.wrong.length - 12} more in the JSON`);
  }
  lines.push('', `Rebuild a file: \`npx tsx tools/make-scan-corpus.ts --seeds SEED --out DIR\`.`, '');
  return lines.join('\n');
}

function argument(argv: string[], flag: string): string | undefined {
  const at = argv.indexOf(flag);
  return at >= 0 ? argv[at + 1] : undefined;
}

async function main(argv: string[]): Promise<number> {
  const seedsText = argument(argv, '--seeds') ?? CI_SEEDS.join(',');
  const seeds = parseSeeds(seedsText);
  const heldOut = argv.includes('--held-out');
  guardHeldOut(seeds, heldOut);
  const minAccuracy = Number(argument(argv, '--min-accuracy') ?? '99.5');
  const outBase = path.resolve(argument(argv, '--out') ?? path.join(REPO_ROOT, 'bench/results/scan-check')).replace(/\.(md|json)$/, '');
  const keep = argument(argv, '--keep');
  const folder = keep ? path.resolve(keep) : fs.mkdtempSync(path.join(os.tmpdir(), 'gongkai-scan-check-'));
  const started = Date.now();
  try {
    const reuse = argv.includes('--reuse') && keep !== undefined;
    const missing = reuse ? seeds.filter((seed) => !fs.existsSync(path.join(folder, `scan-${seed}.scan.json`))) : seeds;
    if (missing.length > 0) await makeScanCorpus({ seeds: missing, out: folder, heldOut });
    const generatedS = (Date.now() - started) / 1000;
    // Only the asked seeds are checked: a kept folder may hold others.
    const checkFolder = fs.mkdtempSync(path.join(os.tmpdir(), 'gongkai-scan-check-set-'));
    try {
      for (const seed of seeds) {
        for (const name of fs.readdirSync(folder).filter((entry) => entry.startsWith(`scan-${seed}.`))) fs.copyFileSync(path.join(folder, name), path.join(checkFolder, name));
      }
      const { files } = await runGongkaiCheck(checkFolder);
      const results = files.filter((file) => /^scan-\d+\.(pdf|tif)$/.test(file.file)).map((file) => resultOf(file, folder)).sort((a, b) => a.seed - b.seed);
      const total = emptyTally();
      const breakdown: Record<string, Record<string, Tally>> = {};
      for (const result of results) {
        add(total, result);
        for (const [dimension, value] of Object.entries(dimensions(result))) add(((breakdown[dimension] ??= {})[value] ??= emptyTally()), result);
      }
      const seconds = (Date.now() - started) / 1000;
      const header =
        `${new Date().toISOString()} · seeds ${seedsText}${heldOut ? ' (held out)' : ''} · ${results.length} scans · generated in ${generatedS.toFixed(0)} s, checked in ${(seconds - generatedS).toFixed(0)} s · ` +
        `\`npm run check:scans -- ${argv.join(' ')}\``;
      fs.mkdirSync(path.dirname(outBase), { recursive: true });
      fs.writeFileSync(`${outBase}.md`, markdown(results, total, breakdown, header));
      fs.writeFileSync(`${outBase}.json`, `${JSON.stringify({ seeds: seedsText, heldOut, heldOutRange: HELD_OUT_SEEDS, total, accuracy: accuracy(total), breakdown, files: results }, null, 1)}\n`);
      for (const result of results) {
        console.log(`seed ${String(result.seed).padStart(6)}  ${result.right}/${result.values} right, ${result.flagged} flagged, ${result.silent} silent${result.missingTables.length ? `, missing ${result.missingTables.join(' ')}` : ''}${result.error ? `, ${result.error}` : ''}  [${variationLine(result)}]`);
      }
      console.log(
        `\n${results.length} scans, ${total.values} values: ${total.right} right (${percent(accuracy(total))}), ${total.flagged} flagged, ${total.silent} silent, ` +
          `${total.missingTables} table(s) missing, ${total.unreadable} unreadable; ${seconds.toFixed(0)} s → ${path.relative(process.cwd(), outBase)}.md/.json`,
      );
      const failures = [
        total.silent > 0 ? `${total.silent} wrong value(s) without a finding` : '',
        total.unreadable > 0 ? `${total.unreadable} file(s) unreadable` : '',
        accuracy(total) < minAccuracy ? `accuracy ${percent(accuracy(total))} below ${minAccuracy}%` : '',
        results.length < seeds.length ? `${seeds.length - results.length} scan(s) not checked` : '',
      ].filter(Boolean);
      if (failures.length > 0) console.log(`FAIL: ${failures.join('; ')}`);
      return failures.length > 0 ? 1 : 0;
    } finally {
      fs.rmSync(checkFolder, { recursive: true, force: true });
    }
  } finally {
    if (!keep) fs.rmSync(folder, { recursive: true, force: true });
  }
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  },
);
