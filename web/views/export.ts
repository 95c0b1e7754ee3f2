/** The export page: which data, filtered by year, region and counted copies, as CSV or an Excel workbook. */
import type { Division } from '../../shared/divisions';
import { html, type Markup, type PageContext } from '../html';
import { say } from '../i18n';

/** Indentation of a division under its parents in the region picker (full-width spaces, as CJK text is set). */
const LEVEL_INDENT: Record<Division['level'], string> = { province: '', city: '\u3000', county: '\u3000\u3000' };

export function exportView(context: PageContext, years: number[], divisions: Division[]): Markup {
  const { locale } = context;
  const t = (zh: string, en: string) => say(locale, zh, en);
  return html`<h1>${t('导出数据', 'Export')}</h1>
<p>${t(
    '单元格：每个数值一行，含机关、年度、所在省市县、是否计入、表、行、列（模板的正式名称）、数值、原文，以及指向该数值的问题。问题：每条问题一行，含规则、严重程度、说明和涉及的单元格。只导出已发布的报告。',
    'Cells: one row per number, with agency, year, province, city and county, whether the report counts, table, row and column (the template’s official names), value, the printed text, and the findings about that number. Findings: one row per finding, with rule, severity, message and the cells it names. Published reports only.',
  )}</p>
<form class="filters" method="get" action="/api/export/cells.xlsx" id="export">
  <label>${t('年度', 'Year')} <select name="year"><option value="">${t('全部年度', 'all years')}</option>${years.map((year) => html`<option>${year}</option>`)}</select></label>
  <label>${t('地区', 'Region')} <select name="region"><option value="">${t('全部地区', 'all regions')}</option>${divisions.map(
    (division) => html`<option value="${division.code}">${LEVEL_INDENT[division.level]}${division.name}</option>`,
  )}</select></label>
  <fieldset class="counted"><legend>${t('同一机关同一年度的多份报告', 'Several reports of one agency and year')}</legend>
    <label><span><input type="radio" name="counted" value="1" checked> ${t('只导出计入的那一份', 'only the one that counts')}</span></label>
    <label><span><input type="radio" name="counted" value="0"> ${t('导出全部副本（标明是否计入）', 'every copy (marked counted or not)')}</span></label>
  </fieldset>
  <button type="submit" formaction="/api/export/cells.csv">${t('单元格 CSV', 'Cells CSV')}</button>
  <button type="submit" formaction="/api/export/cells.xlsx">${t('单元格 Excel', 'Cells XLSX')}</button>
  <button type="submit" formaction="/api/export/findings.csv">${t('问题 CSV', 'Findings CSV')}</button>
  <button type="submit" formaction="/api/export/findings.xlsx">${t('问题 Excel', 'Findings XLSX')}</button>
</form>
<p class="muted">${t(
    '地区：所选行政区划及其下级区划内的机关。计入的报告：同一机关同一年度以操作员选定的一份为准，未选定时以最新提交的一份为准。',
    'Region: agencies in the chosen division and every division within it. The report that counts for an agency and year is the one an operator chose, else the newest submission.',
  )}</p>`;
}
