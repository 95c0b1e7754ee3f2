import type { EncodedStageOutput } from '../../shared/stage-outputs';
import type { StageHandler } from '../stage-worker';
import { readerSandbox } from '../sandbox';

/**
 * Parse runs its many patterns and fuzzy label matches over untrusted text, so it runs in the reader
 * processes: a file that would take it minutes meets the time limit there, and the worker's own thread
 * stays free to hand documents on. The reader decodes normalize's output and encodes parse's itself;
 * the limits' messages name the document, whose file name only the decoded output holds.
 */
export const handleParse: StageHandler<'parse'> = async (job, { config }, input) => ({
  encoded: await readerSandbox(config.readLimits.processes).run<EncodedStageOutput>(
    'parse',
    null,
    { timeoutMs: config.documentTimeoutMs, memoryMb: config.readLimits.memoryMb, subject: job.documentId },
    input.encoded ?? undefined,
  ),
});
