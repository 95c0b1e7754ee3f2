/** `gongkai check` as CI runs it: a folder of reports with truth beside them, no Redis or Postgres. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../support/cli';
import { SAMPLES_DIR } from '../support/environment';

jest.setTimeout(120_000);

const SEED = '003_6f6c780c05ed1855';
const UNREACHABLE = { REDIS_URL: 'redis://127.0.0.1:1', DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' };

describe('gongkai check', () => {
  let folder: string;

  beforeEach(() => {
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'gongkai-check-'));
    fs.copyFileSync(path.join(SAMPLES_DIR, `${SEED}.txt`), path.join(folder, `${SEED}.txt`));
    fs.writeFileSync(path.join(folder, 'README.md'), '# notes beside the reports\n');
  });

  afterEach(() => fs.rmSync(folder, { recursive: true, force: true }));

  function writeTruth(edit: (truth: { tables: { applications: Record<string, Record<string, number>> } }) => void): void {
    const truth = JSON.parse(fs.readFileSync(path.join(SAMPLES_DIR, `${SEED}.truth.json`), 'utf8'));
    edit(truth);
    fs.writeFileSync(path.join(folder, `${SEED}.truth.json`), JSON.stringify(truth));
  }

  test("scores the seed's values against its truth and passes", () => {
    writeTruth(() => {});
    const result = runCli(['check', folder], UNREACHABLE);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`${SEED}\\.txt\\s*│\\s*2021\\s*│\\s*二 三 四\\s*│\\s*200 / 200\\s*│\\s*0\\s*│\\s*0\\s*│\\s*0\\s*│\\s*\\d+\\s*│\\s*200 / 0 / 0`));
    expect(result.stdout).toContain('1 file(s) checked, 0 failed to read');
    expect(result.stdout).toContain('200 values scored: 200 right (100.0%)');
  });

  test('a value read wrong with no finding naming it fails the check and is listed', () => {
    // The truth says 11 where the report prints 10: to the check, the record now holds a silent error.
    writeTruth((truth) => {
      truth.tables.applications.granted.total = 11;
    });
    const result = runCli(['check', folder], UNREACHABLE);
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/silent\s+applications\.granted\.total\s+expected 11, got 10/);
    expect(result.stdout).toContain('199 right (99.5%), 0 wrong but flagged (0.0%), 1 wrong and silent (0.5%)');
    expect(result.stdout).toContain(`FAIL: ${SEED}.txt`);

    const json = JSON.parse(runCli(['check', folder, '--json'], UNREACHABLE).stdout);
    expect(json.totals).toMatchObject({ files: 1, failed: 0, values: 200, right: 199, flagged: 0, silent: 1 });
    expect(json.files[0].truth.wrong).toEqual([{ key: 'applications.granted.total', expected: 11, got: 10, verdict: 'silent' }]);
  });

  test('a file that cannot be read is reported on its line and fails the check when it has truth', () => {
    fs.writeFileSync(path.join(folder, 'broken.pdf'), '%PDF-1.4 truncated');
    fs.writeFileSync(path.join(folder, 'broken.truth.json'), JSON.stringify({ tables: {} }));
    writeTruth(() => {});
    const result = runCli(['check', folder], UNREACHABLE);
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/broken\.pdf\s*│\s*FAILED CORRUPT_FILE/);
    expect(result.stdout).toContain('2 file(s) checked, 1 failed to read');
    expect(result.stdout).toContain('FAIL: broken.pdf');
  });

  test('a link out of the folder is skipped with a reason and a hostile file name is printed escaped', () => {
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'gongkai-outside-'));
    try {
      fs.copyFileSync(path.join(SAMPLES_DIR, `${SEED}.txt`), path.join(outside, 'secret.txt'));
      fs.symlinkSync(path.join(outside, 'secret.txt'), path.join(folder, 'secret.txt'));
      fs.copyFileSync(path.join(SAMPLES_DIR, `${SEED}.txt`), path.join(folder, 'red\x1b[31m\u202e.txt'));
      const plain = runCli(['check', folder], UNREACHABLE);
      const following = runCli(['check', '--follow-links', folder], UNREACHABLE);
      for (const result of [plain, following]) {
        expect(result.status).toBe(0);
        expect(result.stdout).toContain('2 file(s) checked');
        expect(result.stdout).toContain('red\\x1b[31m\\u202e.txt');
        expect(result.stdout).not.toMatch(/[\x1b\u202e]/);
      }
      expect(plain.stdout).toContain('skipped secret.txt: symbolic link, not followed');
      expect(following.stdout).toContain('skipped secret.txt: symbolic link to outside the given folders');
    } finally {
      fs.rmSync(outside, { recursive: true, force: true });
    }
  });
});
