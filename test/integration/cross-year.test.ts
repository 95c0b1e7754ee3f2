/** The year-over-year checks read the same agency's previous report from Postgres. */
import fs from 'node:fs';
import path from 'node:path';
import { waitForDocuments } from '../../cli/wait';
import { submitFile } from '../../shared/submissions';
import { pipelineUnderTest } from '../support/pipeline';
import { SAMPLES_DIR } from '../support/environment';

jest.setTimeout(60_000);

const report2021 = fs.readFileSync(path.join(SAMPLES_DIR, '001_8775b43b601402e9.txt'), 'utf8');

/** The 2022 report of the same agency: one request carried over that 2021 did not carry forward, and five documents in force from nowhere. */
const report2022 = report2021
  .replaceAll('2021年', '2022年')
  .replace('二、上年结转政府信息公开申请数量\t\t0\t0\t0\t0\t0\t0\t0', '二、上年结转政府信息公开申请数量\t\t1\t0\t0\t0\t0\t0\t1')
  .replace('四、结转下年度继续办理\t\t0\t0\t0\t0\t0\t0\t0', '四、结转下年度继续办理\t\t1\t0\t0\t0\t0\t0\t1')
  .replace('行政规范性文件\t0\t0\t0', '行政规范性文件\t0\t0\t5');

describe('cross-year checks', () => {
  const pipeline = pipelineUnderTest();

  async function publish(text: string, fileName: string): Promise<string> {
    const runtime = pipeline.runtime();
    const { documentId } = await submitFile(runtime, { bytes: Buffer.from(text), fileName });
    await waitForDocuments(runtime.db, [documentId], { timeoutMs: 30_000, quiet: true });
    return documentId;
  }

  test('carried-over requests and documents in force are compared with last year', async () => {
    const runtime = pipeline.runtime();
    expect(report2022).not.toBe(report2021);
    await publish(report2021, 'zhanhe-2021.txt');
    const id2022 = await publish(report2022, 'zhanhe-2022.txt');

    const report = await runtime.db.selectFrom('reports').select(['agency', 'year']).where('document_id', '=', id2022).executeTakeFirstOrThrow();
    expect(report).toEqual({ agency: '湛河区城市管理局', year: 2022 });
    const findings = await runtime.db.selectFrom('findings').select(['rule', 'severity', 'cells']).where('document_id', '=', id2022).execute();
    const rules = findings.map((finding) => finding.rule);
    expect(rules).toContain('CARRY_OVER_MISMATCH');
    expect(rules).toContain('STOCK_FLOW_MISMATCH');
    const carryOver = findings.filter((finding) => finding.rule === 'CARRY_OVER_MISMATCH');
    expect(carryOver.every((finding) => finding.severity === 'warning')).toBe(true);
    expect(carryOver.flatMap((finding) => finding.cells as unknown as string[])).toContain('applications.carriedOver.naturalPerson');
    expect(rules).not.toContain('APPLICATIONS_BALANCE');
  });
});
