/**
 * Runs work on untrusted input (ingest's readers, parse) in child processes of their own, so a
 * hostile file costs a killed child, never the worker: the worker's event loop only passes messages.
 *
 * Each child serves one task at a time and is kept between tasks (loading the readers costs ~1 s).
 * Limits per task: a time limit, and a memory limit on the child's resident size (VmRSS, polled every
 * 50 ms), which covers what a V8 heap cap does not — ArrayBuffers, decoded streams, native buffers
 * (pdf.js, sharp, zlib). A child over a limit is killed with SIGKILL and the task fails with
 * TOO_LARGE; a child that crashed, timed out, was killed or kept much memory is replaced at once.
 * Idle children do not keep the worker alive, are killed when it exits, and exit themselves when it
 * dies. Children run at a lower CPU priority (nice 5), so the worker's own event loop goes first.
 */
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { PermanentError, type PermanentErrorCode } from '../shared/errors';

export interface SandboxTask {
  id: number;
  kind: string;
  payload: unknown;
  /** Bytes of the attachment: sent before the task in SandboxPart messages, or in `attachment` when they fit in one. */
  attachmentBytes: number;
  /** An attachment of one slice or less, sent with the task: one message to the child, not two. */
  attachment?: Uint8Array;
}

/** A slice of a task's attachment: large files go over in slices, so no single message blocks the worker. */
export interface SandboxPart {
  id: number;
  part: Uint8Array;
}

/** Serializing takes ~1.5 ms per MB on the worker's thread; 4 MB slices keep each message under ~10 ms. */
const ATTACHMENT_SLICE_BYTES = 4 * 1024 * 1024;

/** A child's answer; error classes do not survive IPC, so a PermanentError travels as code and message. */
export type SandboxAnswer = { id: number } & (
  | { ok: true; result: unknown }
  | { ok: false; permanent: { code: PermanentErrorCode; message: string } | null; message: string; stack: string | null }
);

export interface SandboxOptions {
  /** Absolute path of the children's TypeScript entry module (see sandbox-entry.ts). */
  entry: string;
  /** Names the children in messages, e.g. 'reader'. */
  name: string;
  /** Tasks run at once (one per child). */
  processes: number;
}

export interface SandboxLimits {
  timeoutMs: number;
  memoryMb: number;
  /** Describes the input in the Chinese-first messages of a limit, e.g. the file name. */
  subject: string;
}

const RSS_POLL_MS = 50;
const READER_NICENESS = 5;
/** Share of the memory limit a child may keep between tasks. */
const RETIRE_ABOVE_SHARE = 0.5;

/** Resident set size of a process in MB, or null where /proc is not available or the process is gone. */
export function residentMb(pid: number): number | null {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'latin1'));
    return match ? Number(match[1]) / 1024 : null;
  } catch {
    return null;
  }
}

interface Child {
  process: ChildProcess;
  busy: boolean;
}

const liveSandboxes = new Set<ProcessSandbox>();
// Children are killed when the worker exits, however it exits; they also exit on their own when the IPC channel closes.
process.once('exit', () => {
  for (const sandbox of liveSandboxes) sandbox.killAll();
});

/** Kills every sandbox's children (worker shutdown); sandboxes start new ones if used again. */
export async function closeSandboxes(): Promise<void> {
  await Promise.all([...liveSandboxes].map((sandbox) => sandbox.close()));
}

/** The entry module of the children that read documents (ingest and parse). */
export const READER_ENTRY = require.resolve('./sandbox-entry');

let readers: ProcessSandbox | null = null;

/**
 * The worker process's one pool of reader processes, which ingest and parse share: reading
 * is CPU-bound, so more children than cores only add processes to switch between and memory to hold
 * (a pool per stage started eight per worker). Sized by the first call; configuration does not change
 * within a process.
 */
export function readerSandbox(processes: number): ProcessSandbox {
  readers ??= new ProcessSandbox({ entry: READER_ENTRY, name: 'reader', processes });
  return readers;
}

export class ProcessSandbox {
  private readonly children: Child[] = [];
  private readonly waiting: Array<() => void> = [];
  private nextTaskId = 1;
  private closing = false;

  constructor(private readonly options: SandboxOptions) {
    liveSandboxes.add(this);
  }

  /**
   * Runs one task in a free child (waiting for one) and resolves with its result. The attachment (a
   * file's bytes) reaches the child's task handler as its second argument.
   */
  async run<Result>(kind: string, payload: unknown, limits: SandboxLimits, attachment: Uint8Array = new Uint8Array(0)): Promise<Result> {
    const child = await this.freeChild(limits.memoryMb);
    try {
      return (await this.runIn(child, { id: this.nextTaskId++, kind, payload, attachmentBytes: attachment.length }, limits, attachment)) as Result;
    } finally {
      child.busy = false;
      this.waiting.shift()?.();
    }
  }

  /** Kills every child; the next task starts new ones. */
  async close(): Promise<void> {
    this.closing = true;
    const exits = this.children.map((child) => new Promise<void>((resolve) => (alive(child.process) ? child.process.once('exit', () => resolve()) : resolve())));
    this.killAll();
    await Promise.all(exits);
  }

  killAll(): void {
    for (const child of this.children.splice(0)) child.process.kill('SIGKILL');
  }

  private async freeChild(memoryMb: number): Promise<Child> {
    this.closing = false;
    for (;;) {
      const idle = this.children.find((child) => !child.busy);
      const child = idle ?? (this.children.length < this.options.processes ? this.added(memoryMb) : null);
      if (child) {
        child.busy = true;
        // One loaded child is kept spare while the pool may grow, so a second file at once does not wait ~1 s for a child to load.
        if (!this.children.some((other) => !other.busy) && this.children.length < this.options.processes) this.added(memoryMb);
        return child;
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
  }

  private added(memoryMb: number): Child {
    const child: Child = { process: this.start(memoryMb), busy: false };
    this.children.push(child);
    return child;
  }

  private start(memoryMb: number): ChildProcess {
    const child = fork(this.options.entry, [], {
      // Loaded through tsx like the CLI. The V8 heap is capped at the memory limit too: a heap overflow aborts the child (TOO_LARGE below).
      execArgv: ['--require', require.resolve('tsx/cjs'), `--max-old-space-size=${memoryMb}`],
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    idle(child);
    // Reading is background work: under CPU contention the worker's own loop (hand-offs, other stages) goes first.
    if (child.pid !== undefined) {
      try {
        os.setPriority(child.pid, READER_NICENESS);
      } catch {
        // Not permitted here (some containers): the child runs at the worker's priority.
      }
    }
    child.once('exit', () => this.forget(child));
    // A failure between tasks (e.g. the child could not start) must not take the worker down.
    child.on('error', () => this.forget(child));
    return child;
  }

  /** Retires a child after its task and starts its successor now, so the next file does not wait for it to load. */
  private replace(child: ChildProcess, memoryMb: number): void {
    this.forget(child);
    if (!this.closing && this.children.length < this.options.processes) this.added(memoryMb);
  }

  private forget(child: ChildProcess): void {
    const index = this.children.findIndex((entry) => entry.process === child);
    if (index >= 0) this.children.splice(index, 1);
    if (alive(child)) child.kill('SIGKILL');
    this.waiting.shift()?.();
  }

  private runIn(child: Child, task: SandboxTask, limits: SandboxLimits, attachment: Uint8Array): Promise<unknown> {
    const childProcess = child.process;
    const name = this.options.name;
    return new Promise((resolve, reject) => {
      let peakMb = 0;
      const finish = (outcome: { result: unknown } | { error: unknown }, keepChild: boolean): void => {
        clearTimeout(timer);
        clearInterval(poll);
        childProcess.off('message', onMessage).off('exit', onExit);
        // A child whose memory stayed high after its task (V8 rarely gives heap back) is replaced, so the next file starts with the whole allowance.
        if (keepChild && (childProcess.pid === undefined || (residentMb(childProcess.pid) ?? 0) <= limits.memoryMb * RETIRE_ABOVE_SHARE)) idle(childProcess);
        else this.replace(childProcess, limits.memoryMb);
        if ('result' in outcome) resolve(outcome.result);
        else reject(outcome.error);
      };
      const onMessage = (answer: SandboxAnswer): void => {
        if (answer.id !== task.id) return;
        if (answer.ok) return finish({ result: answer.result }, true);
        if (answer.permanent) return finish({ error: new PermanentError(answer.permanent.code, answer.permanent.message) }, true);
        const error = new Error(answer.message);
        if (answer.stack) error.stack = answer.stack;
        finish({ error }, true);
      };
      const onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
        // V8 aborts (SIGABRT, exit code 134) when the heap cap is reached: the input needed too much memory.
        if (signal === 'SIGABRT' || code === 134) return finish({ error: tooMuchMemory(limits, peakMb) }, false);
        finish({ error: new Error(`The ${name} process exited (${signal ?? `code ${code}`}) before answering.`) }, false);
      };
      const timer = setTimeout(
        () =>
          finish(
            {
              error: new PermanentError(
                'TOO_LARGE',
                `读取 ${limits.subject} 超过 ${limits.timeoutMs / 1000} 秒，文件过大或过于复杂。Reading ${limits.subject} took longer than ${limits.timeoutMs / 1000} s; it is too large or too complex.`,
              ),
            },
            false,
          ),
        limits.timeoutMs,
      );
      const poll = setInterval(() => {
        const rss = childProcess.pid === undefined ? null : residentMb(childProcess.pid);
        if (rss === null) return;
        peakMb = Math.max(peakMb, rss);
        if (rss > limits.memoryMb) finish({ error: tooMuchMemory(limits, rss) }, false);
      }, RSS_POLL_MS);
      childProcess.on('message', onMessage).once('exit', onExit);
      busy(childProcess);
      const send = (message: SandboxTask | SandboxPart): Promise<void> =>
        new Promise((sent, failed) => childProcess.send(message, (error) => (error ? failed(error) : sent())));
      void (async () => {
        if (attachment.length <= ATTACHMENT_SLICE_BYTES) return send({ ...task, attachment });
        // Each slice waits for the previous one to be written, so the worker's event loop runs in between.
        for (let offset = 0; offset < attachment.length; offset += ATTACHMENT_SLICE_BYTES) {
          await send({ id: task.id, part: attachment.subarray(offset, offset + ATTACHMENT_SLICE_BYTES) });
        }
        await send(task);
      })().catch((error: unknown) => finish({ error }, false));
    });
  }
}

function tooMuchMemory(limits: SandboxLimits, usedMb: number): PermanentError {
  const used = Math.round(usedMb);
  return new PermanentError(
    'TOO_LARGE',
    `读取 ${limits.subject} 需要超过 ${limits.memoryMb} MB 内存（已用 ${used} MB），文件过大或为压缩炸弹。Reading ${limits.subject} needed more than ${limits.memoryMb} MB of memory (${used} MB when stopped); it is too large or a decompression bomb.`,
  );
}

function alive(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

/** An idle child and its IPC channel must not keep the worker alive. */
function idle(child: ChildProcess): void {
  child.unref();
  (child.channel as { unref?(): void } | undefined)?.unref?.();
}

/** A task in flight keeps the worker alive until it is answered (its timer does too). */
function busy(child: ChildProcess): void {
  child.ref();
  (child.channel as { ref?(): void } | undefined)?.ref?.();
}
