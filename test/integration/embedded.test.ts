/** With no DATABASE_URL and no REDIS_URL: embedded Postgres (PGlite) and a private redis-server. */
import fs from 'node:fs';
import path from 'node:path';
import { openRuntime, type Runtime } from '../../cli/runtime';
import { waitForDocuments } from '../../cli/wait';
import { summarizeDocuments } from '../../shared/db/browse';
import { submitFile } from '../../shared/submissions';
import { createTestEnvironment, sampleFiles, type TestEnvironment } from '../support/environment';

jest.setTimeout(120_000);

describe('embedded defaults', () => {
  let environment: TestEnvironment;
  let runtime: Runtime;

  beforeAll(async () => {
    environment = createTestEnvironment({ REDIS_URL: '' }, { embeddedDatabase: true });
    runtime = await openRuntime(environment.config);
  });

  afterAll(async () => {
    await runtime?.close();
    await environment?.cleanup();
  });

  test('runs the same migrations and pipeline on PGlite with a private Redis', async () => {
    expect(runtime.database.kind).toBe('embedded');
    expect(runtime.redis.url).not.toBe(environment.env.REDIS_URL);
    expect(fs.existsSync(path.join(environment.config.dataDir, 'redis', 'appendonlydir'))).toBe(true);

    runtime.startWorkers();
    const ids: string[] = [];
    for (const file of sampleFiles()) ids.push((await submitFile(runtime, { bytes: fs.readFileSync(file), fileName: path.basename(file) })).documentId);
    const outcome = await waitForDocuments(runtime.db, ids, { timeoutMs: 90_000, quiet: true });

    expect(outcome).toEqual({ published: ids.length, deadLettered: 0, unfinished: 0 });
    const summaries = await summarizeDocuments(runtime.db, ids);
    expect(summaries.map((summary) => summary.agency)).toContain('米易县人民政府');
    const cells = await runtime.db.selectFrom('cells').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(cells.n)).toBeGreaterThan(400);
  });
});
