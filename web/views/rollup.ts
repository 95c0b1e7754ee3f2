/**
 * The roll-up pages: a division's year as the official form filled with the sums of its agencies'
 * reports, its child divisions side by side (a heat table and a bar chart), the reports left out and
 * the agencies that did not report; and the year-over-year page, indicators over the years as line
 * charts and each agency's change from last year.
 */
import type { Division } from '../../shared/divisions';
import type { AgencyChange, ChildTotals, ExactSum, RegionChoices, Rollup, TemplateSums, Trends } from '../../shared/db/rollup';
import { SCHEMA_VERSION, type CanonicalRecord, type LegacyIndicator, type TableNode, type TemplateId } from '../../shared/record';
import { BLANK, layoutForm, type FormCell, type FormTable } from '../../shared/template/form-layout';
import { barChart, lineChart } from '../charts';
import { headerCells, html, Markup, queryString } from '../html';
import { compareNatural, say, type Locale } from '../i18n';

/** The template's name as the office knows it. */
export function templateTitle(locale: Locale, template: TemplateId): string {
  if (template === '2021') return say(locale, '2021 年版格式（国办公开办函〔2021〕30号）', '2021 template');
  if (template === '2019') return say(locale, '2019 年版格式（2019—2020 年度）', '2019 template (2019–2020)');
  return say(locale, '2019 年以前的统计表', 'pre-2019 statistics list');
}

/** 1234567.5 → 1,234,567.5, on the exact text (no float in between). */
export function groupDigits(value: string): string {
  const [whole, fraction] = value.split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return fraction === undefined ? grouped : `${grouped}.${fraction}`;
}

const shown = (value: ExactSum | undefined): string => (value === null || value === undefined ? '' : groupDigits(value));

function setAt(node: TableNode, rowKey: string, column: string, value: string): void {
  let current = node;
  for (const part of rowKey.split('.')) {
    const next = current[part];
    current = next !== null && typeof next === 'object' ? next : (current[part] = {});
  }
  current[column] = value;
}

/**
 * The form of one template with the sums in its value cells: the same layout a report is drawn in
 * (shared/template/form-layout.ts), laid out from a record holding the summed cells, every value cell
 * then showing its exact sum (□ where every report left it blank).
 */
export function rollupFormTables(sums: TemplateSums): FormTable[] {
  const tables: CanonicalRecord['tables'] = {};
  const legacy = new Map<string, LegacyIndicator>();
  for (const cell of sums.cells) {
    if (cell.table === 'legacy') {
      const indicator = legacy.get(cell.row) ?? { key: cell.row, label: cell.row.replace(/#\d+$/, ''), marker: null, indicator: null, unit: null, value: 0, raw: '' };
      if (cell.column === 'cumulative') indicator.cumulative = 0;
      else indicator.unit = cell.unit;
      legacy.set(cell.row, indicator);
    } else if (cell.table === 'active' || cell.table === 'applications' || cell.table === 'reviewLitigation') {
      setAt((tables[cell.table] ??= {}), cell.row, cell.column, cell.value ?? '');
    }
  }
  if (legacy.size > 0) tables.legacy = [...legacy.values()];
  const record: CanonicalRecord = {
    schemaVersion: SCHEMA_VERSION,
    source: { sha256: '', fileName: '', mediaType: '', pages: 0, ocrPages: [] },
    meta: { agency: null, year: null, template: sums.template, script: 'simplified', publishedOn: null, period: null, title: null },
    sections: [],
    tables,
    narrative: {},
    narrativeSources: {},
    findings: [],
  };
  const byKey = new Map(sums.cells.map((cell) => [cell.cellKey, cell]));
  return layoutForm(record).map((table) => ({
    ...table,
    rows: table.rows.map((row) =>
      row.map((cell): FormCell => {
        const sum = cell.kind === 'value' && cell.cellKey ? byKey.get(cell.cellKey) : undefined;
        if (cell.kind !== 'value') return cell;
        return { ...cell, text: sum === undefined ? '' : sum.value === null ? BLANK : `${groupDigits(sum.value)}${sum.unit && cell.cellKey?.startsWith('active.') ? ` ${sum.unit}` : ''}` };
      }),
    ),
  }));
}

function formTable(table: FormTable): Markup {
  const cell = (item: FormCell) => {
    const spans = html`${item.colSpan ? html` colspan="${item.colSpan}"` : ''}${item.rowSpan ? html` rowspan="${item.rowSpan}"` : ''}`;
    if (item.kind === 'header') return html`<th${spans}${item.align === 'center' ? html` class="center"` : ''}>${item.text}</th>`;
    if (item.kind === 'value') return html`<td class="num" data-cell="${item.cellKey}"${spans}>${item.text}</td>`;
    return html`<td${spans}>${item.text}</td>`;
  };
  return html`<h3>${table.title}</h3>
<table class="grid form" data-table="${table.name}">
${table.head ? html`<thead><tr>${headerCells(table.head)}</tr></thead>` : ''}
<tbody>${table.rows.map((row) => html`<tr>${row.map(cell)}</tr>`)}</tbody>
</table>`;
}

const regionName = (locale: Locale, region: Division | null) => region?.fullName ?? say(locale, '全部地区', 'all regions');

/** Where to go from here: the region's ancestors as a breadcrumb, its children with reports as links. */
function regionPicker(locale: Locale, path: string, choices: RegionChoices, keep: Record<string, string | number | undefined>): Markup {
  const link = (code: string | null, name: string) => html`<a href="${path}${queryString({ ...keep, region: code ?? undefined })}">${name}</a>`;
  const current = choices.path.at(-1) ?? null;
  return html`<nav class="region-picker note" aria-label="${say(locale, '地区', 'Region')}">
<div>${say(locale, '地区：', 'Region: ')}${current === null ? html`<strong>${say(locale, '全部地区', 'all regions')}</strong>` : link(null, say(locale, '全部地区', 'all regions'))}${choices.path.map(
    (division) => html` › ${division === current ? html`<strong>${division.name}</strong>` : link(division.code, division.name)}`,
  )}</div>
${
  choices.children.length > 0
    ? html`<div class="children">${say(locale, '下级：', 'Within: ')}${[...choices.children]
        .sort((a, b) => compareNatural(a.name, b.name))
        .map((division, index) => html`${index > 0 ? ' · ' : ''}${link(division.code, division.name)}`)}</div>`
    : ''
}
</nav>`;
}

function yearSelect(locale: Locale, years: number[], year: number | null): Markup {
  return html`<label>${say(locale, '年度', 'Year')} <select name="year">${years.map((option) => html`<option value="${option}"${option === year ? ' selected' : ''}>${option}</option>`)}</select></label>`;
}

function indicatorSelect(locale: Locale, indicators: Array<{ id: string; name: string }>, chosen: string): Markup {
  return html`<label>${say(locale, '指标', 'Indicator')} <select name="indicator">${indicators.map(
    (indicator) => html`<option value="${indicator.id}"${indicator.id === chosen ? ' selected' : ''}>${indicator.name}</option>`,
  )}</select></label>`;
}

/** A number for geometry and shading only; the text shown is always the exact sum. */
const magnitude = (value: ExactSum | undefined): number | null => (value === null || value === undefined ? null : Number(value));

/** The row of agencies placed at the parent division itself (its own departments), or nowhere. */
function unplacedName(locale: Locale, parent: string | null): string {
  return parent === null ? say(locale, '未识别地区', 'not placed') : say(locale, `${parent}本级`, `${parent}: own agencies`);
}

/** Children × indicators, each cell shaded by its value relative to the largest in its column. */
function heatTable(locale: Locale, region: Division | null, children: ChildTotals[], indicators: Array<{ id: string; name: string }>, linkFor: (code: string) => string): Markup {
  const rows = children.flatMap((child) => [{ child, depth: 0, parent: region?.name ?? null }, ...child.parts.map((part) => ({ child: part, depth: 1, parent: child.name }))]);
  const maximum = new Map(indicators.map((indicator) => [indicator.id, Math.max(0, ...rows.filter((row) => row.depth === 0).map((row) => magnitude(row.child.indicators[indicator.id]) ?? 0))]));
  const shade = (id: string, value: ExactSum | undefined, depth: number) => {
    const top = maximum.get(id) ?? 0;
    const share = depth === 0 && top > 0 ? (magnitude(value) ?? 0) / top : 0;
    // Shades in steps, as classes: the pages' CSP allows a <style> element, not style attributes.
    return share > 0 ? html` data-shade="${Math.max(1, Math.round(share * HEAT_STEPS))}"` : '';
  };
  return html`<table class="grid heat" data-table="children">
<thead><tr><th>${say(locale, '地区', 'Division')}</th><th>${say(locale, '计入报告', 'Reports counted')}</th><th>${say(locale, '已排除', 'Excluded')}</th><th>${say(locale, '未报送', 'Missing')}</th>${indicators.map((indicator) => html`<th>${indicator.name}</th>`)}</tr></thead>
<tbody>${rows.map(
    ({ child, depth, parent }) => html`<tr class="depth-${depth}" data-division="${child.code ?? ''}">
<th${depth > 0 ? html` class="part"` : ''}>${child.code ? html`<a href="${linkFor(child.code)}">${child.name}</a>` : unplacedName(locale, parent)}</th>
<td class="num">${child.reports}</td><td class="num">${child.excluded}</td><td class="num">${child.missing}</td>
${indicators.map((indicator) => html`<td class="num"${shade(indicator.id, child.indicators[indicator.id], depth)}>${shown(child.indicators[indicator.id])}</td>`)}
</tr>`,
  )}</tbody></table>`;
}

const HEAT_STEPS = 5;

// Trusted constant CSS: built as Markup so its quotes are not escaped.
const ROLLUP_STYLE = new Markup(`<style>
${Array.from({ length: HEAT_STEPS }, (_, index) => `table.heat td[data-shade="${index + 1}"] { background: rgba(31, 95, 191, ${(0.1 * (index + 1)).toFixed(1)}); }`).join('\n')}
table.heat th.part { padding-left: 1.6rem; font-weight: 400; }
table.heat tr.depth-1 td { color: var(--muted); }
.region-picker div + div { margin-top: .3rem; }
svg.chart { background: #fff; border: 1px solid var(--line); display: block; margin: .4rem 0 1rem; }
.charts { display: flex; flex-wrap: wrap; gap: 0 1rem; }
</style>`);

export interface RollupPage {
  locale: Locale;
  rollup: Rollup;
  choices: RegionChoices;
  years: number[];
  /** The indicator of the bar chart. */
  indicator: string;
}

export function rollupView({ locale, rollup, choices, years, indicator }: RollupPage): Markup {
  const { region, year } = rollup;
  const code = region?.code;
  const indicators = rollup.indicators.map(({ id, name }) => ({ id, name }));
  const chosen = indicators.find((item) => item.id === indicator) ?? indicators[0];
  const childLevel = region === null ? say(locale, '各省', 'Provinces') : region.level === 'province' ? say(locale, '各市', 'Cities') : say(locale, '各县（市、区）', 'Counties');
  const downloads = queryString({ region: code, year });
  const bars = chosen
    ? rollup.children.map((child) => ({ label: child.code ? child.name : unplacedName(locale, region?.name ?? null), value: magnitude(child.indicators[chosen.id]) ?? 0, text: shown(child.indicators[chosen.id]) || '—' }))
    : [];
  return html`${ROLLUP_STYLE}
<h1>${regionName(locale, region)} ${year} ${say(locale, '年度政府信息公开工作年度报告汇总', 'roll-up of the annual disclosure reports')}</h1>
${regionPicker(locale, '/rollup', choices, { year, indicator })}
<form class="filters" method="get" action="/rollup">
${code ? html`<input type="hidden" name="region" value="${code}">` : ''}
${yearSelect(locale, years, year)}
${indicators.length > 0 ? indicatorSelect(locale, indicators, chosen!.id) : ''}
<button type="submit">${say(locale, '查看', 'Show')}</button>
</form>
<p class="summary">${say(locale, '计入', 'Counted')} <strong data-count="counted">${rollup.counted}</strong> ${say(locale, '份', 'reports')} · ${say(locale, '已排除', 'excluded')} <strong data-count="excluded">${rollup.excluded.length}</strong> ${say(locale, '份', '')} · ${say(locale, '未报送', 'missing')} <strong data-count="missing">${rollup.missing.length}</strong> ${say(locale, '个机关', 'agencies')}
 · <a href="/rollup.xlsx${downloads}" download>${say(locale, '下载 Excel（XLSX）', 'Download XLSX')}</a> · <a href="/api/rollup${downloads}">JSON</a> · <a href="/trends${queryString({ region: code, year })}">${say(locale, '同比', 'Year over year')}</a></p>
${
  rollup.children.length > 0
    ? html`<h2>${childLevel}${say(locale, '合计', ' totals')}</h2>
${heatTable(locale, region, rollup.children, indicators, (child) => `/rollup${queryString({ region: child, year, indicator: chosen?.id })}`)}
<p class="muted">${say(locale, '单元格颜色越深，数值在本列中越大（以上一级地区为准）。', 'The darker a cell, the larger its value within its column (top-level rows).')}</p>
${chosen ? barChart({ title: `${childLevel} ${chosen.name}（${year}）`, bars }) : ''}`
    : ''
}
${rollup.forms.map(
  (form) => html`<h2>${say(locale, '汇总表', 'Summed form')} · ${templateTitle(locale, form.template)} · ${form.reports} ${say(locale, '份', 'reports')}</h2>
<section class="rollup-form" data-template="${form.template}">${rollupFormTables(form).map(formTable)}</section>`,
)}
${rollup.forms.length === 0 ? html`<p class="note">${say(locale, '本年度没有计入汇总的报告。', 'No report counts for this year.')}</p>` : ''}
<p class="muted">${say(
  locale,
  '每个机关每年只计一份报告（操作员指定的一份，否则最新提交的一份）；有错误或严重问题（勾稽关系不符、内容被篡改）的报告不计入合计。□ 表示各报告均为空白。',
  'One report counts per agency and year (the one an operator chose, else the newest); reports with errors or critical findings (failed cross-checks, tampering) are left out of the sums. □: every report left the cell blank.',
)}</p>
<h2>${say(locale, '已排除', 'Excluded')} ${rollup.excluded.length} ${say(locale, '份', 'reports')}</h2>
${
  rollup.excluded.length > 0
    ? html`<table class="grid excluded"><thead><tr><th>${say(locale, '机关', 'Agency')}</th><th>${say(locale, '文件', 'File')}</th><th>${say(locale, '原因', 'Reasons')}</th></tr></thead><tbody>${[...rollup.excluded]
        .sort((a, b) => compareNatural(a.agency ?? '', b.agency ?? ''))
        .map(
          (report) => html`<tr><td>${report.agency ?? ''}</td><td><a href="/documents/${report.documentId}/report">${report.fileName}</a></td><td><ul>${report.reasons.map(
            (reason) => html`<li><strong>${reason.severity === 'critical' ? say(locale, '严重', 'critical') : say(locale, '错误', 'error')} ${reason.rule}</strong> ${say(locale, reason.message, reason.messageEn ?? reason.message)}</li>`,
          )}</ul></td></tr>`,
        )}</tbody></table>`
    : html`<p class="muted">${say(locale, '没有排除的报告。', 'None.')}</p>`
}
<h2>${say(locale, '未报送的机关', 'Agencies that did not report')} (${rollup.missing.length})</h2>
${
  rollup.missing.length > 0
    ? html`<ul class="missing">${[...rollup.missing].sort((a, b) => compareNatural(a.agency, b.agency)).map((agency) => html`<li>${agency.agency}</li>`)}</ul>`
    : html`<p class="muted">${say(locale, '应报机关均已报送（或未配置应报机关名单 GONGKAI_EXPECTED_AGENCIES）。', 'Every expected agency reported (or no expected list is configured, GONGKAI_EXPECTED_AGENCIES).')}</p>`
}`;
}

export interface TrendsPage {
  locale: Locale;
  region: Division | null;
  choices: RegionChoices;
  /** The agency followed, when one is chosen: its key and name. */
  agency: { key: string; name: string } | null;
  trends: Trends;
  /** The region's child divisions, each with its own trends, drawn beside the region in the chosen indicator's chart. */
  parts: Array<{ name: string; trends: Trends }>;
  year: number | null;
  indicator: string;
  /** Region mode: each agency's change in the indicator from year − 1 to year. */
  changes: AgencyChange[];
  /** The region's (or agency's) change per indicator from year − 1 to year. */
  totals: Array<{ indicator: string; name: string; lastYear: ExactSum; thisYear: ExactSum; change: ExactSum; percent: string | null }>;
}

function changeCells(row: { lastYear: ExactSum; thisYear: ExactSum; change: ExactSum; percent: string | null }): Markup {
  const sign = row.change !== null && !row.change.startsWith('-') && row.change !== '0' ? '+' : '';
  return html`<td class="num">${shown(row.lastYear)}</td><td class="num">${shown(row.thisYear)}</td><td class="num">${row.change === null ? '' : `${sign}${groupDigits(row.change)}`}</td><td class="num">${row.percent === null ? '' : `${sign}${row.percent}%`}</td>`;
}

export function trendsView({ locale, region, choices, agency, trends, parts, year, indicator, changes, totals }: TrendsPage): Markup {
  const subject = agency?.name ?? regionName(locale, region);
  const xLabels = trends.years.map(String);
  const chosen = trends.series.find((series) => series.indicator === indicator);
  const points = (values: ExactSum[]) => values.map((value) => ({ value: magnitude(value), label: shown(value) || '—' }));
  /** A child's values on the region's years (a child may lack some). */
  const partValues = (part: Trends, id: string) => {
    const values = part.series.find((series) => series.indicator === id)?.values ?? [];
    return trends.years.map((year) => values[part.years.indexOf(year)] ?? null);
  };
  const chart = (series: Trends['series'][number], width?: number, withParts = false) =>
    lineChart({
      title: `${subject} ${series.name} ${say(locale, '历年变化', 'over the years')}`,
      xLabels,
      series: [
        { name: withParts && parts.length > 0 ? `${subject}${say(locale, '合计', ' total')}` : series.name, points: points(series.values) },
        ...(withParts ? parts.map((part) => ({ name: part.name, points: points(partValues(part.trends, series.indicator)) })) : []),
      ],
      width,
    });
  const changeHead = html`<th>${year === null ? '' : year - 1}</th><th>${year ?? ''}</th><th>${say(locale, '增减', 'Change')}</th><th>${say(locale, '增减率', 'Change %')}</th>`;
  return html`${ROLLUP_STYLE}
<h1>${subject} · ${say(locale, '同比', 'year over year')}</h1>
${regionPicker(locale, '/trends', choices, { year: year ?? undefined, indicator })}
<form class="filters" method="get" action="/trends">
${region ? html`<input type="hidden" name="region" value="${region.code}">` : ''}
${agency ? html`<input type="hidden" name="agency" value="${agency.key}">` : ''}
${year !== null ? yearSelect(locale, trends.years, year) : ''}
${trends.series.length > 0 ? indicatorSelect(locale, trends.series.map((series) => ({ id: series.indicator, name: series.name })), indicator) : ''}
<button type="submit">${say(locale, '查看', 'Show')}</button>
</form>
${agency ? html`<p><a href="/trends${queryString({ region: region?.code, year: year ?? undefined, indicator })}">← ${regionName(locale, region)}</a></p>` : ''}
${trends.years.length === 0 ? html`<p class="note">${say(locale, '没有计入的报告。', 'No counted reports.')}</p>` : ''}
${chosen ? html`<h2>${chosen.name}</h2>${chart(chosen, 720, true)}` : ''}
${
  year !== null && totals.length > 0
    ? html`<h2>${say(locale, '各指标同比', 'Each indicator, year over year')}</h2>
<table class="grid totals-change"><thead><tr><th>${say(locale, '指标', 'Indicator')}</th>${changeHead}</tr></thead>
<tbody>${totals.map((row) => html`<tr><th>${row.name}</th>${changeCells(row)}</tr>`)}</tbody></table>`
    : ''
}
${
  !agency && year !== null && chosen
    ? html`<h2>${say(locale, '各机关', 'Agencies')} · ${chosen.name}</h2>
<table class="grid agency-change"><thead><tr><th>${say(locale, '机关', 'Agency')}</th>${changeHead}</tr></thead>
<tbody>${[...changes]
        .sort((a, b) => compareNatural(a.agency, b.agency))
        .map(
          (row) =>
            html`<tr><th><a href="/trends${queryString({ region: region?.code, agency: row.agencyKey, year, indicator })}">${row.agency}</a></th>${changeCells(row)}</tr>`,
        )}</tbody></table>`
    : ''
}
${
  trends.series.length > 1
    ? html`<h2>${say(locale, '其他指标', 'Other indicators')}</h2><div class="charts">${trends.series.filter((series) => series !== chosen).map((series) => chart(series, 420))}</div>`
    : ''
}
<p class="muted">${say(
  locale,
  '各年格式不同（2019 年以前的统计表、2019—2020 年版、2021 年版），指标按跨格式对照表取值后比较；有错误或严重问题的报告不计入。',
  'Templates differ from year to year (pre-2019 lists, the 2019–2020 and the 2021 forms); indicators are read through the cross-template catalogue before they are compared. Reports with errors or critical findings are left out.',
)}</p>`;
}
