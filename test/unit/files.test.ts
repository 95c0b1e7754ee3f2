/** The folder walk of `ingest` and `check`: links, loops and special files are skipped with a reason, never followed out of the given folders. */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { collectFiles } from '../../cli/files';
import { printable } from '../../cli/printable';

const HOSTILE_NAME = 'red\x1b[31m\u202etxt.exe.txt';

describe('collectFiles', () => {
  let scratch: string;
  let folder: string;
  let outsideFile: string;

  beforeAll(() => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'gongkai-files-'));
    folder = path.join(scratch, 'reports');
    fs.mkdirSync(path.join(folder, 'nested'), { recursive: true });
    outsideFile = path.join(scratch, 'secret.txt');
    fs.writeFileSync(outsideFile, 'not a report');
    fs.writeFileSync(path.join(folder, 'report.txt'), 'report');
    fs.writeFileSync(path.join(folder, HOSTILE_NAME), 'report');
    fs.writeFileSync(path.join(folder, 'nested', 'deep.txt'), 'report');
    fs.symlinkSync(outsideFile, path.join(folder, 'outside.txt'));
    fs.symlinkSync('/etc', path.join(folder, 'etc'));
    fs.symlinkSync(path.join(folder, 'report.txt'), path.join(folder, 'inside.txt'));
    fs.symlinkSync('..', path.join(folder, 'nested', 'loop'));
    fs.symlinkSync(path.join(folder, 'missing.txt'), path.join(folder, 'broken.txt'));
    spawnSync('mkfifo', [path.join(folder, 'pipe.txt')]);
  });

  afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

  const relative = (paths: string[]) => paths.map((file) => path.relative(folder, file));
  const reasons = (skipped: { path: string; reason: string }[]) => Object.fromEntries(skipped.map((entry) => [path.relative(folder, entry.path), entry.reason]));
  const hasFifo = () => fs.existsSync(path.join(folder, 'pipe.txt'));

  test('takes only real files and reports every link and special file once, with a reason', async () => {
    const { files, skipped } = await collectFiles([folder]);
    expect(relative(files).sort()).toEqual(['nested/deep.txt', 'report.txt', HOSTILE_NAME].sort());
    const expected: Record<string, RegExp> = {
      'outside.txt': /symbolic link, not followed/,
      etc: /symbolic link, not followed/,
      'inside.txt': /symbolic link, not followed/,
      'broken.txt': /symbolic link, not followed/,
      'nested/loop': /symbolic link, not followed/,
    };
    if (hasFifo()) expected['pipe.txt'] = /FIFO/;
    expect(reasons(skipped)).toEqual(Object.fromEntries(Object.entries(expected).map(([name, reason]) => [name, expect.stringMatching(reason)])));
    expect(skipped).toHaveLength(Object.keys(expected).length);
  });

  test('--follow-links follows a link inside the folder, refuses one outside and survives a loop', async () => {
    const { files, skipped } = await collectFiles([folder], { followLinks: true });
    expect(relative(files).sort()).toEqual(['inside.txt', 'nested/deep.txt', 'report.txt', HOSTILE_NAME].sort());
    expect(files).not.toContain(outsideFile);
    const skippedReasons = reasons(skipped);
    expect(skippedReasons).toMatchObject({
      'outside.txt': expect.stringMatching(/outside the given folders/),
      etc: expect.stringMatching(/outside the given folders/),
      'broken.txt': expect.stringMatching(/symbolic link to nothing/),
      'nested/loop': expect.stringMatching(/walked already/),
    });
    if (hasFifo()) expect(skippedReasons['pipe.txt']).toMatch(/FIFO/);
  });

  test('a link named on the command line is followed, but links below it still stay inside it', async () => {
    const linkedFolder = path.join(scratch, 'linked-reports');
    fs.symlinkSync(folder, linkedFolder);
    const { files, skipped } = await collectFiles([linkedFolder, path.join(folder, 'outside.txt')], { followLinks: true });
    expect(files).toContain(path.join(linkedFolder, 'report.txt'));
    expect(files).toContain(path.join(folder, 'outside.txt'));
    expect(skipped).toContainEqual({ path: path.join(linkedFolder, 'etc'), reason: 'symbolic link to outside the given folders' });
  });

  test('a missing path is reported, not thrown', async () => {
    const missing = path.join(scratch, 'nowhere');
    await expect(collectFiles([missing])).resolves.toEqual({ files: [], skipped: [{ path: missing, reason: 'unreadable (ENOENT)' }] });
  });
});

describe('printable', () => {
  test('escapes C0/C1 controls, DEL and bidi overrides, and leaves other text alone', () => {
    expect(printable(HOSTILE_NAME)).toBe('red\\x1b[31m\\u202etxt.exe.txt');
    expect(printable('a\tb\nc\x7f\x9b\u2066\u2069')).toBe('a\\x09b\\x0ac\\x7f\\x9b\\u2066\\u2069');
    expect(printable('米易县人民政府 2021.pdf')).toBe('米易县人民政府 2021.pdf');
  });
});
