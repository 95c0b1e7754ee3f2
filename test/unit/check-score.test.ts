import fs from 'node:fs';
import path from 'node:path';
import { countReadValues, countTemplateCells, flattenTable, isNamedByFinding, parseTruth, scoreRecord, type Truth } from '../../cli/check-score';
import { SCHEMA_VERSION, type CanonicalRecord, type Finding, type LegacyIndicator, type ReportTables } from '../../shared/record';

function record(tables: ReportTables, findings: Finding[] = [], meta: Partial<CanonicalRecord['meta']> = {}): CanonicalRecord {
  return {
    schemaVersion: SCHEMA_VERSION,
    source: { sha256: 'a'.repeat(64), fileName: 'report.txt', mediaType: 'text/plain', pages: 1, ocrPages: [] },
    meta: { agency: '米易县人民政府', year: 2021, template: '2021', script: 'simplified', publishedOn: null, period: null, title: null, ...meta },
    sections: [],
    tables,
    narrative: {},
    narrativeSources: {},
    findings,
  };
}

function finding(cells: string[]): Finding {
  return { rule: 'APPLICATIONS_ROW_TOTAL', severity: 'error', message: 'test', cells };
}

function indicator(key: string, label: string, value: number | null, unit: string | null = '件'): LegacyIndicator {
  return { key, label, marker: null, indicator: null, unit, value, raw: value === null ? '' : String(value) };
}

const truth = (tables: Truth['tables'], meta: Omit<Truth, 'tables'> = {}): Truth => ({ ...meta, tables });

const granted = { naturalPerson: 10, commercial: 0, total: 10 };
const review = { review: { upheld: 1, total: 1 } };

describe('flattenTable', () => {
  it('names every leaf by its dotted key', () => {
    expect([...flattenTable({ denied: { stateSecret: { total: 3 } }, granted: { total: null } }, 'applications')]).toEqual([
      ['applications.denied.stateSecret.total', 3],
      ['applications.granted.total', null],
    ]);
  });
});

describe('scoreRecord', () => {
  it('counts equal values as right', () => {
    const score = scoreRecord(record({ applications: { granted }, reviewLitigation: review }), truth({ applications: { granted }, reviewLitigation: review }));
    expect(score).toMatchObject({ right: 5, flagged: 0, silent: 0, metaMismatches: [] });
  });

  it('calls a wrong value flagged when a finding names its cell exactly', () => {
    const read = record({ applications: { granted: { ...granted, total: 11 } } }, [finding(['applications.granted.total'])]);
    const score = scoreRecord(read, truth({ applications: { granted } }));
    expect(score).toMatchObject({ right: 2, flagged: 1, silent: 0 });
    expect(score.values.find((value) => value.verdict === 'flagged')).toEqual({ key: 'applications.granted.total', expected: 10, got: 11, verdict: 'flagged' });
  });

  it('calls a wrong value flagged when a finding names its row or table', () => {
    const wrongRow = record({ applications: { granted: { ...granted, naturalPerson: 9 } } }, [finding(['applications.granted'])]);
    expect(scoreRecord(wrongRow, truth({ applications: { granted } }))).toMatchObject({ flagged: 1, silent: 0 });
    const wrongTable = record({ reviewLitigation: { review: { upheld: 0, total: 1 } } }, [finding(['reviewLitigation'])]);
    expect(scoreRecord(wrongTable, truth({ reviewLitigation: review }))).toMatchObject({ flagged: 1, silent: 0 });
  });

  it('calls a wrong value silent when no finding names it, even one whose key starts alike', () => {
    const read = record({ applications: { granted: { ...granted, total: 11 } } }, [finding(['applications.grant']), finding(['applications.granted.naturalPerson'])]);
    const score = scoreRecord(read, truth({ applications: { granted } }));
    expect(score).toMatchObject({ right: 2, flagged: 0, silent: 1 });
    expect(score.values.find((value) => value.verdict === 'silent')).toMatchObject({ key: 'applications.granted.total', expected: 10, got: 11 });
  });

  it('scores a value the record lacks as wrong: silent, or flagged by TABLE_MISSING', () => {
    const lacking = scoreRecord(record({ applications: { granted: { naturalPerson: 10, commercial: 0 } } }), truth({ applications: { granted } }));
    expect(lacking).toMatchObject({ right: 2, silent: 1 });
    expect(lacking.values.find((value) => value.verdict === 'silent')).toEqual({ key: 'applications.granted.total', expected: 10, got: undefined, verdict: 'silent' });
    const missingTable = scoreRecord(record({}, [{ ...finding(['applications']), rule: 'TABLE_MISSING' }]), truth({ applications: { granted } }));
    expect(missingTable).toMatchObject({ right: 0, flagged: 3, silent: 0 });
  });

  it('keeps blank apart from 0 in both directions', () => {
    const score = scoreRecord(record({ active: { fees: { amountWan: null }, licensing: { decisions: 0 } } }), truth({ active: { fees: { amountWan: 0 }, licensing: { decisions: null } } }));
    expect(score).toMatchObject({ right: 0, silent: 2 });
  });

  it('ignores values the record has beyond the truth, such as a collapsed row the truth leaves out', () => {
    const read = record({ applications: { granted, otherHandling: { naturalPerson: 0, total: 0 } }, active: { licensing: { decisions: 5 } } });
    const score = scoreRecord(read, truth({ applications: { granted } }));
    expect(score).toMatchObject({ right: 3, flagged: 0, silent: 0 });
    expect(score.values).toHaveLength(3);
  });

  it('matches pre-2019 indicators by label, repeats in printed order', () => {
    const list = [
      indicator('主动公开政府信息数', '主动公开政府信息数', 39, '条'),
      indicator('其他情形数', '其他情形数', null),
      indicator('其他情形数#2', '其他情形数', 2),
    ];
    const score = scoreRecord(
      record({ legacy: list }, [], { template: 'pre2019' }),
      truth({
        legacy: [
          { label: '(一)主动公开政府信息数', value: 39 },
          { label: '其他情形数', value: null },
          { label: '其他情形数', value: 3 },
          { label: '行政复议数量', value: null },
        ],
      }),
    );
    expect(score.values).toEqual([
      { key: 'legacy.主动公开政府信息数', expected: 39, got: 39, verdict: 'right' },
      { key: 'legacy.其他情形数', expected: null, got: null, verdict: 'right' },
      { key: 'legacy.其他情形数#2', expected: 3, got: 2, verdict: 'silent' },
      { key: 'legacy.行政复议数量', expected: null, got: undefined, verdict: 'silent' },
    ]);
  });

  it('reports agency, year and template mismatches without counting them as values', () => {
    const read = record({ reviewLitigation: review }, [], { agency: '四川省攀枝花市米易县人民政府', year: 2022, template: '2019' });
    const score = scoreRecord(read, truth({ reviewLitigation: review }, { agency: '米易县政府', year: 2021, template: '2021' }));
    expect(score.metaMismatches).toEqual([
      { field: 'year', expected: 2021, got: 2022 },
      { field: 'template', expected: '2021', got: '2019' },
    ]);
    expect(score).toMatchObject({ right: 2, flagged: 0, silent: 0 });
    expect(scoreRecord(record({}, [], { agency: null }), truth({}, { agency: '米易县人民政府' })).metaMismatches).toEqual([
      { field: 'agency', expected: '米易县人民政府', got: null },
    ]);
  });
});

describe('isNamedByFinding', () => {
  it('matches at dot boundaries only', () => {
    expect(isNamedByFinding('applications.denied.stateSecret.total', [finding(['applications.denied'])])).toBe(true);
    expect(isNamedByFinding('applications.deniedX.total', [finding(['applications.denied'])])).toBe(false);
    expect(isNamedByFinding('reviewLitigation.review.total', [finding([])])).toBe(false);
  });
});

describe('cell counts', () => {
  it('knows the template tables: 10 + 175 + 15 cells in the 2021 template (spec §1.1)', () => {
    expect(countTemplateCells('2021', {})).toBe(200);
    expect(countTemplateCells(null, {})).toBe(0);
  });

  it('counts read values: numbers and blanks of template tables, printed values of a pre-2019 list', () => {
    expect(countReadValues({ active: { fees: { amountWan: 48.12, amountWanUnit: '万元' }, licensing: { decisions: null } } })).toBe(2);
    const list = [indicator('a', 'a', 39), indicator('b', 'b', null), { ...indicator('c', 'c', null), raw: '/' }, indicator('heading', 'heading', null, null)];
    expect(countReadValues({ legacy: list })).toBe(2);
    expect(countTemplateCells('pre2019', { legacy: list })).toBe(3);
  });
});

describe('parseTruth', () => {
  const truthFiles = ['../../samples', '../../../shared/corpus/real']
    .map((folder) => path.join(__dirname, folder))
    .flatMap((folder) => fs.readdirSync(folder).filter((name) => name.endsWith('.truth.json')).map((name) => path.relative(process.cwd(), path.join(folder, name))));

  it.each(truthFiles)('accepts %s', (file) => {
    expect(() => parseTruth(JSON.parse(fs.readFileSync(file, 'utf8')))).not.toThrow();
  });

  it('says what is wrong with a malformed truth file', () => {
    expect(() => parseTruth({ tables: { applications: { granted: { total: '10' } }, legacy: [{ label: 'x', value: '1' }] } })).toThrow(/legacy/);
    expect(() => parseTruth({ year: 2021 })).toThrow(/tables/);
  });
});
