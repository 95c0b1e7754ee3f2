/** SIGTERM stops a worker process cleanly: no new jobs, active ones finished, connections closed, exit 0. */
import fs from 'node:fs';
import { waitForDocuments } from '../../cli/wait';
import { documentStatuses } from '../../shared/db/documents';
import { submitFile } from '../../shared/submissions';
import { pipelineUnderTest } from '../support/pipeline';
import { startCli } from '../support/cli';
import { sampleFiles } from '../support/environment';

jest.setTimeout(120_000);

describe('graceful shutdown', () => {
  const pipeline = pipelineUnderTest({}, { startWorkers: false });

  test('a worker stopped with SIGTERM leaves no job cut off, and another finishes the run', async () => {
    const runtime = pipeline.runtime();
    const environment = pipeline.environment();
    const seeds = sampleFiles().filter((file) => file.endsWith('.txt')).map((file) => fs.readFileSync(file));
    const ids: string[] = [];
    for (let index = 0; index < 40; index++) {
      const bytes = Buffer.concat([seeds[index % seeds.length], Buffer.from(`\n副本 ${index}\n`)]);
      ids.push((await submitFile(runtime, { bytes, fileName: `copy-${index}.txt` })).documentId);
    }

    const first = startCli(['workers'], environment.env);
    let stderr = '';
    first.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    for (;;) {
      const published = [...(await documentStatuses(runtime.db, ids)).values()].filter((status) => status === 'published').length;
      if (published >= 3) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    first.kill('SIGTERM');
    const exitCode = await new Promise<number | null>((resolve) => first.once('exit', (code) => resolve(code)));
    expect(exitCode).toBe(0);
    expect(stderr).toContain('SIGTERM: finishing active jobs');
    const cutOff = await runtime.db.selectFrom('stage_runs').select('id').where('outcome', '=', 'running').execute();
    expect(cutOff).toEqual([]);

    const second = startCli(['workers'], environment.env);
    try {
      expect(await waitForDocuments(runtime.db, ids, { timeoutMs: 90_000, quiet: true })).toEqual({ published: 40, deadLettered: 0, unfinished: 0 });
    } finally {
      second.kill('SIGTERM');
      await new Promise((resolve) => second.once('exit', resolve));
    }
  });
});
