/**
 * Reads PDFs in a thread of their own. pdf.js parses untrusted input: a hostile or broken file can loop
 * or allocate without bound, and in a thread that costs a restarted thread instead of the process.
 * The thread is kept between documents because loading pdf-parse costs ~300 ms, more than reading a
 * typical report. (The thread also keeps jest working: pdf.js loads its parser with a dynamic import(),
 * which jest's module sandbox cannot do, while a thread has Node's own loader.)
 */
import { Worker } from 'node:worker_threads';
import { PermanentError } from '../../shared/errors';
import type { ExtractedPage } from '../../shared/record';
import type { PdfJob, PdfOutcome } from './pdf-thread';

export interface PdfReadLimits {
  maxPages: number;
  timeoutMs: number;
}

/** Heap cap for the reader thread; a PDF that needs more is refused as TOO_LARGE. */
export const PDF_READER_HEAP_MB = 1024;

/** Loads TypeScript in the thread the way tsx does in this one, then runs the thread's entry. */
const THREAD_BOOTSTRAP = [
  `require(${JSON.stringify(require.resolve('tsx/cjs'))});`,
  `require(${JSON.stringify(require.resolve('./pdf-thread'))});`,
].join('\n');

class PdfReader {
  private thread: Worker | null = null;
  private nextJobId = 1;
  /** Jobs run one after another: the thread reads one PDF at a time. */
  private queue: Promise<unknown> = Promise.resolve();

  read(bytes: Buffer, limits: PdfReadLimits): Promise<ExtractedPage[]> {
    const result = this.queue.then(() => this.runJob(bytes, limits));
    this.queue = result.catch(() => undefined);
    return result;
  }

  async close(): Promise<void> {
    const thread = this.thread;
    this.thread = null;
    await thread?.terminate();
  }

  private startedThread(): Worker {
    if (this.thread !== null) return this.thread;
    const thread = new Worker(THREAD_BOOTSTRAP, {
      eval: true,
      resourceLimits: { maxOldGenerationSizeMb: PDF_READER_HEAP_MB },
    });
    // An idle reader must not keep the process alive; a job in flight is held by its timeout timer.
    thread.unref();
    // A job reports its own thread's failures; these listeners also cover a failure between jobs,
    // where an unheard 'error' event would take the whole process down.
    thread.on('error', () => this.retire(thread));
    thread.once('exit', () => this.retire(thread));
    this.thread = thread;
    return thread;
  }

  private retire(thread: Worker): void {
    if (this.thread === thread) this.thread = null;
    void thread.terminate();
  }

  private runJob(bytes: Buffer, limits: PdfReadLimits): Promise<ExtractedPage[]> {
    const thread = this.startedThread();
    const job: PdfJob = { id: this.nextJobId++, bytes, maxPages: limits.maxPages };
    return new Promise<ExtractedPage[]>((resolve, reject) => {
      const finish = (outcome: { pages: ExtractedPage[] } | { error: unknown }, threadIsUsable: boolean): void => {
        clearTimeout(timer);
        thread.off('message', onMessage).off('error', onError).off('exit', onExit);
        if (!threadIsUsable) this.retire(thread);
        if ('pages' in outcome) resolve(outcome.pages);
        else reject(outcome.error);
      };
      const onMessage = (outcome: PdfOutcome): void => {
        if (outcome.id !== job.id) return;
        if (outcome.ok) finish({ pages: outcome.pages }, true);
        else if (outcome.permanent !== null) finish({ error: new PermanentError(outcome.permanent.code, outcome.permanent.message) }, true);
        else finish({ error: new Error(`Reading the PDF failed: ${outcome.message}`) }, true);
      };
      const onError = (error: NodeJS.ErrnoException): void => {
        const outOfMemory = error.code === 'ERR_WORKER_OUT_OF_MEMORY';
        const tooLarge = new PermanentError('TOO_LARGE', `Reading the PDF needed more than ${PDF_READER_HEAP_MB} MB of memory.`);
        finish({ error: outOfMemory ? tooLarge : error }, false);
      };
      const onExit = (exitCode: number): void => {
        finish({ error: new Error(`The PDF reader thread exited (code ${exitCode}) before answering.`) }, false);
      };
      const timer = setTimeout(() => {
        const seconds = limits.timeoutMs / 1000;
        const message = `Reading the PDF took longer than ${seconds} s; it is too large or too complex.`;
        finish({ error: new PermanentError('TOO_LARGE', message) }, false);
      }, limits.timeoutMs);

      thread.on('message', onMessage).on('error', onError).on('exit', onExit);
      thread.postMessage(job);
    });
  }
}

const reader = new PdfReader();

export function extractPdfPages(bytes: Buffer, limits: PdfReadLimits): Promise<ExtractedPage[]> {
  return reader.read(bytes, limits);
}

/** Stops the reader thread (for shutdown and tests); the next PDF starts a new one. */
export function closePdfReader(): Promise<void> {
  return reader.close();
}
