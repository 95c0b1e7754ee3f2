/** The same report as text, HTML (GBK, rowspan/colspan), DOCX, PDF, OFD, Word 97-2003 and WPS through the pipeline: identical cells. */
import fs from 'node:fs';
import path from 'node:path';
import { waitForDocuments } from '../../cli/wait';
import { submitFile } from '../../shared/submissions';
import { pipelineUnderTest } from '../support/pipeline';
import { REPO_ROOT } from '../support/environment';

jest.setTimeout(90_000);

const FILES = [
  'test/fixtures/parse/001-nonzero.txt',
  'test/fixtures/layouts/001-nonzero.html',
  'test/fixtures/layouts/001-nonzero.docx',
  'test/fixtures/parse/001-nonzero.pdf',
  'test/fixtures/formats/001-nonzero.ofd',
  'test/fixtures/formats/001-nonzero.doc',
  'test/fixtures/formats/001-nonzero.wps',
];

describe('one report in every format', () => {
  const pipeline = pipelineUnderTest();

  test('every format is published with the same cells and media type detected', async () => {
    const runtime = pipeline.runtime();
    const ids: string[] = [];
    for (const file of FILES) ids.push((await submitFile(runtime, { bytes: fs.readFileSync(path.join(REPO_ROOT, file)), fileName: path.basename(file) })).documentId);
    expect(await waitForDocuments(runtime.db, ids, { timeoutMs: 60_000, quiet: true })).toEqual({ published: FILES.length, deadLettered: 0, unfinished: 0 });

    const cellsOf = async (id: string) =>
      (await runtime.db.selectFrom('cells').select(['table_name', 'row_key', 'column_key', 'value']).where('document_id', '=', id).execute())
        .map((cell) => `${cell.table_name}.${cell.row_key}.${cell.column_key}=${cell.value}`)
        .sort();
    const fromText = await cellsOf(ids[0]);
    expect(fromText.length).toBe(200);
    for (const id of ids.slice(1)) expect(await cellsOf(id)).toEqual(fromText);

    const mediaTypes = await runtime.db.selectFrom('documents').select('media_type').where('id', 'in', ids).execute();
    expect(mediaTypes.map((row) => row.media_type).sort()).toEqual([
      'application/msword',
      'application/ofd',
      'application/pdf',
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      'text/html',
      'application/wps-office.wps',
      'text/plain',
    ].sort());
  });
});
