import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DirectoryBlobStore, sha256Of } from '../../shared/blob-store';

describe('directory blob store', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'gongkai-blobs-'));
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  test('stores by sha256 and returns the same bytes', async () => {
    const store = new DirectoryBlobStore(root);
    const bytes = Buffer.from('政府信息公开工作年度报告');
    const key = await store.put(bytes);
    expect(key).toBe(sha256Of(bytes));
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(await store.has(key)).toBe(true);
    expect((await store.get(key)).equals(bytes)).toBe(true);
    expect(await store.put(Buffer.from(bytes))).toBe(key);
    expect(fs.readdirSync(path.join(root, key.slice(0, 2), key.slice(2, 4)))).toEqual([key]);
  });

  test('refuses keys that are not sha256, so a key cannot escape the root', async () => {
    const store = new DirectoryBlobStore(root);
    await expect(store.get('../../etc/passwd')).rejects.toThrow('not a sha256');
    expect(await store.has('a'.repeat(64))).toBe(false);
  });
});
