import type { EncodedStageOutput } from '../../shared/stage-outputs';
import type { StageHandler } from '../stage-worker';
import { readerSandbox } from '../sandbox';
import { withinTime } from '../watchdog';
import { parseStored } from './task';

/** Normalize's output (as stored, gzip'd) up to this size may be parsed on the worker's thread: a report of some hundred thousand characters. */
const ON_WORKER_THREAD_MAX_BYTES = 256 * 1024;
/** About a hundred times what such a report takes; a document that needs longer is parsed again in a reader. */
const ON_WORKER_THREAD_TIMEOUT_MS = 2000;

/**
 * Parse runs its many patterns and fuzzy label matches over untrusted text, so by default it runs in
 * the reader processes: a file that would take it minutes meets the time limit there. When this
 * worker process has less than two cores of its own (GONGKAI_WORKER_PROCESSES, shared/config.ts), a
 * reader only adds a process taking turns on them and the trip to it costs more than a typical parse:
 * then a report of bounded size is parsed on the worker's thread under a watchdog, and one that
 * outruns it goes to a reader with the full limit. The limits' messages name the document, whose file
 * name only the decoded output holds.
 */
export const handleParse: StageHandler<'parse'> = async (job, { config }, input) => {
  const stored = input.encoded;
  if (config.readLimits.parseOnWorkerThread && stored && stored.length <= ON_WORKER_THREAD_MAX_BYTES) {
    const parsed = withinTime(() => parseStored(stored), ON_WORKER_THREAD_TIMEOUT_MS);
    if (parsed !== 'timedOut') return { encoded: parsed.value };
    console.error(`[parse] ${job.documentId}: 在工作线程上超过 ${ON_WORKER_THREAD_TIMEOUT_MS} ms，改由读取进程解析 / took over ${ON_WORKER_THREAD_TIMEOUT_MS} ms on the worker's thread; parsing it in a reader process`);
  }
  return {
    encoded: await readerSandbox(config.readLimits.processes).run<EncodedStageOutput>(
      'parse',
      null,
      { timeoutMs: config.documentTimeoutMs, memoryMb: config.readLimits.memoryMb, subject: job.documentId },
      stored ?? undefined,
    ),
  };
};
