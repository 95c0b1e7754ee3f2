/**
 * Runs jobs one at a time in a worker thread of its own, for work on untrusted input (pdf.js): a file
 * that loops or allocates without bound costs a restarted thread, not the process. The thread is kept
 * between jobs (loading pdf.js costs ~300 ms), does not keep an idle process alive, and is replaced
 * after a crash, a timeout or running out of memory.
 */
import { Worker } from 'node:worker_threads';

export interface ThreadJob {
  id: number;
}

export interface ThreadRunnerOptions {
  /** Absolute path of the thread's TypeScript entry module. */
  entry: string;
  /** The thread's heap cap. */
  heapMb: number;
  /** Cap of the young generation (V8's default lets a busy thread keep tens of MB of it resident). */
  youngGenerationMb?: number;
  /** Names the thread in errors, e.g. 'PDF reader'. */
  name: string;
}

export interface RunOptions {
  timeoutMs: number;
  /** What a timeout or running out of memory means for this kind of job. */
  timeoutError(): Error;
  outOfMemoryError(): Error;
  transfer?: ArrayBuffer[];
}

export class ThreadRunner<Job extends ThreadJob, Outcome extends ThreadJob> {
  private thread: Worker | null = null;
  private nextJobId = 1;
  /** Jobs run one after another. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: ThreadRunnerOptions) {}

  /** Runs the job built with a fresh id and resolves with the thread's answer to it. */
  run(buildJob: (id: number) => Job, options: RunOptions): Promise<Outcome> {
    const result = this.queue.then(() => this.runNow(buildJob(this.nextJobId++), options));
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
    // Loads TypeScript in the thread the way tsx does in this one, then runs the entry.
    const bootstrap = [`require(${JSON.stringify(require.resolve('tsx/cjs'))});`, `require(${JSON.stringify(this.options.entry)});`].join('\n');
    const { heapMb, youngGenerationMb } = this.options;
    const resourceLimits = { maxOldGenerationSizeMb: heapMb, ...(youngGenerationMb === undefined ? {} : { maxYoungGenerationSizeMb: youngGenerationMb }) };
    // pdf.js draws text from the PDF's own fonts and its bundled standard fonts. Left alone, its canvas
    // (@napi-rs/canvas) would open every system font at load: ~200 MB resident where LibreOffice's fonts are installed.
    const env = { ...process.env, DISABLE_SYSTEM_FONTS_LOAD: '1' };
    const thread = new Worker(bootstrap, { eval: true, resourceLimits, env });
    // An idle thread must not keep the process alive; a job in flight is held by its timeout timer.
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

  private runNow(job: Job, options: RunOptions): Promise<Outcome> {
    const thread = this.startedThread();
    return new Promise<Outcome>((resolve, reject) => {
      const finish = (outcome: { answer: Outcome } | { error: unknown }, threadIsUsable: boolean): void => {
        clearTimeout(timer);
        thread.off('message', onMessage).off('error', onError).off('exit', onExit);
        if (!threadIsUsable) this.retire(thread);
        if ('answer' in outcome) resolve(outcome.answer);
        else reject(outcome.error);
      };
      const onMessage = (answer: Outcome): void => {
        if (answer.id === job.id) finish({ answer }, true);
      };
      const onError = (error: NodeJS.ErrnoException): void =>
        finish({ error: error.code === 'ERR_WORKER_OUT_OF_MEMORY' ? options.outOfMemoryError() : error }, false);
      const onExit = (exitCode: number): void =>
        finish({ error: new Error(`The ${this.options.name} thread exited (code ${exitCode}) before answering.`) }, false);
      const timer = setTimeout(() => finish({ error: options.timeoutError() }, false), options.timeoutMs);
      thread.on('message', onMessage).on('error', onError).on('exit', onExit);
      thread.postMessage(job, options.transfer ?? []);
    });
  }
}
