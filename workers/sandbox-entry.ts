/**
 * Entry of the sandbox children (see sandbox.ts): runs ingest's extraction and the normalize and parse
 * cores on request, one task at a time, and exits when the worker that started it goes away.
 */
import { PermanentError } from '../shared/errors';
import type { StageOutputs } from '../shared/pipeline';
import type { ExtractedDocument } from '../shared/record';
import { extractDocument, type ExtractionInput, type ExtractionLimits } from './ingest/core';
import { normalizeDocument } from './normalize/core';
import { parseReport } from './parse/core';
import { readingText } from './parse/document';
import type { SandboxAnswer, SandboxPart, SandboxTask } from './sandbox';

/** The file's bytes travel as the task's attachment. */
export interface ExtractTask {
  fileName: ExtractionInput['fileName'];
  limits: ExtractionLimits;
}

const TASKS: Record<string, (payload: never, attachment: Buffer) => unknown> = {
  extract: ({ fileName, limits }: ExtractTask, bytes: Buffer) => extractDocument({ fileName, bytes }, limits),
  normalize: (document: ExtractedDocument) => normalizeDocument(document),
  parse: ({ normalized, source }: Pick<StageOutputs['normalize'], 'normalized' | 'source'>) => ({
    parsed: parseReport(normalized, source),
    bodyText: readingText(normalized, source.mediaType),
  }),
};

/** Attachment slices received for the next task. */
let parts: Uint8Array[] = [];

async function answer(task: SandboxTask): Promise<SandboxAnswer> {
  const received = parts;
  parts = [];
  try {
    const run = TASKS[task.kind];
    if (!run) throw new Error(`unknown sandbox task '${task.kind}'`);
    const attachment = Buffer.concat(received);
    if (attachment.length !== task.attachmentBytes) throw new Error(`the attachment arrived incomplete (${attachment.length} of ${task.attachmentBytes} bytes)`);
    return { id: task.id, ok: true, result: await run(task.payload as never, attachment) };
  } catch (error) {
    const permanent = error instanceof PermanentError ? { code: error.code, message: error.message } : null;
    return { id: task.id, ok: false, permanent, message: error instanceof Error ? error.message : String(error), stack: error instanceof Error ? (error.stack ?? null) : null };
  }
}

if (process.send !== undefined) {
  process.on('message', (message: SandboxTask | SandboxPart) => {
    if ('part' in message) parts.push(message.part);
    // With a callback, a send to a worker that has gone reports the error there instead of crashing with EPIPE.
    else void answer(message).then((reply) => process.send?.(reply, undefined, {}, (error) => error && process.exit(0)));
  });
  // The worker died or closed the channel: nothing is left to answer to.
  process.on('disconnect', () => process.exit(0));
}
