import type { StageOutputs } from '../../shared/pipeline';
import type { StageHandler } from '../stage-worker';
import { readerSandbox } from '../sandbox';

/**
 * Parse runs its many patterns and fuzzy label matches over untrusted text, so, like normalize, it
 * runs in the reader processes: a file that would take it minutes meets the time limit there, and the
 * worker's own thread stays free to hand documents on.
 */
export const handleParse: StageHandler<'parse'> = async (_job, { config }, { normalized, source, opening }) => {
  const { parsed, bodyText } = await readerSandbox(config.readLimits.processes).run<Omit<StageOutputs['parse'], 'opening'>>(
    'parse',
    { normalized, source },
    { timeoutMs: config.documentTimeoutMs, memoryMb: config.readLimits.memoryMb, subject: source.fileName },
  );
  return { output: { parsed, bodyText, opening } };
};
