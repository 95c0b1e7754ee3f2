import { SCHEMA_VERSION, type ParsedReport } from '../../shared/record';
import { buildPublication } from '../../workers/publish/core';
import { withValidationFindings } from '../../workers/validate/core';

const parsed: ParsedReport = {
  record: {
    schemaVersion: SCHEMA_VERSION,
    source: { sha256: 'a'.repeat(64), fileName: 'r.txt', mediaType: 'text/plain', pages: 1, ocrPages: [] },
    meta: { agency: '米易县人民政府', year: 2021, template: '2021', script: 'traditional', publishedOn: '2022-02-08', period: null, title: null },
    sections: [],
    tables: { active: { licensing: { decisions: 9544 } } },
    narrative: {},
    narrativeSources: {},
    findings: [{ rule: 'TABLE_AMBIGUOUS', severity: 'warning', message: 'two splits', cells: ['applications.newReceived.total'] }],
  },
  cells: [
    { table: 'active', rowKey: 'licensing', columnKey: 'decisions', value: 9544, raw: '9544', unit: null, provenance: { page: 1, line: 40 } },
    { table: 'active', rowKey: 'fees', columnKey: 'amountWan', value: null, raw: '/', unit: '万元', provenance: { page: 1, line: 44 } },
  ],
};

describe('publish core', () => {
  const documentId = '6f1c2b0e-6d4c-4d55-9a57-1b0f3f7a9c11';
  const run = { documentId, round: 2, pipelineVersion: 3 };

  test('parse-time and validation findings both land in the record and the findings rows', () => {
    const report = withValidationFindings(parsed, [{ rule: 'SECTION_MISSING', severity: 'warning', message: '六 missing', cells: [] }]);
    expect(parsed.record.findings).toHaveLength(1);
    const publication = buildPublication(run, report);
    expect(publication.record.findings.map((finding) => finding.rule)).toEqual(['TABLE_AMBIGUOUS', 'SECTION_MISSING']);
    expect(publication.findings).toHaveLength(2);
    expect(JSON.parse(publication.findings[0].cells as string)).toEqual(['applications.newReceived.total']);
    expect(JSON.parse(publication.report.record as string).findings).toHaveLength(2);
  });

  test('one cell row per extracted number, placeholders kept as null with their raw text', () => {
    const publication = buildPublication(run, parsed);
    expect(publication.cells).toEqual([
      expect.objectContaining({ table: 'active', rowKey: 'licensing', columnKey: 'decisions', value: 9544, raw: '9544', provenance: { page: 1, line: 40 } }),
      expect.objectContaining({ rowKey: 'fees', value: null, raw: '/', unit: '万元' }),
    ]);
    expect(publication.report).toMatchObject({ agency: '米易县人民政府', year: 2021, template: '2021', agency_key: expect.any(String), round: 2, pipeline_version: 3 });
  });
});
