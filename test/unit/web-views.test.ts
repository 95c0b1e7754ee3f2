import { SCHEMA_VERSION, type CanonicalRecord } from '../../shared/record';
import { html } from '../../web/html';
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
    { rule: 'REVIEW_LITIGATION_TOTAL', severity: 'error', message: 'review: 1+0+0+0 ≠ 2', cells: ['reviewLitigation.review.total'] },
    { rule: 'CONTENT_TAMPERING', severity: 'critical', message: 'injected content in the agency name: <a href=//bet365>', cells: ['meta.agency'] },
    { rule: 'VALUE_DOMAIN', severity: 'warning', message: 'unusually large', cells: ['active.licensing.decisions'] },
  ],
};

describe('web views', () => {
  test('html escapes every interpolation except markup it made itself', () => {
    const inner = html`<em>${'<i>'}</em>`;
    expect(html`<p title="${'"x" & y'}">${inner}${['<', 1, null, false]}</p>`.text).toBe('<p title="&quot;x&quot; &amp; y"><em>&lt;i&gt;</em>&lt;1</p>');
  });

  test('a report page shows injected text as text, announces tampering, and marks failing and warned cells', () => {
    const page = reportView(DOCUMENT, record, []).text;
    expect(page).not.toMatch(/<script|<img|<a href=\/\/bet365|<b>r<\/b>/);
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;办公室');
    expect(page).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(page).toMatch(/<div class="banner" role="alert">⚠ Tampered content/);
    expect(page).toMatch(/<td class="value num failing" data-cell="reviewLitigation\.review\.total">.*2<\/a><sup class="marker"><a href="#finding-1">1<\/a><\/sup><\/td>/);
    expect(page).toMatch(/<td class="value num warned" data-cell="active\.licensing\.decisions"/);
    expect(page).toContain(`href="/documents/${DOCUMENT}/source?cell=active.licensing.decisions"`);
    expect(page).toMatch(/<td class="value num" data-cell="reviewLitigation\.review\.upheld">/);
    expect(page).toContain('id="finding-3"');
  });
});
