/**
 * Child process of `npm run bench:ocr` (bench/ocr.ts): one "OCR worker" as the pipeline runs it — one
 * process with its own TesseractPool — reading the pages the parent hands it over IPC, the way a
 * queue worker takes jobs. Each page goes through `readScannedPage` (workers/ocr/scanned-page.ts), the
 * ocr-page job's own path: the page image from the original file (`pdfPageImages` / `rasterImage`), then
 * `ocrPage`. The source file is read once per process (the job reads it from the blob store). The child
 * reports per-page times and text,
 * and on exit its own peak RSS (VmHWM of /proc/self/status, which covers the tesseract.js threads).
 *
 * Not run by hand: bench/ocr.ts forks it with `--require tsx/cjs`.
 */
import fs from 'node:fs';
import { closePdfImageReader } from '../workers/ocr/page-image';
import { readScannedPage } from '../workers/ocr/scanned-page';
import { TesseractPool } from '../workers/ocr/tesseract-pool';

const MEDIA_TYPES = { pdf: 'application/pdf', tiff: 'image/tiff' } as const;

export interface WorkerConfig {
  poolSize: number;
}

export interface PageJob {
  id: number;
  /** Absolute path of the fixture. */
  file: string;
  format: 'pdf' | 'tiff';
  /** 1-based page (PDF page or TIFF frame). */
  page: number;
}

export type ParentMessage = { type: 'page'; job: PageJob } | { type: 'exit' };

export type ChildMessage =
  | { type: 'ready'; startMs: number }
  | { type: 'done'; id: number; ms: number; cpuMs: number; text: string; rotation: number; skewDegrees: number }
  | { type: 'failed'; id: number; message: string }
  | { type: 'stats'; peakRssKb: number; rssKb: number };

const send = (message: ChildMessage): void => {
  process.send?.(message);
};

function procStatusKb(field: 'VmHWM' | 'VmRSS'): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(fs.readFileSync('/proc/self/status', 'utf8'));
  return match ? Number(match[1]) : 0;
}

const processCpuMs = (): number => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
};

const sources = new Map<string, Buffer>();
function sourceBytes(file: string): Buffer {
  let bytes = sources.get(file);
  if (bytes === undefined) {
    bytes = fs.readFileSync(file);
    sources.set(file, bytes);
  }
  return bytes;
}

async function main(): Promise<void> {
  const config = JSON.parse(process.argv[2] ?? '{}') as WorkerConfig;
  const started = process.hrtime.bigint();
  const pool = await TesseractPool.create({ size: config.poolSize });
  send({ type: 'ready', startMs: Number(process.hrtime.bigint() - started) / 1e6 });

  const read = async (job: PageJob): Promise<void> => {
    try {
      const t0 = process.hrtime.bigint();
      const result = await readScannedPage(sourceBytes(job.file), MEDIA_TYPES[job.format], job.page, pool);
      send({
        type: 'done',
        id: job.id,
        ms: Number(process.hrtime.bigint() - t0) / 1e6,
        // The whole process so far (all threads: tesseract.js, image thread, libvips); the parent takes differences.
        cpuMs: processCpuMs(),
        text: result.text,
        rotation: result.ocr.rotation,
        skewDegrees: result.ocr.skewDegrees,
      });
    } catch (error) {
      send({ type: 'failed', id: job.id, message: error instanceof Error ? error.message : String(error) });
    }
  };

  process.on('message', (message: ParentMessage) => {
    if (message.type === 'page') {
      void read(message.job);
      return;
    }
    void (async () => {
      await pool.terminate();
      await closePdfImageReader();
      // Exit once the figures are out: nothing else should keep the process, but a stray handle must not hang the run.
      process.send?.({ type: 'stats', peakRssKb: procStatusKb('VmHWM'), rssKb: procStatusKb('VmRSS') } satisfies ChildMessage, () => process.exit(0));
    })();
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
