/**
 * A published report as the official form: each table laid out by shared/template/form-layout.ts, the
 * cells a finding names highlighted and numbered, the findings beside the tables, each value linked
 * to where it was read. Tampering is announced above everything else.
 */
import type { ReportVersion } from '../../shared/db/reports';
import type { CanonicalRecord, Finding, NarrativeKey } from '../../shared/record';
import { cellName, narrativeName } from '../../shared/template/cell-names';
import { layoutForm, type FormCell, type FormTable } from '../../shared/template/form-layout';
import { headerCells, html, queryString, type Markup } from '../html';
import { say, type Locale } from '../i18n';
import { ruleName, severityName, templateName } from '../labels';

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
  const value = cell.text === '' ? '' : html`<a href="/documents/${documentId}/source${queryString({ cell: cell.cellKey })}#hit" title="${cell.cellKey}">${cell.text}</a>`;
  const markers = marked?.numbers.map((number) => html`<sup class="marker"><a href="#finding-${number}">${number}</a></sup>`);
  return html`<td class="${classes}" data-cell="${cell.cellKey}"${spans}>${value}${markers}</td>`;
}

function formTable(documentId: string, table: FormTable, byCell: ReturnType<typeof indexFindings>): Markup {
  return html`<h2>${table.title}</h2>
<table class="grid form" data-table="${table.name}">
${table.head ? html`<thead><tr>${headerCells(table.head)}</tr></thead>` : ''}
<tbody>${table.rows.map((row) => html`<tr>${row.map((cell) => formCell(documentId, cell, byCell))}</tr>`)}</tbody>
</table>`;
}

/**
 * The finding's message in the page's language. Reports stored before findings were written in both
 * languages have one English message, which both languages show.
 */
export function findingMessage(finding: Finding, locale: Locale): string {
  return finding.messageEn === undefined ? finding.message : say(locale, finding.message, finding.messageEn);
}

/** The cells a finding names: by the form's row and column names in Chinese, by key in English. */
function findingCells(finding: Finding, locale: Locale): Markup {
  return html`${finding.cells.map((cell, index) => html`${index > 0 ? say(locale, '；', ', ') : ''}<span title="${cell}">${say(locale, cellName(cell), cell)}</span>`)}`;
}

function findingsPanel(findings: readonly Finding[], locale: Locale): Markup {
  if (findings.length === 0) {
    return html`<aside class="findings-panel"><h2>${say(locale, '问题', 'Findings')}</h2><p class="muted">${say(locale, '没有问题：各项勾稽关系均成立。', 'No findings: every cross-check holds.')}</p></aside>`;
  }
  return html`<aside class="findings-panel"><h2>${say(locale, `问题（${findings.length}）`, `Findings (${findings.length})`)}</h2>
${findings.map(
  (finding, index) => html`<div class="finding ${finding.severity}" id="finding-${index + 1}" data-rule="${finding.rule}">
  <div class="rule">${index + 1}. ${severityName(finding.severity, locale)} · ${ruleName(finding.rule, locale)} <span class="muted">${finding.rule}</span></div>
  <div class="message">${findingMessage(finding, locale)}</div>
  ${finding.cells.length > 0 ? html`<div class="muted">${findingCells(finding, locale)}</div>` : ''}
</div>`,
)}
</aside>`;
}

const SCRIPT_NAMES: Record<CanonicalRecord['meta']['script'], [string, string]> = {
  simplified: ['简体', 'simplified'],
  traditional: ['繁体', 'traditional'],
};

export function reportView(locale: Locale, documentId: string, record: CanonicalRecord, versions: ReportVersion[]): Markup {
  const { meta } = record;
  const byCell = indexFindings(record.findings);
  const tampering = record.findings.filter((finding) => finding.rule === 'CONTENT_TAMPERING');
  const superseded = versions.filter((version) => version.supersededAt !== null);
  const narrative = Object.entries(record.narrative) as Array<[NarrativeKey, number | null]>;
  const { source } = record;
  return html`<h1>${meta.title ?? source.fileName}</h1>
${
  tampering.length > 0
    ? html`<div class="banner" role="alert">${say(
        locale,
        '⚠ 内容被篡改：本页含有被植入的文字（赌博广告或外部链接）。在与该机构官方网站核对之前，请勿采信其机构名称和正文。',
        "⚠ Tampered content: this page carries injected text (gambling spam or foreign links). Do not trust its agency name or text until checked against the agency's own site.",
      )}
<ul>${tampering.map((finding) => html`<li>${findingMessage(finding, locale)}</li>`)}</ul></div>`
    : ''
}
<dl class="meta">
  <dt>${say(locale, '机构', 'Agency')}</dt><dd>${meta.agency ?? '?'}</dd>
  <dt>${say(locale, '年度', 'Year')}</dt><dd>${meta.year ?? '?'}</dd>
  <dt>${say(locale, '模板', 'Template')}</dt><dd>${meta.template ? templateName(meta.template, locale) : '?'}</dd>
  <dt>${say(locale, '文字', 'Script')}</dt><dd>${say(locale, ...SCRIPT_NAMES[meta.script])}</dd>
  <dt>${say(locale, '发布日期', 'Published on')}</dt><dd>${meta.publishedOn ?? '?'}</dd>
  <dt>${say(locale, '章节', 'Sections')}</dt><dd>${record.sections.map((section) => html`<span title="${section.title}">${section.number}${section.present ? '✓' : '✗'} </span>`)}</dd>
  <dt>${say(locale, '来源', 'Source')}</dt><dd><a href="/documents/${documentId}">${source.fileName}</a> · ${source.mediaType} · ${say(locale, `${source.pages} 页`, `${source.pages} page(s)`)}${
    source.ocrPages.length > 0 ? say(locale, `，第 ${source.ocrPages.join('、')} 页经文字识别`, `, OCR on ${source.ocrPages.join(', ')}`) : ''
  }</dd>
  ${
    superseded.length > 0
      ? html`<dt>${say(locale, '历史', 'History')}</dt><dd>${say(locale, `已取代 ${superseded.length} 份较早的报告，见`, `${superseded.length} earlier report(s) superseded — see the`)} <a href="/documents/${documentId}">${say(
          locale,
          '文档页',
          'document',
        )}</a></dd>`
      : ''
  }
</dl>
<div class="report-layout">
<div>
${layoutForm(record).map((table) => formTable(documentId, table, byCell))}
${
  narrative.length > 0
    ? html`<h2>${say(locale, '正文所述数字', 'Figures stated in the text')}</h2><table class="grid"><tbody>${narrative.map(
        ([key, value]) =>
          html`<tr><th title="${key}">${say(locale, narrativeName(key), key)}</th><td class="num">${value ?? '?'}</td><td class="muted">${record.narrativeSources[key] ?? ''}</td></tr>`,
      )}</tbody></table>`
    : ''
}
<p class="muted">${say(
    locale,
    '□ 空白或占位单元格（不是 0）。标出的单元格被错误（红色）或警告（黄色）点名，数字链接到对应问题；每个数值链接到其读取位置。',
    '□ blank or placeholder cell (not 0). Highlighted cells are named by an error (red) or a warning (amber); the number links to the finding. Each value links to where it was read.',
  )}</p>
</div>
${findingsPanel(record.findings, locale)}
</div>`;
}
