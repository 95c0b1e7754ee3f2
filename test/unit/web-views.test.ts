import type { DocumentListRow } from '../../shared/db/browse';
import { SCHEMA_VERSION, type CanonicalRecord } from '../../shared/record';
import { documentSearch } from '../../web/actions';
import { html, page, statusBadge, type PageContext } from '../../web/html';
import { auditView } from '../../web/views/accounts';
import { documentsView } from '../../web/views/documents';
import { reportView } from '../../web/views/report';

const DOCUMENT = '6f1c2b0e-6d4c-4d55-9a57-1b0f3f7a9c11';

const record: CanonicalRecord = {
  schemaVersion: SCHEMA_VERSION,
  source: { sha256: 'a'.repeat(64), fileName: '<b>r</b>.txt', mediaType: 'text/plain', pages: 1, ocrPages: [] },
  meta: { agency: '<script>alert(1)</script>办公室', year: 2021, template: '2021', script: 'simplified', publishedOn: null, period: null, title: '<img src=x onerror=alert(1)>' },
  sections: [],
  tables: {
    active: { licensing: { decisions: 9544 } },
    reviewLitigation: { review: { upheld: 1, corrected: 0, other: 0, pending: 0, total: 2 } },
  },
  narrative: {},
  narrativeSources: {},
  findings: [
    {
      rule: 'REVIEW_LITIGATION_TOTAL',
      severity: 'error',
      message: '行政复议：总计 2 ≠ 结果维持 1 + 结果纠正 0 + 其他结果 0 + 尚未审结 0 = 1',
      messageEn: 'review: upheld 1 + corrected 0 + other 0 + pending 0 = 1 but total = 2',
      cells: ['reviewLitigation.review.total'],
    },
    { rule: 'CONTENT_TAMPERING', severity: 'critical', message: '机构名称中有被植入的内容：<a href=//bet365>', messageEn: 'injected content in the agency name: <a href=//bet365>', cells: ['meta.agency'] },
    // A report stored before findings were written in both languages: one English message.
    { rule: 'VALUE_DOMAIN', severity: 'warning', message: 'unusually large', cells: ['active.licensing.decisions'] },
  ],
};

function context(locale: PageContext['locale']): PageContext {
  return { role: 'viewer', actionsEnabled: true, locale, user: 'li', csrfToken: 't' };
}

function row(overrides: Partial<DocumentListRow>): DocumentListRow {
  return {
    id: DOCUMENT,
    fileName: '第10区.txt',
    status: 'published',
    stage: 'publish',
    error: null,
    agency: '第10区人民政府',
    agencyFullName: '甲市第10区人民政府',
    year: 2021,
    template: '2021',
    errors: 2,
    warnings: 1,
    critical: 0,
    updatedAt: new Date('2026-12-02T02:55:00Z'),
    ...overrides,
  };
}

describe('web views', () => {
  test('html escapes every interpolation except markup it made itself', () => {
    const inner = html`<em>${'<i>'}</em>`;
    expect(html`<p title="${'"x" & y'}">${inner}${['<', 1, null, false]}</p>`.text).toBe('<p title="&quot;x&quot; &amp; y"><em>&lt;i&gt;</em>&lt;1</p>');
  });

  test('a report page shows injected text as text, announces tampering, and marks failing and warned cells', () => {
    const page = reportView('zh-CN', DOCUMENT, record, []).text;
    expect(page).not.toMatch(/<script|<img|<a href=\/\/bet365|<b>r<\/b>/);
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;办公室');
    expect(page).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(page).toMatch(/<div class="banner" role="alert">⚠ 内容被篡改/);
    expect(page).toMatch(/<td class="value num failing" data-cell="reviewLitigation\.review\.total">.*2<\/a><sup class="marker"><a href="#finding-1">1<\/a><\/sup><\/td>/);
    expect(page).toMatch(/<td class="value num warned" data-cell="active\.licensing\.decisions"/);
    expect(page).toContain(`href="/documents/${DOCUMENT}/source?cell=active.licensing.decisions#hit"`);
    expect(page).toMatch(/<td class="value num" data-cell="reviewLitigation\.review\.upheld">/);
    expect(page).toContain('id="finding-3"');
  });

  test('findings read in the page’s language, with rule, severity and cells by name; an old English-only finding shows as stored', () => {
    const chinese = reportView('zh-CN', DOCUMENT, record, []).text;
    expect(chinese).toContain('<div class="message">行政复议：总计 2 ≠ 结果维持 1 + 结果纠正 0 + 其他结果 0 + 尚未审结 0 = 1</div>');
    expect(chinese).toContain('1. 错误 · 复议、诉讼结果之和与总计不符');
    expect(chinese).toContain('<span title="reviewLitigation.review.total">行政复议·总计</span>');
    expect(chinese).toContain('<span title="meta.agency">机构名称</span>');
    expect(chinese).toContain('<div class="message">unusually large</div>');
    expect(chinese).toContain('<h2>问题（3）</h2>');

    const english = reportView('en', DOCUMENT, record, []).text;
    expect(english).toContain('<div class="message">review: upheld 1 + corrected 0 + other 0 + pending 0 = 1 but total = 2</div>');
    expect(english).toContain('1. error · review or litigation outcomes do not sum to the total');
    expect(english).toContain('<span title="reviewLitigation.review.total">reviewLitigation.review.total</span>');
    expect(english).toMatch(/<div class="banner" role="alert">⚠ Tampered content/);
    expect(english).not.toMatch(/行政复议：总计/);
  });

  test('the page frame and status badges follow the locale', () => {
    const chinese = page('文档', context('zh-CN'), html`<p>x</p>`);
    expect(chinese).toContain('<html lang="zh-CN">');
    expect(chinese).toContain('<a href="/documents">文档</a>');
    const english = page('Documents', context('en'), html`<p>x</p>`);
    expect(english).toContain('<html lang="en">');
    expect(english).toContain('<a href="/documents">Documents</a>');
    expect(statusBadge('dead_lettered', 'zh-CN').text).toBe('<span class="status dead_lettered">死信</span>');
    expect(statusBadge('queued', 'zh-CN').text).toContain('排队中');
    expect(statusBadge('dead_lettered', 'en').text).toContain('dead-lettered');
  });

  test('the documents list: sortable headers that keep the filters, page numbers, Beijing times', () => {
    const search = documentSearch({ agency: '第10区', hasErrors: '1', rule: 'APPLICATIONS_BALANCE', sort: 'fileName', page: '3', limit: '20' });
    expect(search).toMatchObject({ agency: '第10区', hasErrors: true, rule: 'APPLICATIONS_BALANCE', sort: 'fileName', limit: 20, offset: 40 });
    const view = documentsView(context('zh-CN'), search, { total: 450, rows: [row({})] }, ['APPLICATIONS_BALANCE', 'SECTION_MISSING']).text;
    expect(view).toContain('第 3 / 23 页');
    expect(view).toContain('共 450 份文档，显示第 41–41 份');
    // The current column turns around on a second click; the others start in their usual direction.
    expect(view).toMatch(/<th aria-sort="ascending"><a class="sort current" data-sort="fileName" href="\/documents\?agency=%E7%AC%AC10%E5%8C%BA&amp;rule=APPLICATIONS_BALANCE&amp;hasErrors=1&amp;limit=20&amp;sort=fileName&amp;dir=desc">文件 ▲<\/a><\/th>/);
    expect(view).toContain('data-sort="errors" href="/documents?agency=%E7%AC%AC10%E5%8C%BA&amp;rule=APPLICATIONS_BALANCE&amp;hasErrors=1&amp;limit=20&amp;sort=errors&amp;dir=desc"');
    for (const [page, label] of [[1, '« 首页'], [2, '‹ 上一页'], [4, '下一页 ›'], [23, '末页 »']] as const) {
      expect(view).toMatch(new RegExp(`data-page="${page}">${label}</a>`));
    }
    expect(view).toContain('<strong>3</strong>');
    expect(view).toContain('<option value="APPLICATIONS_BALANCE" selected>申请数量收支不平衡（一 + 二 ≠ 七 + 四） (APPLICATIONS_BALANCE)</option>');
    expect(view).toContain('<input type="checkbox" name="hasErrors" value="1" checked>');
    expect(view).toContain('<td class="muted">2026-12-02 10:55:00</td>');
    expect(view).toContain('错误 2 · 警告 1');
    expect(view).toContain('<span class="status published">已发布</span>');
    // The agency with its place, so same-named districts of different cities tell apart.
    expect(view).toContain('<td title="第10区人民政府">甲市第10区人民政府</td>');

    const failed = row({ status: 'dead_lettered', stage: 'ingest', error: 'UNSUPPORTED_MEDIA: an Excel workbook (.xls) is not a report' });
    expect(documentsView(context('zh-CN'), documentSearch({}), { total: 1, rows: [failed] }, []).text).toContain(
      '<span class="status dead_lettered">死信</span> <span class="muted">于接收：不支持的文件类型：an Excel workbook (.xls) is not a report</span>',
    );
    expect(documentsView(context('en'), documentSearch({}), { total: 1, rows: [failed] }, []).text).toContain(
      '<span class="muted">at ingest: UNSUPPORTED_MEDIA: an Excel workbook (.xls) is not a report</span>',
    );

    const english = documentsView(context('en'), documentSearch({}), { total: 0, rows: [] }, []).text;
    expect(english).toContain('Page 1 of 1');
    expect(english).toMatch(/<th aria-sort="descending"><a class="sort current" data-sort="updated" href="\/documents\?sort=updated&amp;dir=asc">Updated ▼<\/a><\/th>/);
  });

  test('the audit log pages with the same pager, its filters kept in the links', () => {
    const entry = { id: 1, at: new Date('2026-12-02T02:55:00Z'), actor: 'li', role: 'admin', action: 'document.retry', target: null, detail: {}, ip: null };
    const view = auditView(context('zh-CN'), { total: 120, rows: [entry] }, { actor: 'li', action: 'document', offset: 50 }, { actors: ['li'], actions: ['document.retry'] }).text;
    expect(view).toContain('共 120 条，显示第 51–51 条。');
    expect(view).toContain('第 2 / 3 页');
    expect(view).toContain('<a href="/admin/audit?actor=li&amp;action=document" rel="prev" data-page="1">‹ 上一页</a>');
    expect(view).toContain('<a href="/admin/audit?actor=li&amp;action=document&amp;offset=100" rel="next" data-page="3">下一页 ›</a>');
  });
});
