/**
 * The roll-up and year-over-year pages in a real browser (Debian's chromium driven by playwright-core):
 * a province whose two cities both have a 市中区, each shown under its own city; the year-over-year
 * chart with its series; the roll-up's workbook downloaded and read back. Viewing is open (no viewer
 * credential), so no sign-in. With GONGKAI_SCREENSHOTS=<dir> the pages are saved there as rollup.png
 * and trends.png.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { parseExpectedAgencies } from '../../shared/expected-agencies';
import { buildWebServer } from '../../web/server';
import { craftedReport, publishCrafted } from '../support/crafted-reports';
import { launchChromium } from '../support/browser';
import { pipelineUnderTest } from '../support/pipeline';

jest.setTimeout(120_000);

const SCREENSHOTS = process.env.GONGKAI_SCREENSHOTS ? path.resolve(process.env.GONGKAI_SCREENSHOTS) : null;
const EXPECTED_CSV = `division_code,agency,aliases
511002,内江市市中区人民政府,
511024,威远县人民政府,
511102,乐山市市中区人民政府,
511111,乐山市沙湾区人民政府,
`;
const listDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gongkai-rollup-browser-'));
const EXPECTED_FILE = path.join(listDir, 'expected.csv');
fs.writeFileSync(EXPECTED_FILE, EXPECTED_CSV);

/** Table 三's first cells and 复议 of one report. */
const applications = (received: number, granted: number, review: number) => ({
  'applications.newReceived.naturalPerson': received,
  'applications.newReceived.total': received,
  'applications.granted.total': granted,
  'reviewLitigation.review.total': review,
});

describe('roll-up pages in a browser', () => {
  const pipeline = pipelineUnderTest({ GONGKAI_EXPECTED_AGENCIES: EXPECTED_FILE }, { startWorkers: false });
  let server: FastifyInstance;
  let baseUrl: string;
  let browser: Browser;
  let page: Page;

  const shoot = async (name: string) => {
    if (SCREENSHOTS) await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
  };

  beforeAll(async () => {
    const db = pipeline.runtime().db;
    const expected = parseExpectedAgencies(EXPECTED_CSV);
    const reports: Array<[string, '2019' | '2021', number, ReturnType<typeof applications>]> = [
      ['内江市市中区人民政府', '2019', 2019, applications(31, 20, 1)],
      ['内江市市中区人民政府', '2019', 2020, applications(42, 30, 2)],
      ['内江市市中区人民政府', '2021', 2021, applications(57, 41, 3)],
      ['威远县人民政府', '2019', 2020, applications(12, 9, 0)],
      ['威远县人民政府', '2021', 2021, applications(18, 11, 1)],
      ['乐山市市中区人民政府', '2019', 2019, applications(22, 15, 0)],
      ['乐山市市中区人民政府', '2019', 2020, applications(26, 18, 1)],
      ['乐山市市中区人民政府', '2021', 2021, applications(24, 16, 2)],
    ];
    for (const [agency, template, year, values] of reports) await publishCrafted(db, `${agency}${year}.txt`, craftedReport(template, agency, year, values), { expected });
    await publishCrafted(db, '乐山市沙湾区人民政府2021.txt', craftedReport('2021', '乐山市沙湾区人民政府', 2021, applications(999, 1, 0)), {
      expected,
      findings: [{ rule: 'CONTENT_TAMPERING', severity: 'critical', message: '标题中含有博彩推广内容', cells: [] }],
    });

    server = await buildWebServer(pipeline.runtime());
    baseUrl = await server.listen({ port: 0, host: '127.0.0.1' });
    if (SCREENSHOTS) fs.mkdirSync(SCREENSHOTS, { recursive: true });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 }, locale: 'zh-CN', acceptDownloads: true });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    fs.rmSync(listDir, { recursive: true, force: true });
  });

  test('the province roll-up shows each 市中区 under its own city, the tampered report excluded', async () => {
    await page.goto(`${baseUrl}/rollup`);
    await page.click('nav.region-picker >> text=四川省');
    await page.selectOption('select[name=year]', '2021');
    await page.click('form.filters button[type=submit]');
    expect(new URL(page.url()).searchParams.get('region')).toBe('510000');

    const rows = await page.locator('table.heat tbody tr').evaluateAll((elements) => elements.map((row) => [row.getAttribute('data-division'), row.querySelector('th')!.textContent!.trim()]));
    expect(rows).toEqual([
      ['511000', '内江市'],
      ['511002', '市中区'],
      ['511024', '威远县'],
      ['511100', '乐山市'],
      ['511102', '市中区'],
      ['511111', '沙湾区'],
    ]);
    // 本年新收 of the province: 57 + 18 + 24; 沙湾区's 999 is left out.
    expect(await page.locator('table.form td[data-cell="applications.newReceived.total"]').innerText()).toBe('99');
    expect(await page.locator('[data-count=excluded]').innerText()).toBe('1');
    expect(await page.locator('table.excluded').innerText()).toContain('CONTENT_TAMPERING');
    expect(await page.locator('svg.bar-chart g.bar').count()).toBe(2);
    await shoot('rollup');

    const download = page.waitForEvent('download');
    await page.click('a[href^="/rollup.xlsx"]');
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile((await (await download).path())!);
    const names = workbook.worksheets.map((sheet) => sheet.name);
    expect(names).toEqual(expect.arrayContaining(['三、收到和处理政府信息公开申请情况', '各市合计', '已排除的报告', '未报送的机关']));
    const form = workbook.getWorksheet('三、收到和处理政府信息公开申请情况')!;
    const labelled = form.getRows(1, form.rowCount)!.find((row) => String(row.getCell(1).value).includes('本年新收政府信息公开申请数量'))!;
    expect(labelled.values).toContain(99);
    const totals = workbook.getWorksheet('各市合计')!;
    expect(totals.getColumn(1).values.filter(Boolean).map(String)).toEqual(['地区', '内江市', '　市中区', '　威远县', '乐山市', '　市中区', '　沙湾区', '合计']);
  });

  test('year over year: the chosen indicator over the years as a line chart, and each agency’s change', async () => {
    await page.goto(`${baseUrl}/rollup?region=510000&year=2021`);
    await page.click('main >> text=同比');
    const chart = page.locator('svg.line-chart').first();
    expect(await chart.locator('title').first().textContent()).toContain('政府信息公开申请数');
    // The province's line and one per city.
    expect(await chart.locator('g.series').evaluateAll((series) => series.map((line) => line.getAttribute('data-series')))).toEqual(['四川省合计', '内江市', '乐山市']);
    // 2019: 31 + 22; 2020: 42 + 12 + 26; 2021: 57 + 18 + 24.
    expect(await chart.locator('g.series').first().locator('circle.point title').allTextContents()).toEqual(['四川省合计 2019: 53', '四川省合计 2020: 80', '四川省合计 2021: 99']);
    expect(await chart.locator('g.series[data-series="内江市"] circle.point title').allTextContents()).toEqual(['内江市 2019: 31', '内江市 2020: 54', '内江市 2021: 75']);
    expect(await chart.locator('g.series polyline').count()).toBe(3);
    const changes = await page.locator('table.agency-change tbody tr').allInnerTexts();
    expect(changes.map((row) => row.split('\t').map((cell) => cell.trim()))).toEqual([
      ['乐山市市中区人民政府', '26', '24', '-2', '-7.7%'],
      ['内江市市中区人民政府', '42', '57', '+15', '+35.7%'],
      ['内江市威远县人民政府', '12', '18', '+6', '+50.0%'],
    ]);
    await shoot('trends');
  });
});
