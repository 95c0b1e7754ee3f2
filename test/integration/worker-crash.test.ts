/**
 * Killing the worker process mid-run and starting it again loses no document and publishes none twice:
 * the killed process's active jobs stall, their locks expire, and the new process takes them over.
 */
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { openRuntime, type Runtime } from '../../cli/runtime';
import { waitForDocuments } from '../../cli/wait';
import { documentStatuses } from '../../shared/db/documents';
import { submitFile } from '../../shared/submissions';
import { startCli } from '../support/cli';
import { createTestEnvironment, sampleFiles, type TestEnvironment } from '../support/environment';

jest.setTimeout(180_000);

const DOCUMENTS = 60;

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));
}

describe('worker crash', () => {
  let environment: TestEnvironment;
  let runtime: Runtime;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    environment = createTestEnvironment({ GONGKAI_LOCK_MS: '2000' });
    runtime = await openRuntime(environment.config);
  });

  afterAll(async () => {
    for (const child of children) child.kill('SIGKILL');
    await Promise.all(children.map(exited));
    await runtime?.close();
    await environment?.cleanup();
  });

  test('kill -9 mid-run, restart, every document published exactly once', async () => {
    const seeds = sampleFiles().filter((file) => file.endsWith('.txt')).map((file) => fs.readFileSync(file));
    const ids: string[] = [];
    for (let index = 0; index < DOCUMENTS; index++) {
      // A distinct trailing line gives each copy its own sha256, so each is a separate document.
      const bytes = Buffer.concat([seeds[index % seeds.length], Buffer.from(`\n副本 ${index}\n`)]);
      ids.push((await submitFile(runtime, { bytes, fileName: `copy-${index}.txt` })).documentId);
    }

    const first = startCli(['workers'], environment.env);
    children.push(first);
    for (;;) {
      const statuses = [...(await documentStatuses(runtime.db, ids)).values()];
      if (statuses.filter((status) => status === 'published').length >= 5) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    first.kill('SIGKILL');
    await exited(first);
    const publishedAtKill = [...(await documentStatuses(runtime.db, ids)).values()].filter((status) => status === 'published').length;
    expect(publishedAtKill).toBeLessThan(DOCUMENTS);

    const second = startCli(['workers'], environment.env);
    children.push(second);
    const outcome = await waitForDocuments(runtime.db, ids, { timeoutMs: 120_000, quiet: true });
    expect(outcome).toEqual({ published: DOCUMENTS, deadLettered: 0, unfinished: 0 });

    const reports = await runtime.db.selectFrom('reports').select('document_id').execute();
    expect(reports).toHaveLength(DOCUMENTS);
    const interrupted = await runtime.db.selectFrom('stage_runs').select('id').where('outcome', '=', 'running').execute();
    console.log(`worker crash: ${publishedAtKill}/${DOCUMENTS} published at the kill, ${interrupted.length} stage run(s) cut off, ${DOCUMENTS} published after restart, ${reports.length} report rows`);
  });
});
