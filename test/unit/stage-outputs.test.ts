import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { sha256Of } from '../../shared/blob-store';
import { isInfrastructureError } from '../../shared/errors';
import { StageJobSchema, type StageOutputs } from '../../shared/pipeline';
import { StageOutputStore } from '../../shared/stage-outputs';

function ingestOutput(text: string): StageOutputs['ingest'] {
  return {
    file: { sha256: sha256Of(Buffer.from(text)), fileName: '2023年报.txt', mediaType: 'text/plain' },
    pages: [{ number: 1, text, source: 'plain', needsOcr: false, ocrReason: null }],
  };
}

describe('stage-output store', () => {
  let root: string;
  beforeEach(() => (root = fs.mkdtempSync(path.join(os.tmpdir(), 'gongkai-outputs-'))));
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  test('appends outputs to one pack and reads each back by its key', () => {
    const store = new StageOutputStore(root);
    const outputs = Array.from({ length: 50 }, (_, index) => ingestOutput(`某县人民政府办公室 第${index}份 ${'公开'.repeat(index)}`));
    const keys = outputs.map((output) => store.put<'ingest'>(output));
    store.close();
    expect(fs.readdirSync(path.join(root, 'packs'))).toHaveLength(1);
    expect(new Set(keys).size).toBe(50);
    for (const key of keys) expect(StageJobSchema.shape.input.safeParse(key).success).toBe(true);
    // A store opened later (another worker) reads them all.
    const reader = new StageOutputStore(root);
    keys.forEach((key, index) => expect(reader.get<'ingest'>(key)).toEqual(outputs[index]));
  });

  test('each store writes a pack of its own, so two processes never append to one file', () => {
    const first = new StageOutputStore(root);
    const second = new StageOutputStore(root);
    const a = first.put<'ingest'>(ingestOutput('甲'));
    const b = second.put<'ingest'>(ingestOutput('乙'));
    expect(a.split('.')[0]).not.toBe(b.split('.')[0]);
    expect(second.get<'ingest'>(a).pages[0].text).toBe('甲');
    expect(first.get<'ingest'>(b).pages[0].text).toBe('乙');
    first.close();
    second.close();
  });

  test('still reads an output stored as a file named by its sha256, as stores did before packs', () => {
    const output = ingestOutput('旧格式');
    const bytes = gzipSync(JSON.stringify(output));
    const key = sha256Of(bytes);
    fs.mkdirSync(path.join(root, key.slice(0, 2)));
    fs.writeFileSync(path.join(root, key.slice(0, 2), key), bytes);
    expect(new StageOutputStore(root).get<'ingest'>(key)).toEqual(output);
  });

  test('a damaged output is the document’s error, not a store outage', () => {
    const store = new StageOutputStore(root);
    const key = store.put<'ingest'>(ingestOutput('会被改坏的输出'));
    store.close();
    const [pack, offset] = key.split('.');
    const file = path.join(root, 'packs', `${pack}.pack`);
    const bytes = fs.readFileSync(file);
    bytes[Number(offset) + 12] ^= 0xff;
    fs.writeFileSync(file, bytes);
    let failure: unknown;
    try {
      store.get(key);
    } catch (error) {
      failure = error;
    }
    expect((failure as Error).message).toContain('已损坏');
    expect(isInfrastructureError(failure)).toBe(false);
  });

  test('a store that cannot be written is an outage the job layer waits out', () => {
    const blocker = path.join(root, 'not-a-directory');
    fs.writeFileSync(blocker, '');
    let failure: unknown;
    try {
      new StageOutputStore(blocker).put<'ingest'>(ingestOutput('写不进去'));
    } catch (error) {
      failure = error;
    }
    expect(isInfrastructureError(failure)).toBe(true);
    expect((failure as Error).message).toContain('阶段输出存储');
  });

  test('refuses keys that are not its own, so a key cannot name a file outside the store', () => {
    const store = new StageOutputStore(root);
    expect(() => store.get('../../etc/passwd')).toThrow('not a stage-output key');
    expect(StageJobSchema.shape.input.safeParse('../x.0.1.' + 'a'.repeat(64)).success).toBe(false);
  });
});
