/** The command line as a user runs it: ingest the samples, status, dead letters, and the in-process parse. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PIPELINE_VERSION } from '../../shared/pipeline';
import { runCli } from '../support/cli';
import { createTestEnvironment, SAMPLES_DIR, type TestEnvironment } from '../support/environment';

jest.setTimeout(180_000);

describe('gongkai CLI', () => {
  let environment: TestEnvironment;

  beforeAll(() => {
    environment = createTestEnvironment();
  });

  afterAll(async () => {
    await environment?.cleanup();
  });

  test('ingest publishes every sample and prints a summary', () => {
    const result = runCli(['ingest', SAMPLES_DIR], environment.env);
    expect(result.stderr).toContain('6 published, 0 dead-lettered, 0 unfinished');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('米易县人民政府');
    expect(result.stdout).toContain('湛河区城市管理局');
    expect(result.stdout).toContain('pre2019');
  });

  test('ingest skips a link out of the folder with a reason instead of submitting its target', () => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'gongkai-ingest-links-'));
    try {
      fs.copyFileSync(path.join(SAMPLES_DIR, '003_6f6c780c05ed1855.txt'), path.join(folder, 'report.txt'));
      fs.symlinkSync('/etc/passwd', path.join(folder, 'passwd.txt'));
      const result = runCli(['ingest', '--no-wait', '--follow-links', folder], environment.env);
      expect(result.status).toBe(0);
      expect(result.stderr).toContain('submitted 1 file(s)');
      expect(result.stderr).toMatch(/passwd\.txt: symbolic link to outside the given folders/);
    } finally {
      fs.rmSync(folder, { recursive: true, force: true });
    }
  });

  test('status counts documents and queue jobs', () => {
    const result = runCli(['status'], environment.env);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/published\s*│\s*publish\s*│\s*6/);
    expect(result.stdout).toContain('dead-letter');
  });

  test('ingest of the same file again does nothing; --force reprocesses it and history shows both reports', () => {
    const sample = path.join(SAMPLES_DIR, '003_6f6c780c05ed1855.txt');
    const again = runCli(['ingest', sample], environment.env);
    expect(again.status).toBe(0);
    expect(again.stderr).toContain('already submitted (published); --force reprocesses it');

    const forced = runCli(['ingest', '--force', sample], environment.env);
    expect(forced.stderr).toContain('submitted before; reprocessing');
    expect(forced.stderr).toContain('1 published, 0 dead-lettered, 0 unfinished');
    expect(forced.status).toBe(0);

    const history = runCli(['history', sample], environment.env);
    expect(history.status).toBe(0);
    expect(history.stdout).toContain('published at publish, round 1');
    expect(history.stdout).toMatch(new RegExp(`│\\s*1\\s*│\\s*v${PIPELINE_VERSION}\\s*│\\s*米易县人民政府.*in force`));
    expect(history.stdout).toMatch(new RegExp(`│\\s*0\\s*│\\s*v${PIPELINE_VERSION}\\s*│\\s*米易县人民政府.*\\d{4}-\\d\\d-\\d\\dT`));
  });

  test('dlq list on an empty queue says so', () => {
    const result = runCli(['dlq', 'list'], environment.env);
    expect(result.stdout).toContain('the dead-letter queue is empty');
  });

  test('parse --json prints the canonical record without Redis or Postgres', () => {
    const result = runCli(['parse', path.join(SAMPLES_DIR, '003_6f6c780c05ed1855.txt'), '--json'], { REDIS_URL: 'redis://127.0.0.1:1', DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' });
    expect(result.status).toBe(0);
    const record = JSON.parse(result.stdout);
    expect(record).toMatchObject({
      schemaVersion: 2,
      meta: { agency: '米易县人民政府', year: 2021, template: '2021', script: 'traditional' },
      tables: { active: { licensing: { decisions: 9544 } }, reviewLitigation: { review: { upheld: 1, total: 1 } } },
      narrative: { proactiveItems: 16996, applicationsReceived: 10, reviewCases: 1, litigationCases: 0 },
    });
  });

  test('parse of a file that is not a supported type fails with a clear message', () => {
    const result = runCli(['parse', path.join(__dirname, '../../package.json')], {});
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/gongkai: /);
  });
});
