/** The reports `npm run bench:pipeline` feeds both the pipeline and its in-process baseline. */
import fs from 'node:fs';
import path from 'node:path';

const REPO_ROOT = path.resolve(__dirname, '..');

export interface BenchFile {
  bytes: Buffer;
  fileName: string;
}

/** The five seeds and the HTML layout fixture, each copy made distinct (its own sha256) by a trailing line. */
export function benchCorpus(): Array<(copy: number) => BenchFile> {
  const texts = fs
    .readdirSync(path.join(REPO_ROOT, 'samples'))
    .filter((name) => name.endsWith('.txt'))
    .map((name) => fs.readFileSync(path.join(REPO_ROOT, 'samples', name)));
  const html = fs.readFileSync(path.join(REPO_ROOT, 'test/fixtures/layouts/001-nonzero.html'));
  return [
    ...texts.map((bytes) => (copy: number) => ({ bytes: Buffer.concat([bytes, Buffer.from(`\n副本 ${copy}\n`)]), fileName: `copy-${copy}.txt` })),
    (copy: number) => ({ bytes: Buffer.concat([html, Buffer.from(`\n<!-- 副本 ${copy} -->\n`)]), fileName: `copy-${copy}.html` }),
  ];
}

/** Copy `copy` of the corpus: the makers taken in turn. */
export function benchFile(makers: Array<(copy: number) => BenchFile>, copy: number): BenchFile {
  return makers[((copy % makers.length) + makers.length) % makers.length](copy);
}
