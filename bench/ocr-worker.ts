/**
 * Child process of `npm run bench:ocr` (bench/ocr.ts): one "OCR worker" as the pipeline runs it — one
 * process with its own TesseractPool — reading the pages the parent hands it over IPC, the way a
 * queue worker takes jobs. Each page goes through `readScannedPage` (workers/ocr/scanned-page.ts), the
 * ocr-page job's own path: the page image from the original file (`pdfPageImages` / `rasterImage`), then
 * `ocrPage`. The source file is read once per process (the job reads it from the blob store). The child
 * reports per-page times and text,
 * and on exit its own peak RSS (VmHWM of /proc/self/status, which covers the tesseract.js threads) with
 * the parts of it the process can see (`PeakRssParts`).
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
  | { type: 'stats'; peakRssKb: number; rssKb: number; peakParts: PeakRssParts };

/**
 * What the peak RSS is made of, as far as this process can see cheaply (MB). The rest of the peak is the
 * tesseract.js and PDF image threads' own JS heaps and what the native allocator holds (libvips, freed
 * buffers not yet returned to the system).
 */
export interface PeakRssParts {
  /** tesseract.js's WebAssembly memory: it only grows, to what the largest image recognised needed. */
  wasmMb: number;
  /** Main thread's V8 heap and its buffers outside the heap (page images, PGM copies), at the highest RSS sampled. */
  mainHeapMb: number;
  mainBuffersMb: number;
  /** File-backed pages: node, sharp/libvips and other shared libraries' code. */
  codeMb: number;
}

const send = (message: ChildMessage): void => {
  process.send?.(message);
};

function procStatusKb(field: 'VmHWM' | 'VmRSS'): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(fs.readFileSync('/proc/self/status', 'utf8'));
  return match ? Number(match[1]) : 0;
}

/**
 * A WebAssembly memory is a read-write anonymous mapping followed by its ≥ 4 GiB PROT_NONE reservation
 * (guard region) in /proc/self/smaps; its resident size is the engine's memory in use.
 */
function smapsMb(): { wasmMb: number; codeMb: number } {
  let wasmKb = 0;
  let fileKb = 0;
  let previous = { anonymousReadWrite: false, rssKb: 0 };
  let current = { anonymousReadWrite: false, rssKb: 0, file: false };
  for (const line of fs.readFileSync('/proc/self/smaps', 'utf8').split('\n')) {
    const mapping = /^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ (\d+)\s*(.*)$/.exec(line);
    if (mapping) {
      const sizeKb = (parseInt(mapping[2], 16) - parseInt(mapping[1], 16)) / 1024;
      previous = current;
      if (mapping[3] === '---p' && sizeKb >= 4 * 1024 * 1024 && previous.anonymousReadWrite) wasmKb += previous.rssKb;
      current = { anonymousReadWrite: mapping[3] === 'rw-p' && mapping[4] === '0' && mapping[5] === '', rssKb: 0, file: mapping[4] !== '0' };
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss) {
      current.rssKb = Number(rss[1]);
      if (current.file) fileKb += current.rssKb;
    }
  }
  return { wasmMb: Math.round(wasmKb / 1024), codeMb: Math.round(fileKb / 1024) };
}

/** Samples RSS often enough to catch a page's peak, noting the main thread's share at the highest sample. */
function watchPeak(): () => { mainHeapMb: number; mainBuffersMb: number } {
  let highestKb = 0;
  let atPeak = { mainHeapMb: 0, mainBuffersMb: 0 };
  const sample = (): void => {
    const rssKb = procStatusKb('VmRSS');
    if (rssKb <= highestKb) return;
    highestKb = rssKb;
    const usage = process.memoryUsage();
    atPeak = { mainHeapMb: Math.round(usage.heapTotal / 2 ** 20), mainBuffersMb: Math.round(usage.external / 2 ** 20) };
  };
  setInterval(sample, 25).unref();
  return () => atPeak;
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
  const mainAtPeak = watchPeak();
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
      // Read while tesseract.js still holds its memory (WebAssembly memory never shrinks, so this is its peak).
      const peakParts: PeakRssParts = { ...smapsMb(), ...mainAtPeak() };
      await pool.terminate();
      await closePdfImageReader();
      // Exit once the figures are out: nothing else should keep the process, but a stray handle must not hang the run.
      process.send?.({ type: 'stats', peakRssKb: procStatusKb('VmHWM'), rssKb: procStatusKb('VmRSS'), peakParts } satisfies ChildMessage, () => process.exit(0));
    })();
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
