import type { StageOutputs } from '../../shared/pipeline';
import type { StageHandler } from '../stage-worker';
import { ProcessSandbox, READER_ENTRY } from '../sandbox';

/**
 * Parse runs its many patterns and fuzzy label matches over untrusted text, so, like normalize, it
 * runs in sandbox processes: a file that would take it minutes meets the time limit there, and the
 * worker's own thread stays free to hand documents on.
 */
let parsers: ProcessSandbox | null = null;

export const handleParse: StageHandler<'parse'> = async (_job, { config }, { normalized, source, opening }) => {
  parsers ??= new ProcessSandbox({ entry: READER_ENTRY, name: 'parser', processes: config.policies.parse.concurrency });
  const { parsed, bodyText } = await parsers.run<Omit<StageOutputs['parse'], 'opening'>>(
    'parse',
    { normalized, source },
    { timeoutMs: config.documentTimeoutMs, memoryMb: config.readLimits.memoryMb, subject: source.fileName },
  );
  return { output: { parsed, bodyText, opening } };
};
