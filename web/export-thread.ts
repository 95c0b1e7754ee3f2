/**
 * The export thread (see exportStream in web/export.ts): opens its own connection, writes the export,
 * and sends it to the main thread a chunk at a time, each only after the last was taken.
 */
import { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { parentPort, workerData } from 'node:worker_threads';
import { openServer } from '../shared/db/connect';
import { writeExport, type ExportThreadJob, type ExportThreadMessage } from './export';

const port = parentPort!;
const send = (message: ExportThreadMessage) => port.postMessage(message);

async function run(job: ExportThreadJob): Promise<void> {
  const db = await openServer(job.databaseUrl, job.dbSchema);
  let taken: (() => void) | undefined;
  port.on('message', () => {
    const next = taken;
    taken = undefined;
    next?.();
  });
  const output = new Writable({
    write(chunk: Buffer, _encoding, done) {
      taken = done;
      send({ chunk });
    },
    final(done) {
      send({ end: true });
      done();
    },
  });
  try {
    await writeExport(db, job, output);
    // Every chunk taken and the end sent, before the connection and the listener go.
    await finished(output);
  } finally {
    port.removeAllListeners('message');
    await db.destroy();
  }
}

run(workerData as ExportThreadJob).catch((error: unknown) => send({ error: error instanceof Error ? error.message : String(error) }));
