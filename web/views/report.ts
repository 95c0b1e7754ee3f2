/**
 * A published report as the official form: each table laid out by shared/template/form-layout.ts, the
 * cells a finding names highlighted and numbered, the findings beside the tables, each value linked
 * to where it was read. Tampering is announced above everything else.
 */
import type { ReportVersion } from '../../shared/db/reports';
import type { CanonicalRecord, Finding } from '../../shared/record';
import { layoutForm, type FormCell, type FormTable } from '../../shared/template/form-layout';
import { html, queryString, type Markup } from '../html';

const FAILING = new Set(['error', 'critical']);

/** Finding numbers (1-based, in record order) per cell key, and whether any of them fails the cell. */
function indexFindings(findings: readonly Finding[]): Map<string, { numbers: number[]; failing: boolean }> {
  const byCell = new Map<string, { numbers: number[]; failing: boolean }>();
  findings.forEach((finding, index) => {
    for (const cell of finding.cells) {
      const entry = byCell.get(cell) ?? { numbers: [], failing: false };
      entry.numbers.push(index + 1);
      entry.failing ||= FAILING.has(finding.severity);
      byCell.set(cell, entry);
    }
  });
  return byCell;
}

function formCell(documentId: string, cell: FormCell, byCell: ReturnType<typeof indexFindings>): Markup {
  const spans = html`${cell.colSpan ? html` colspan="${cell.colSpan}"` : ''}${cell.rowSpan ? html` rowspan="${cell.rowSpan}"` : ''}`;
  if (cell.kind === 'header') return html`<th${spans}${cell.align === 'center' ? html` class="center"` : ''}>${cell.text}</th>`;
  if (!cell.cellKey) return html`<td${spans}>${cell.text}</td>`;
  const marked = byCell.get(cell.cellKey);
  const classes = ['value', 'num', marked ? (marked.failing ? 'failing' : 'warned') : ''].filter(Boolean).join(' ');
  const value = cell.text === '' ? '' : html`<a href="/documents/${documentId}/source${queryString({ cell: cell.cellKey })}" title="${cell.cellKey}">${cell.text}</a>`;
  const markers = marked?.numbers.map((number) => html`<sup class="marker"><a href="#finding-${number}">${number}</a></sup>`);
  return html`<td class="${classes}" data-cell="${cell.cellKey}"${spans}>${value}${markers}</td>`;
}

function formTable(documentId: string, table: FormTable, byCell: ReturnType<typeof indexFindings>): Markup {
  return html`<h2>${table.title}</h2>
<table class="grid form" data-table="${table.name}">
${table.head ? html`<thead><tr>${table.head.map((label) => html`<th>${label}</th>`)}</tr></thead>` : ''}
<tbody>${table.rows.map((row) => html`<tr>${row.map((cell) => formCell(documentId, cell, byCell))}</tr>`)}</tbody>
</table>`;
}

function findingsPanel(findings: readonly Finding[]): Markup {
  if (findings.length === 0) return html`<aside class="findings-panel"><h2>Findings</h2><p class="muted">No findings: every cross-check holds.</p></aside>`;
  return html`<aside class="findings-panel"><h2>Findings (${findings.length})</h2>
${findings.map(
  (finding, index) => html`<div class="finding ${finding.severity}" id="finding-${index + 1}">
  <div class="rule">${index + 1}. ${finding.severity.toUpperCase()} ${finding.rule}</div>
  <div>${finding.message}</div>
  ${finding.cells.length > 0 ? html`<div class="muted">${finding.cells.join(', ')}</div>` : ''}
</div>`,
)}
</aside>`;
}

export function reportView(documentId: string, record: CanonicalRecord, versions: ReportVersion[]): Markup {
  const { meta } = record;
  const byCell = indexFindings(record.findings);
  const tampering = record.findings.filter((finding) => finding.rule === 'CONTENT_TAMPERING');
  const superseded = versions.filter((version) => version.supersededAt !== null);
  const narrative = Object.entries(record.narrative);
  return html`<h1>${meta.title ?? record.source.fileName}</h1>
${
  tampering.length > 0
    ? html`<div class="banner" role="alert">⚠ Tampered content: this page carries injected text (gambling spam or foreign links). Do not trust its agency name or text until checked against the agency's own site.
<ul>${tampering.map((finding) => html`<li>${finding.message}</li>`)}</ul></div>`
    : ''
}
<dl class="meta">
  <dt>Agency</dt><dd>${meta.agency ?? '?'}</dd>
  <dt>Year</dt><dd>${meta.year ?? '?'}</dd>
  <dt>Template</dt><dd>${meta.template ?? '?'}</dd>
  <dt>Script</dt><dd>${meta.script}</dd>
  <dt>Published on</dt><dd>${meta.publishedOn ?? '?'}</dd>
  <dt>Sections</dt><dd>${record.sections.map((section) => html`<span title="${section.title}">${section.number}${section.present ? '✓' : '✗'} </span>`)}</dd>
  <dt>Source</dt><dd><a href="/documents/${documentId}">${record.source.fileName}</a> · ${record.source.mediaType} · ${record.source.pages} page(s)${record.source.ocrPages.length > 0 ? html`, OCR on ${record.source.ocrPages.join(', ')}` : ''}</dd>
  ${superseded.length > 0 ? html`<dt>History</dt><dd>${superseded.length} earlier report(s) superseded — see the <a href="/documents/${documentId}">document</a></dd>` : ''}
</dl>
<div class="report-layout">
<div>
${layoutForm(record).map((table) => formTable(documentId, table, byCell))}
${
  narrative.length > 0
    ? html`<h2>Figures stated in the text</h2><table class="grid"><tbody>${narrative.map(
        ([key, value]) =>
          html`<tr><th>${key}</th><td class="num">${value ?? '?'}</td><td class="muted">${record.narrativeSources[key as keyof CanonicalRecord['narrativeSources']] ?? ''}</td></tr>`,
      )}</tbody></table>`
    : ''
}
<p class="muted">□ blank or placeholder cell (not 0). Highlighted cells are named by an error (red) or a warning (amber); the number links to the finding. Each value links to where it was read.</p>
</div>
${findingsPanel(record.findings)}
</div>`;
}
