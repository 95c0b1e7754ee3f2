/** The submissions page: agencies × years, grouped by city, the copy that counts in each cell. */
import type { SubmissionCell, SubmissionState, SubmissionsMatrix, SubmissionsRow } from '../../shared/db/browse';
import { html, type Markup } from '../html';
import { compareNatural, say, type Locale } from '../i18n';

type CellState = SubmissionState | 'missing';

function stateLabel(state: CellState, locale: Locale): string {
  switch (state) {
    case 'published':
      return say(locale, '已发布', 'published');
    case 'with_errors':
      return say(locale, '有错误', 'with errors');
    case 'in_progress':
      return say(locale, '处理中', 'in progress');
    case 'dead_lettered':
      return say(locale, '处理失败', 'dead-lettered');
    case 'missing':
      return say(locale, '未报送', 'missing');
  }
}

interface CityGroup {
  /** The city (or, for a municipality's districts and a province's own agencies, the province); null: not placed. */
  name: string | null;
  /** Sorts groups in code order: provinces, then their cities. */
  order: string;
  rows: SubmissionsRow[];
}

function groupByCity(agencies: readonly SubmissionsRow[]): CityGroup[] {
  const groups = new Map<string, CityGroup>();
  for (const agency of agencies) {
    const name = agency.city ?? agency.province;
    const code = agency.divisionCode;
    const order = code === null ? '~' : agency.city ? code.slice(0, 4) : code.slice(0, 2);
    const group = groups.get(order) ?? { name, order, rows: [] };
    group.rows.push(agency);
    groups.set(order, group);
  }
  // Code order (not locale order, which would put the unplaced group's '~' first).
  const sorted = [...groups.values()].sort((a, b) => (a.order < b.order ? -1 : a.order > b.order ? 1 : 0));
  for (const group of sorted) group.rows.sort((a, b) => compareNatural(a.county ?? '', b.county ?? '') || compareNatural(a.agency, b.agency));
  return sorted;
}

function agencyLink(agency: SubmissionsRow, year?: number): string {
  return `/documents?agency=${encodeURIComponent(agency.agency)}${year === undefined ? '' : `&year=${year}`}`;
}

function cellView(agency: SubmissionsRow, year: number, cell: SubmissionCell | undefined, locale: Locale): Markup {
  if (!cell) {
    return agency.expected ? html`<td class="center" data-state="missing"><span class="status missing">${stateLabel('missing', locale)}</span></td>` : html`<td></td>`;
  }
  const superseded = cell.documents - 1;
  return html`<td class="center" data-state="${cell.state}"><a href="/documents/${cell.countedDocumentId}"><span class="status ${cell.state}">${stateLabel(cell.state, locale)}</span></a>${
    cell.chosenByOperator ? html` <span class="muted" title="${say(locale, '由操作员指定为准', 'chosen by an operator')}">✓</span>` : ''
  }${
    superseded > 0
      ? html`<br><a class="muted copies" href="${agencyLink(agency, year)}">${say(locale, `共 ${cell.documents} 份，${superseded} 份不计`, `${cell.documents} copies, ${superseded} superseded`)}</a>`
      : ''
  }</td>`;
}

export function submissionsView(matrix: SubmissionsMatrix, hasExpectedList: boolean, locale: Locale): Markup {
  const missing = matrix.agencies.reduce((sum, agency) => sum + (agency.expected ? matrix.years.filter((year) => !agency.byYear[year]).length : 0), 0);
  const columns = 4 + matrix.years.length;
  return html`<h1>${say(locale, '报送情况（按机构和年度）', 'Submissions by agency and year')}</h1>
${
  hasExpectedList
    ? html`<p>${say(locale, `应报未报 ${missing} 份。`, `${missing} expected report(s) missing.`)}</p>`
    : html`<p class="note">${say(
        locale,
        '未配置应报送机构名单（GONGKAI_EXPECTED_AGENCIES，CSV：division_code,agency,aliases），因此只列出已报送的机构，无法判断未报送。',
        'No list of expected agencies is configured (GONGKAI_EXPECTED_AGENCIES, a CSV of division_code,agency,aliases), so only agencies that have submitted are shown and nothing can be missing.',
      )}</p>`
}
<p class="muted">${say(
    locale,
    '每个机构每年只计一份报告：操作员指定的一份（✓），否则最新提交的一份。',
    'One report counts per agency and year: the copy an operator chose (✓), else the newest submission.',
  )}</p>
<table class="grid submissions">
<thead><tr><th>${say(locale, '省', 'Province')}</th><th>${say(locale, '市', 'City')}</th><th>${say(locale, '县/区', 'County')}</th><th>${say(locale, '机构', 'Agency')}</th>${matrix.years.map(
    (year) => html`<th>${year}</th>`,
  )}</tr></thead>
${groupByCity(matrix.agencies).map(
  (group) => html`<tbody data-city="${group.name ?? ''}"><tr class="group"><th colspan="${columns}">${group.name ?? say(locale, '未能确定地区', 'Place not found')}</th></tr>${group.rows.map(
    (agency) =>
      html`<tr data-agency="${agency.key}"><td class="muted">${agency.province ?? ''}</td><td class="muted">${agency.city ?? ''}</td><td class="muted">${agency.county ?? ''}</td><td><a href="${agencyLink(agency)}">${agency.agency}</a>${
        agency.expected ? '' : html` <span class="muted">${say(locale, '（不在名单中）', '(not on the list)')}</span>`
      }</td>${matrix.years.map((year) => cellView(agency, year, agency.byYear[year], locale))}</tr>`,
  )}</tbody>`,
)}
</table>
${
  matrix.unattributed.length > 0
    ? html`<p class="muted">${say(locale, '尚未确定机构的文件（解析前失败或仍在处理）：', 'Not yet attributed to an agency (failed or still before parse): ')}${matrix.unattributed.map(
        (row) => html`<a href="/documents?status=${row.status}">${row.count} ${row.status.replace('_', '-')}</a> `,
      )}</p>`
    : ''
}`;
}
