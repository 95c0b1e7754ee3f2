/**
 * The roll-up on crafted published reports of one province: two cities that both have a 市中区
 * (内江市市中区 511002, 乐山市市中区 511102) and a county (内江市威远县 511024). Sums per county, per
 * city and for the province; an error report left out and counted; a resubmitted copy counted once; a
 * missing agency listed; year over year from a 2020 report (2019 template) to a 2021 one.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { agencyChanges, changeBetween, computeRollup, indicatorTrends, regionFor, sumExact, type Rollup } from '../../shared/db/rollup';
import { divisionByCode, type Division } from '../../shared/divisions';
import { parseExpectedAgencies } from '../../shared/expected-agencies';
import type { Finding, ParsedReport, TemplateId } from '../../shared/record';
import { buildWebServer } from '../../web/server';
import { craftedLegacyReport, craftedReport, publishCrafted } from '../support/crafted-reports';
import { pipelineUnderTest } from '../support/pipeline';

jest.setTimeout(60_000);

const EXPECTED_CSV = `division_code,agency,aliases
511002,内江市市中区人民政府,
511102,乐山市市中区人民政府,
511024,威远县人民政府,
511000,内江市教育局,
511111,乐山市沙湾区人民政府,
`;
const expected = parseExpectedAgencies(EXPECTED_CSV);
const listDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gongkai-rollup-'));
const EXPECTED_FILE = path.join(listDir, 'expected.csv');
fs.writeFileSync(EXPECTED_FILE, EXPECTED_CSV);
afterAll(() => fs.rmSync(listDir, { recursive: true, force: true }));

const BALANCE_ERROR: Finding = {
  rule: 'APPLICATIONS_BALANCE',
  severity: 'error',
  message: '一 + 二 ≠ 七 + 四 (总计)',
  messageEn: '1 + 2 ≠ 7 + 4 (total)',
  cells: ['applications.newReceived.total'],
};

describe('roll-up and year over year', () => {
  const pipeline = pipelineUnderTest({ GONGKAI_EXPECTED_AGENCIES: EXPECTED_FILE }, { startWorkers: false });
  const db = () => pipeline.runtime().db;
  const ids = new Map<string, string>();

  async function publish(label: string, template: TemplateId, agency: string, year: number, values: Record<string, number | null>, findings: Finding[] = [], minutesAgo = 0) {
    await publishParsed(label, craftedReport(template, agency, year, values), findings, minutesAgo);
  }

  async function publishParsed(label: string, parsed: ParsedReport, findings: Finding[] = [], minutesAgo = 0) {
    ids.set(label, await publishCrafted(db(), `${label}.txt`, parsed, { findings, minutesAgo, expected }));
  }

  const province = () => regionFor('510000')!;
  const cell = (rollup: Rollup, key: string) => rollup.forms.flatMap((form) => form.cells).find((item) => item.cellKey === key)?.value;

  beforeAll(async () => {
    await publish('内江市中区2021', '2021', '内江市市中区人民政府', 2021, {
      'applications.newReceived.naturalPerson': 9,
      'applications.newReceived.total': 10,
      'applications.granted.total': 6,
      'reviewLitigation.review.total': 1,
      'active.fees.amountWan': 0.1,
    });
    await publish('乐山市中区2021', '2021', '乐山市市中区人民政府', 2021, {
      'applications.newReceived.naturalPerson': 7,
      'applications.newReceived.total': 7,
      'applications.granted.total': null,
      'reviewLitigation.review.total': 2,
      'active.fees.amountWan': 0.2,
    });
    // 威远县 sent its report twice: the older copy must not be counted beside the newer one.
    await publish('威远县2021-旧', '2021', '威远县人民政府', 2021, { 'applications.newReceived.total': 100, 'applications.granted.total': 100 }, [], 60);
    await publish('威远县2021', '2021', '威远县人民政府', 2021, { 'applications.newReceived.total': 5, 'applications.granted.total': 4 }, [], 10);
    await publish('内江教育局2021', '2021', '内江市教育局', 2021, { 'applications.newReceived.total': 1000 }, [BALANCE_ERROR]);
    await publish('内江市中区2020', '2019', '内江市市中区人民政府', 2020, { 'applications.newReceived.total': 8, 'applications.granted.total': 5 });
    await publish('乐山市中区2020', '2019', '乐山市市中区人民政府', 2020, { 'applications.newReceived.total': 7, 'applications.granted.total': 7 });
    await publishParsed(
      '内江市中区2018',
      craftedLegacyReport('内江市市中区人民政府', 2018, [
        { label: '主动公开政府信息数', indicator: 'proactive', value: 120 },
        { label: '受理申请总数', indicator: 'applicationsReceived', value: 6 },
        { label: '其中：当面申请数', indicator: null, value: 2 },
      ]),
    );
  });

  test('each report is placed in its own city: the two 市中区 are different agencies', async () => {
    const rows = await db().selectFrom('reports').select(['document_id', 'agency_key', 'division_code']).execute();
    const placed = new Map(rows.map((row) => [row.document_id, row.division_code]));
    expect(placed.get(ids.get('内江市中区2021')!)).toBe('511002');
    expect(placed.get(ids.get('乐山市中区2021')!)).toBe('511102');
    expect(placed.get(ids.get('威远县2021')!)).toBe('511024');
    expect(placed.get(ids.get('内江教育局2021')!)).toBe('511000');
  });

  test('the province sums every counted report without errors, exactly, once per agency', async () => {
    const rollup = await computeRollup(db(), province(), 2021, expected);
    expect(rollup.counted).toBe(3);
    expect(cell(rollup, 'applications.newReceived.total')).toBe('22');
    expect(cell(rollup, 'applications.newReceived.naturalPerson')).toBe('16');
    // A blank cell adds nothing; the cell's sum counts the reports that have a value.
    expect(rollup.forms[0]!.cells.find((item) => item.cellKey === 'applications.granted.total')).toMatchObject({ value: '10', reports: 2 });
    // 0.1 + 0.2 in floating point is 0.30000000000000004.
    expect(cell(rollup, 'active.fees.amountWan')).toBe('0.3');
    expect(rollup.forms.map((form) => [form.template, form.reports])).toEqual([['2021', 3]]);
    expect(rollup.indicators.find((indicator) => indicator.id === 'applicationsReceived')).toMatchObject({ value: '22', reports: 3 });
  });

  test('the error report is listed with its reason, counted as excluded and left out of every sum', async () => {
    const rollup = await computeRollup(db(), province(), 2021, expected);
    expect(rollup.excluded).toEqual([
      { documentId: ids.get('内江教育局2021'), fileName: '内江教育局2021.txt', agency: '内江市教育局', divisionCode: '511000', reasons: [{ rule: 'APPLICATIONS_BALANCE', severity: 'error', message: BALANCE_ERROR.message, messageEn: BALANCE_ERROR.messageEn }] },
    ]);
    const neijiang = rollup.children.find((child) => child.code === '511000')!;
    expect(neijiang).toMatchObject({ name: '内江市', reports: 2, excluded: 1, missing: 0 });
    expect(neijiang.indicators.applicationsReceived).toBe('15');
    expect(neijiang.parts.map((part) => [part.name, part.reports, part.excluded, part.indicators.applicationsReceived ?? null])).toEqual([
      ['市中区', 1, 0, '10'],
      ['威远县', 1, 0, '5'],
      ['内江市本级', 0, 1, null],
    ]);
  });

  test('per city and per county: each 市中区 stands under its own city', async () => {
    const rollup = await computeRollup(db(), province(), 2021, expected);
    expect(rollup.children.map((child) => [child.code, child.name, child.indicators.applicationsReceived])).toEqual([
      ['511000', '内江市', '15'],
      ['511100', '乐山市', '7'],
    ]);
    const leshan = rollup.children.find((child) => child.code === '511100')!;
    expect(leshan.parts.map((part) => [part.code, part.name, part.indicators.applicationsReceived ?? null, part.missing])).toEqual([
      ['511102', '市中区', '7', 0],
      ['511111', '沙湾区', null, 1],
    ]);

    const city = await computeRollup(db(), regionFor('511000')!, 2021, expected);
    expect(cell(city, 'applications.newReceived.total')).toBe('15');
    expect(city.children.map((child) => [child.name, child.indicators.applicationsReceived ?? null])).toEqual([
      ['市中区', '10'],
      ['威远县', '5'],
      ['内江市本级', null],
    ]);
    const county = await computeRollup(db(), regionFor('511102')!, 2021, expected);
    expect(cell(county, 'applications.newReceived.total')).toBe('7');
    expect(county.excluded).toEqual([]);
    expect((await computeRollup(db(), null, 2021, expected)).children.map((child) => [child.name, child.indicators.applicationsReceived])).toEqual([['四川省', '22']]);
  });

  test('an expected agency without a report is missing in its region only', async () => {
    expect((await computeRollup(db(), province(), 2021, expected)).missing).toEqual([{ agency: '乐山市沙湾区人民政府', divisionCode: '511111' }]);
    expect((await computeRollup(db(), regionFor('511000')!, 2021, expected)).missing).toEqual([]);
    // In 2020 only the two 市中区 reported.
    expect((await computeRollup(db(), province(), 2020, expected)).missing.map((agency) => agency.agency).sort()).toEqual(['内江市教育局', '内江市威远县人民政府', '乐山市沙湾区人民政府'].sort());
  });

  test('year over year compares a 2020 report (2019 template) with a 2021 one through the indicators', async () => {
    const trends = await indicatorTrends(db(), { region: province() });
    expect(trends.years).toEqual([2018, 2020, 2021]);
    expect(trends.series.find((series) => series.indicator === 'applicationsReceived')!.values).toEqual(['6', '15', '22']);
    expect(trends.series.find((series) => series.indicator === 'applicationsGranted')!.values).toEqual([null, '12', '10']);
    expect(trends.series.find((series) => series.indicator === 'proactive')!.values).toEqual(['120', null, null]);

    const changes = await agencyChanges(db(), province(), 2021, 'applicationsReceived');
    const byAgency = new Map(changes.map((change) => [change.agency, change]));
    expect(byAgency.get('内江市市中区人民政府')).toMatchObject({ lastYear: '8', thisYear: '10', change: '2', percent: '25.0' });
    expect(byAgency.get('乐山市市中区人民政府')).toMatchObject({ lastYear: '7', thisYear: '7', change: '0', percent: '0.0' });
    expect(byAgency.get('内江市威远县人民政府')).toMatchObject({ lastYear: null, thisYear: '5', change: null, percent: null });
    expect(byAgency.has('内江市教育局')).toBe(false);

    const neijiangDistrict = changes.find((change) => change.agency === '内江市市中区人民政府')!;
    const own = await indicatorTrends(db(), { agencyKey: neijiangDistrict.agencyKey });
    expect(own.series.find((series) => series.indicator === 'applicationsReceived')!.values).toEqual(['6', '8', '10']);
  });

  test('a pre-2019 list is summed row by row in its own form', async () => {
    const rollup = await computeRollup(db(), province(), 2018, expected);
    expect(rollup.forms.map((form) => form.template)).toEqual(['pre2019']);
    expect(cell(rollup, 'legacy.受理申请总数')).toBe('6');
    expect(rollup.indicators.map((indicator) => [indicator.id, indicator.value])).toEqual([
      ['proactive', '120'],
      ['applicationsReceived', '6'],
    ]);
  });

  test('exact arithmetic on decimal text', () => {
    expect(sumExact('0.1', '0.2')).toBe('0.3');
    expect(sumExact('9007199254740993', '1')).toBe('9007199254740994');
    expect(sumExact('-1.25', '0.5')).toBe('-0.75');
    expect(changeBetween('3', '4')).toEqual({ change: '1', percent: '33.3' });
    expect(changeBetween('3', '1')).toEqual({ change: '-2', percent: '-66.7' });
    expect(changeBetween('0', '4')).toEqual({ change: '4', percent: null });
  });

  describe('over HTTP', () => {
    let server: FastifyInstance;

    beforeAll(async () => {
      server = await buildWebServer(pipeline.runtime());
    });
    afterAll(async () => {
      await server?.close();
    });

    test('/api/rollup gives the same sums as text; an unknown code is refused', async () => {
      const response = await server.inject({ url: '/api/rollup?region=510000&year=2021' });
      expect(response.statusCode).toBe(200);
      const body = response.json();
      expect(body.counted).toBe(3);
      expect(body.forms[0].cells.find((item: { cellKey: string }) => item.cellKey === 'applications.newReceived.total').value).toBe('22');
      expect(body.missing).toEqual([{ agency: '乐山市沙湾区人民政府', divisionCode: '511111' }]);
      expect((await server.inject({ url: '/api/rollup?region=999999' })).statusCode).toBe(400);
      expect((await server.inject({ url: '/api/rollup?region=510000&year=20x1' })).statusCode).toBe(400);
    });

    test('the roll-up page draws the summed form with the template labels and lists what was left out', async () => {
      const response = await server.inject({ url: '/rollup?region=510000&year=2021', headers: { accept: 'text/html' } });
      expect(response.statusCode).toBe(200);
      const body = response.body;
      expect(body).toContain('本年新收政府信息公开申请数量');
      expect(body).toMatch(/data-cell="applications\.newReceived\.total"[^>]*>22</);
      expect(body).toContain('/documents/' + ids.get('内江教育局2021') + '/report');
      expect(body).toContain('乐山市沙湾区人民政府');
      expect(body).toContain('<svg class="chart bar-chart"');
      // The city's own department (内江市教育局, excluded) has a row of its own under the city.
      expect(body).toContain('内江市本级');

      const english = (await server.inject({ url: '/rollup?region=510000&year=2021&lang=en', headers: { accept: 'text/html' } })).body;
      expect(english).toContain('Agencies that did not report');
      expect(english).toContain('内江市: own agencies');
      expect(english).toContain('1 + 2 ≠ 7 + 4 (total)');
    });
  });
});

/** Keeps the Division import honest: the codes above are the divisions the test means. */
test('the divisions of this test exist as named', () => {
  const named = (code: string) => (divisionByCode(code) as Division).fullName;
  expect(['511002', '511102', '511024', '511111'].map(named)).toEqual(['四川省内江市市中区', '四川省乐山市市中区', '四川省内江市威远县', '四川省乐山市沙湾区']);
});
