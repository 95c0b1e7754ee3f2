/**
 * A pool of tesseract.js workers for one process. Each tesseract.js worker is a worker_thread running
 * the WebAssembly engine, so recognition never blocks this thread's event loop (BullMQ lock renewal
 * keeps running while a page is read).
 *
 * Models load offline from the `@tesseract.js-data/<lang>` npm packages, from their `4.0.0_best_int`
 * folder with the LSTM engine only (faster start, less memory and better accuracy than the package's
 * default 4.0.0 model). Nothing is fetched from the network and nothing is cached to disk.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createWorker, OEM, type Worker as TesseractWorker } from 'tesseract.js';
import type { GreyImage, Rect } from './image';
import { toPgm } from './image';

export type OcrLanguage = 'chi_sim' | 'chi_tra' | 'eng';

export interface TesseractPoolOptions {
  /** Workers per language (default 1; measured: a second worker helps on two cores, a third does not). */
  size?: number;
  /** Languages whose workers start right away; others start on first use. Default chi_sim and eng (table digits). */
  languages?: OcrLanguage[];
  /** Worker creation gives up after this long (default 60 s): a missing model never resolves otherwise. */
  createTimeoutMs?: number;
}

/** Page segmentation modes used here: 6 = one uniform block (keeps table rows), 7 = one line, 8 = one word. */
export type PageSegMode = '3' | '4' | '6' | '7' | '8' | '11' | '13';

export interface RecognizeOptions {
  language?: OcrLanguage;
  psm?: PageSegMode;
  /** Only these characters may be recognised ('' = any). */
  whitelist?: string;
  /** Include line and word boxes (default true). */
  words?: boolean;
}

export interface OcrWord {
  text: string;
  confidence: number;
  bbox: Rect;
}

export interface OcrLine {
  text: string;
  confidence: number;
  bbox: Rect;
  words: OcrWord[];
}

export interface OcrResult {
  text: string;
  /** Tesseract's mean confidence, 0–100 (0 when nothing was found). */
  confidence: number;
  lines: OcrLine[];
}

const DEFAULT_CREATE_TIMEOUT_MS = 60_000;

/** The folder holding `<lang>.traineddata.gz` (best_int model) inside the npm data package. */
export function languageDataPath(language: OcrLanguage): string {
  const packageDir = path.dirname(require.resolve(`@tesseract.js-data/${language}/package.json`));
  return path.join(packageDir, '4.0.0_best_int');
}

interface PoolWorker {
  worker: TesseractWorker;
  /** Parameters last set on this worker, so a job only sends what changes. */
  psm: string;
  whitelist: string;
}

interface Job {
  image: Buffer;
  options: RecognizeOptions;
  resolve: (result: OcrResult) => void;
  reject: (error: unknown) => void;
}

class LanguageWorkers {
  private readonly idle: PoolWorker[] = [];
  private readonly all: PoolWorker[] = [];
  private readonly queue: Job[] = [];
  private starting: Promise<void> | null = null;
  private failed: unknown = null;
  private closed = false;

  constructor(
    private readonly language: OcrLanguage,
    private readonly size: number,
    private readonly createTimeoutMs: number,
  ) {}

  start(): Promise<void> {
    this.starting ??= Promise.all(Array.from({ length: this.size }, () => this.createOne())).then(
      () => undefined,
      (error: unknown) => {
        this.failed = error;
        for (const job of this.queue.splice(0)) job.reject(error);
        throw error;
      },
    );
    return this.starting;
  }

  get queued(): number {
    return this.queue.length;
  }

  run(image: Buffer, options: RecognizeOptions): Promise<OcrResult> {
    if (this.closed) return Promise.reject(new Error('The OCR pool has been terminated.'));
    if (this.failed !== null) return Promise.reject(this.failed);
    const result = new Promise<OcrResult>((resolve, reject) => this.queue.push({ image, options, resolve, reject }));
    void this.start().catch(() => undefined);
    this.dispatch();
    return result;
  }

  async terminate(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.reject(new Error('The OCR pool was terminated before this page was read.'));
    await this.starting?.catch(() => undefined);
    await Promise.all(this.all.map((entry) => entry.worker.terminate().catch(() => undefined)));
    this.all.length = 0;
    this.idle.length = 0;
  }

  private async createOne(): Promise<void> {
    const langPath = languageDataPath(this.language);
    // Checked up front: with an unreachable model, tesseract.js would wait forever.
    if (!fs.existsSync(path.join(langPath, `${this.language}.traineddata.gz`))) {
      throw new Error(`The OCR model for ${this.language} is missing under ${langPath}; install @tesseract.js-data/${this.language}.`);
    }
    let timer: NodeJS.Timeout | undefined;
    let workerError: unknown = null;
    const creation = createWorker(this.language, OEM.LSTM_ONLY, {
      langPath,
      cacheMethod: 'none',
      gzip: true,
      // Without a handler a worker failure would throw in the process; keep it for the caller instead.
      errorHandler: (error: unknown) => {
        workerError = error;
      },
    });
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(new Error(`Starting an OCR worker for ${this.language} took longer than ${this.createTimeoutMs / 1000} s.`));
      }, this.createTimeoutMs);
    });
    try {
      const worker = await Promise.race([creation, timeout]);
      // Tesseract prints page statistics to stderr for empty crops; send its debug output nowhere. Reports
      // print dark text on light paper: the re-reading of every unsure line as white-on-black is wasted.
      await worker.setParameters({ debug_file: '/dev/null', tessedit_do_invert: '0' });
      if (this.closed) {
        await worker.terminate();
        return;
      }
      const entry: PoolWorker = { worker, psm: '', whitelist: '' };
      this.all.push(entry);
      this.idle.push(entry);
      this.dispatch();
    } catch (error) {
      // A late creation (after the timeout) is shut down as soon as it arrives.
      void creation.then((worker) => worker.terminate()).catch(() => undefined);
      throw workerError ?? error;
    } finally {
      clearTimeout(timer);
    }
  }

  private dispatch(): void {
    while (this.idle.length > 0 && this.queue.length > 0) {
      const entry = this.idle.pop()!;
      const job = this.queue.shift()!;
      void this.execute(entry, job).finally(() => {
        if (this.closed) return;
        this.idle.push(entry);
        this.dispatch();
      });
    }
  }

  private async execute(entry: PoolWorker, job: Job): Promise<void> {
    try {
      const psm = job.options.psm ?? '6';
      const whitelist = job.options.whitelist ?? '';
      if (psm !== entry.psm || whitelist !== entry.whitelist) {
        await entry.worker.setParameters({ tessedit_pageseg_mode: psm as never, tessedit_char_whitelist: whitelist });
        entry.psm = psm;
        entry.whitelist = whitelist;
      }
      const wantWords = job.options.words ?? true;
      const { data } = await entry.worker.recognize(job.image, {}, { text: true, blocks: wantWords });
      job.resolve(simplify(data, wantWords));
    } catch (error) {
      job.reject(error);
    }
  }
}

interface RawBox {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}
const toRect = (b: RawBox): Rect => [b.x0, b.y0, b.x1, b.y1];

function simplify(data: import('tesseract.js').Page, wantWords: boolean): OcrResult {
  const lines: OcrLine[] = [];
  if (wantWords) {
    for (const block of data.blocks ?? []) {
      for (const paragraph of block.paragraphs) {
        for (const line of paragraph.lines) {
          lines.push({
            text: line.text.replace(/\n$/, ''),
            confidence: line.confidence,
            bbox: toRect(line.bbox),
            words: line.words.map((word) => ({ text: word.text, confidence: word.confidence, bbox: toRect(word.bbox) })),
          });
        }
      }
    }
  }
  return { text: data.text, confidence: data.confidence, lines };
}

export class TesseractPool {
  private readonly languages = new Map<OcrLanguage, LanguageWorkers>();
  private readonly size: number;
  private readonly createTimeoutMs: number;
  private closed = false;

  private constructor(options: TesseractPoolOptions) {
    this.size = Math.max(1, Math.floor(options.size ?? 1));
    this.createTimeoutMs = options.createTimeoutMs ?? DEFAULT_CREATE_TIMEOUT_MS;
  }

  /** Starts the workers for `languages` and resolves once they are ready (or rejects if they cannot start). */
  static async create(options: TesseractPoolOptions = {}): Promise<TesseractPool> {
    const pool = new TesseractPool(options);
    try {
      await Promise.all((options.languages ?? ['chi_sim', 'eng']).map((language) => pool.workersFor(language).start()));
    } catch (error) {
      await pool.terminate();
      throw error;
    }
    return pool;
  }

  get workersPerLanguage(): number {
    return this.size;
  }

  /** Jobs waiting for a free worker. */
  get queued(): number {
    let total = 0;
    for (const workers of this.languages.values()) total += workers.queued;
    return total;
  }

  /** Reads an image (raw greyscale, or an encoded PNG/JPEG/TIFF/PGM buffer) on the next free worker. */
  recognize(image: GreyImage | Buffer, options: RecognizeOptions = {}): Promise<OcrResult> {
    if (this.closed) return Promise.reject(new Error('The OCR pool has been terminated.'));
    const bytes = Buffer.isBuffer(image) ? image : toPgm(image);
    return this.workersFor(options.language ?? 'chi_sim').run(bytes, options);
  }

  async terminate(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.languages.values()].map((workers) => workers.terminate()));
  }

  private workersFor(language: OcrLanguage): LanguageWorkers {
    let workers = this.languages.get(language);
    if (workers === undefined) {
      workers = new LanguageWorkers(language, this.size, this.createTimeoutMs);
      this.languages.set(language, workers);
    }
    return workers;
  }
}
