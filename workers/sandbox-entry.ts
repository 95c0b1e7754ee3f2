/**
 * Entry of the sandbox children (see sandbox.ts): runs ingest's extraction and the parse core on
 * request, one task at a time, and exits when the worker that started it goes away. Each task answers
 * with its stage's output encoded for the stage-output store and routed (encodedWithRoute), and parse
 * gets its input as stored: the worker never decodes what it only passes on.
 */
import { PermanentError } from '../shared/errors';
import { extractForStore } from './ingest/extract-task';
import { parseStored } from './parse/task';
import type { SandboxAnswer, SandboxPart, SandboxTask } from './sandbox';

/** Each task on its payload and attachment: ingest's on the submitted file, parse's on normalize's output as stored. */
const TASKS: Record<string, (payload: never, attachment: Buffer) => unknown> = { extract: extractForStore, parse: (_payload: null, stored: Buffer) => parseStored(stored) };

/** Attachment slices received for the next task. */
let parts: Uint8Array[] = [];

async function answer(task: SandboxTask): Promise<SandboxAnswer> {
  const received = parts;
  parts = [];
  try {
    const run = TASKS[task.kind];
    if (!run) throw new Error(`unknown sandbox task '${task.kind}'`);
    const attachment = task.attachment ? Buffer.from(task.attachment.buffer, task.attachment.byteOffset, task.attachment.byteLength) : Buffer.concat(received);
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
