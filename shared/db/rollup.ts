/**
 * The provincial office's roll-up: every table value summed over the reports that count (one per
 * agency and year, the counted_reports view) of the agencies in a division, per child division and
 * for the division; reports with an error or critical finding (a broken cross-check, tampering) are
 * listed and left out of every sum; expected agencies without a report are listed; and the
 * cross-template indicators (shared/template/indicators.ts) followed from year to year, so a 2020
 * report (2019 template) compares with a 2021 one.
 *
 * Sums are computed by Postgres on numeric and handed over as text: no value passes through a float.
 */
import { sql, type Kysely, type RawBuilder } from 'kysely';
import { ancestors, childDivisions, divisionByCode, provinces, type Division } from '../divisions';
import type { ExpectedAgency } from '../expected-agencies';
import type { TemplateId } from '../record';
import { INDICATORS } from '../template/indicators';
import { APPLICATIONS_2019, APPLICATIONS_2021 } from '../template/rows';
import { templateForYear } from '../template/templates';
import type { Database } from './schema';

/** Findings that keep a report out of the sums: a cross-check that fails, tampering. */
export const EXCLUDING_SEVERITIES = ['error', 'critical'] as const;

/** A sum as Postgres prints numeric, or null where every report left the cell blank. */
export type ExactSum = string | null;

export interface CellSum {
  table: string;
  row: string;
  column: string;
  /** `applications.newReceived.total`, or `legacy.<key>` / `legacy.<key>.cumulative` as findings name cells. */
  cellKey: string;
  value: ExactSum;
  /** Reports that have a value (not blank) in this cell. */
  reports: number;
  unit: string | null;
}

/** The sums of the reports of one template: the form is the template's. */
export interface TemplateSums {
  template: TemplateId;
  reports: number;
  cells: CellSum[];
}

export interface ExcludedReport {
  documentId: string;
  fileName: string;
  agency: string | null;
  divisionCode: string | null;
  /** The error and critical findings; `messageEn` is null for findings stored before messages had two languages. */
  reasons: ExclusionReason[];
}

export interface ExclusionReason {
  rule: string;
  severity: string;
  message: string;
  messageEn: string | null;
}

export interface IndicatorTotal {
  id: string;
  name: string;
  value: ExactSum;
  /** Reports whose indicator value is in the sum. */
  reports: number;
}

/** A child division's totals (a city of a province, a county of a city), or the region's own agencies. */
export interface ChildTotals {
  /** null for agencies placed at the region itself (or, for the whole data, placed nowhere). */
  code: string | null;
  name: string;
  reports: number;
  excluded: number;
  missing: number;
  indicators: Record<string, ExactSum>;
  /** The child's own children (the counties of a city), when the region is the whole data or a province. */
  parts: ChildTotals[];
}

export interface MissingAgency {
  /** The name qualified with its place (乐山市市中区人民政府), as the expected list gives it. */
  agency: string;
  divisionCode: string | null;
}

export interface Rollup {
  /** null: all data. */
  region: Division | null;
  year: number;
  /** Reports in the sums. */
  counted: number;
  excluded: ExcludedReport[];
  forms: TemplateSums[];
  indicators: IndicatorTotal[];
  children: ChildTotals[];
  missing: MissingAgency[];
}

/** The digits of a division's code that every code under it starts with: 2 for a province, 4 for a city, 6 for a county. */
export function divisionPrefix(division: Pick<Division, 'code' | 'level'>): string {
  return division.code.slice(0, division.level === 'province' ? 2 : division.level === 'city' ? 4 : 6);
}

/** Whether a 6-digit division code lies in the region (null: everywhere). */
export function inDivision(code: string | null, region: Division | null): boolean {
  return region === null || (code !== null && code.startsWith(divisionPrefix(region)));
}

const regionCondition = (region: Division | null): RawBuilder<boolean> =>
  region === null ? sql<boolean>`true` : sql<boolean>`left(r.division_code, ${divisionPrefix(region).length}) = ${divisionPrefix(region)}`;

const excludingFinding = sql<boolean>`exists (select 1 from findings f where f.document_id = k.document_id and f.severity in (${sql.join([...EXCLUDING_SEVERITIES])}))`;

/**
 * The counted reports of the region (and year, when given) that are in the sums, as a CTE body with
 * document_id, agency_key, agency, year, template, division_code.
 */
function includedReports(region: Division | null, year: number | null): RawBuilder<unknown> {
  return sql`select k.document_id, k.agency_key, coalesce(r.agency_full_name, r.agency) as agency, k.year, r.template, r.division_code
    from counted_reports k join reports r on r.document_id = k.document_id
    where ${year === null ? sql`true` : sql`k.year = ${year}`} and ${regionCondition(region)} and not ${excludingFinding}`;
}

/** Which cells make each indicator in the 2019 and 2021 templates: (template, indicator, table, row, column). */
function matrixIndicatorCells(): RawBuilder<unknown> {
  const rows: RawBuilder<unknown>[] = [];
  for (const template of ['2019', '2021'] as const) {
    const layout = template === '2019' ? APPLICATIONS_2019 : APPLICATIONS_2021;
    for (const spec of INDICATORS) {
      for (const key of spec.cells?.(layout, template) ?? []) {
        const parts = key.split('.');
        rows.push(sql`(${template}, ${spec.id}, ${parts[0]}, ${parts.slice(1, -1).join('.')}, ${parts[parts.length - 1]})`);
      }
    }
  }
  return sql`(values ${sql.join(rows)}) as m(template, indicator, table_name, row_key, column_key)`;
}

/**
 * Per included report and indicator, its value, as recordIndicators() reads it from the record: the
 * sum of the indicator's cells in a 2019/2021 table, the first row carrying the indicator in a
 * pre-2019 list; null when a part is blank or absent; no row when the report prints none of it.
 * A CTE body over `included` with document_id, indicator, value.
 */
const indicatorValues = sql`
  select ic.document_id, ic.indicator, case when count(c.value) = count(*) then sum(c.value) end as value
  from (
    select i.document_id, m.indicator, m.table_name, m.row_key, m.column_key
    from included i join ${matrixIndicatorCells()} on m.template = i.template
    union all
    (select distinct on (i.document_id, e.item->>'indicator') i.document_id, e.item->>'indicator', 'legacy', e.item->>'key', 'value'
    from included i join reports r on r.document_id = i.document_id
    cross join lateral jsonb_array_elements(case when jsonb_typeof(r.record->'tables'->'legacy') = 'array' then r.record->'tables'->'legacy' else '[]'::jsonb end)
      with ordinality as e(item, position)
    where e.item->>'indicator' is not null
    order by i.document_id, e.item->>'indicator', e.position)
  ) ic
  left join cells c on c.document_id = ic.document_id and c.table_name = ic.table_name and c.row_key = ic.row_key and c.column_key = ic.column_key
  group by ic.document_id, ic.indicator
  having count(c.document_id) > 0`;

const INDICATOR_NAMES = new Map(INDICATORS.map((spec) => [spec.id, spec.name]));
const INDICATOR_ORDER = new Map(INDICATORS.map((spec, index) => [spec.id, index]));
const byCatalogueOrder = (a: string, b: string) => (INDICATOR_ORDER.get(a) ?? 0) - (INDICATOR_ORDER.get(b) ?? 0);

export function indicatorName(id: string): string {
  return INDICATOR_NAMES.get(id) ?? id;
}

function cellKeyOf(table: string, row: string, column: string): string {
  if (table !== 'legacy') return `${table}.${row}.${column}`;
  return column === 'value' ? `legacy.${row}` : `legacy.${row}.${column}`;
}

/** The region's own divisions one level down: the provinces for the whole data. */
function childrenOf(region: Division | null): Division[] {
  return region === null ? provinces() : childDivisions(region.code);
}

/** The child of `region` a division code lies in, or null (the region's own agencies, or no code). */
function childOf(code: string | null, children: readonly Division[]): Division | null {
  return code === null ? null : (children.find((child) => code.startsWith(divisionPrefix(child))) ?? null);
}

/** The region for a code from a query string: null (all data) when empty; undefined when unknown. */
export function regionFor(code: string | null | undefined): Division | null | undefined {
  if (!code) return null;
  return divisionByCode(code) ?? undefined;
}

/** Years with a counted report in the region, newest first. */
export async function rollupYears(db: Kysely<Database>, region: Division | null): Promise<number[]> {
  const { rows } = await sql<{ year: number }>`
    select distinct k.year from counted_reports k join reports r on r.document_id = k.document_id
    where ${regionCondition(region)} order by k.year desc`.execute(db);
  return rows.map((row) => row.year);
}

export async function computeRollup(db: Kysely<Database>, region: Division | null, year: number, expected: readonly ExpectedAgency[]): Promise<Rollup> {
  const counted = await sql<{
    document_id: string;
    agency_key: string;
    agency: string | null;
    division_code: string | null;
    file_name: string;
    excluding: ExclusionReason[] | null;
  }>`
    select k.document_id, k.agency_key, coalesce(r.agency_full_name, r.agency) as agency, r.division_code, d.file_name,
      (select json_agg(json_build_object('rule', f.rule, 'severity', f.severity, 'message', f.message, 'messageEn', f.message_en) order by f.severity, f.rule, f.id)
        from findings f where f.document_id = k.document_id and f.severity in (${sql.join([...EXCLUDING_SEVERITIES])})) as excluding
    from counted_reports k join reports r on r.document_id = k.document_id join documents d on d.id = k.document_id
    where k.year = ${year} and ${regionCondition(region)}`.execute(db);

  // A report whose template parse could not tell is drawn in its year's form, as templateOf() does.
  const templateOf = sql`coalesce(template, ${templateForYear(year)})`;
  const sums = await sql<{ template: TemplateId; table_name: string; row_key: string; column_key: string; value: ExactSum; reports: number; unit: string | null; templated: number }>`
    with included as (select i.document_id, ${templateOf} as template from (${includedReports(region, year)}) i)
    select i.template, c.table_name, c.row_key, c.column_key, sum(c.value)::text as value, count(c.value)::int as reports, max(c.unit) as unit,
      (select count(*)::int from included t where t.template = i.template) as templated
    from included i join cells c on c.document_id = i.document_id
    group by i.template, c.table_name, c.row_key, c.column_key
    order by i.template, c.table_name, min(c.position)`.execute(db);

  const perReport = await sql<{ division_code: string | null; indicator: string; value: ExactSum }>`
    with included as (${includedReports(region, year)}), indicator_values as (${indicatorValues})
    select i.division_code, v.indicator, v.value::text as value from indicator_values v join included i on i.document_id = v.document_id`.execute(db);

  const forms = new Map<TemplateId, TemplateSums>();
  for (const row of sums.rows) {
    const form = forms.get(row.template) ?? { template: row.template, reports: row.templated, cells: [] };
    form.cells.push({
      table: row.table_name,
      row: row.row_key,
      column: row.column_key,
      cellKey: cellKeyOf(row.table_name, row.row_key, row.column_key),
      value: row.value,
      reports: row.reports,
      unit: row.unit,
    });
    forms.set(row.template, form);
  }

  const countedKeys = new Set(counted.rows.map((row) => row.agency_key));
  const missing = expected
    .filter((entry) => inDivision(entry.divisionCode, region) && !countedKeys.has(entry.key))
    .map((entry) => ({ agency: entry.fullName, divisionCode: entry.divisionCode }));
  const excluded = counted.rows
    .filter((row) => row.excluding !== null)
    .map((row) => ({ documentId: row.document_id, fileName: row.file_name, agency: row.agency, divisionCode: row.division_code, reasons: row.excluding! }));

  return {
    region,
    year,
    counted: counted.rows.length - excluded.length,
    excluded,
    forms: [...forms.values()],
    indicators: await indicatorTotals(db, region, year),
    children: childTotals(region, { indicators: perReport.rows, counted: counted.rows, missing }),
    missing,
  };
}

async function indicatorTotals(db: Kysely<Database>, region: Division | null, year: number): Promise<IndicatorTotal[]> {
  const { rows } = await sql<{ indicator: string; value: ExactSum; reports: number }>`
    with included as (${includedReports(region, year)}), indicator_values as (${indicatorValues})
    select indicator, sum(value)::text as value, count(value)::int as reports from indicator_values group by indicator`.execute(db);
  return rows.sort((a, b) => byCatalogueOrder(a.indicator, b.indicator)).map((row) => ({ id: row.indicator, name: indicatorName(row.indicator), value: row.value, reports: row.reports }));
}

interface PlacedRows {
  indicators: ReadonlyArray<{ division_code: string | null; indicator: string; value: ExactSum }>;
  counted: ReadonlyArray<{ division_code: string | null; excluding: unknown }>;
  missing: readonly MissingAgency[];
}

/**
 * Totals per child division of `region`, each with its own children's totals one level further
 * (the counties of each city of a province), so same-named counties stand under their cities. A
 * child's sum of the per-report indicator values is taken exactly (sumExact).
 */
function childTotals(region: Division | null, rows: PlacedRows, depth = 2): ChildTotals[] {
  const children = childrenOf(region);
  const totals = new Map<string | null, ChildTotals & { rows: { [K in keyof PlacedRows]: Array<PlacedRows[K][number]> } }>();
  const entry = (code: string | null) => {
    const child = childOf(code, children);
    const key = child?.code ?? null;
    let total = totals.get(key);
    if (!total) {
      const name = child?.name ?? (region === null ? '未识别地区' : `${region.name}本级`);
      total = { code: key, name, reports: 0, excluded: 0, missing: 0, indicators: {}, parts: [], rows: { indicators: [], counted: [], missing: [] } };
      totals.set(key, total);
    }
    return total;
  };
  for (const row of rows.counted) {
    const total = entry(row.division_code);
    total.rows.counted.push(row);
    if (row.excluding === null) total.reports++;
    else total.excluded++;
  }
  for (const agency of rows.missing) {
    const total = entry(agency.divisionCode);
    total.rows.missing.push(agency);
    total.missing++;
  }
  for (const row of rows.indicators) {
    const total = entry(row.division_code);
    total.rows.indicators.push(row);
    const before = total.indicators[row.indicator];
    if (row.value === null) total.indicators[row.indicator] = before ?? null;
    else total.indicators[row.indicator] = before === null || before === undefined ? row.value : sumExact(before, row.value);
  }
  return [...totals.values()]
    .sort((a, b) => (a.code === null ? 1 : b.code === null ? -1 : a.code.localeCompare(b.code)))
    .map(({ rows: placed, ...total }) => {
      const child = total.code === null ? undefined : divisionByCode(total.code);
      const parts = depth > 1 && child && childrenOf(child).length > 0 ? childTotals(child, placed, depth - 1) : [];
      return { ...total, parts };
    });
}

/** a + b for decimal strings ('12', '-3.5'), exactly: scaled to integers as bigint. */
export function sumExact(a: string, b: string): string {
  const scale = Math.max(decimals(a), decimals(b));
  const total = scaled(a, scale) + scaled(b, scale);
  if (scale === 0) return total.toString();
  const negative = total < 0n;
  const digits = (negative ? -total : total).toString().padStart(scale + 1, '0');
  const fraction = digits.slice(-scale).replace(/0+$/, '');
  return `${negative ? '-' : ''}${digits.slice(0, -scale)}${fraction ? `.${fraction}` : ''}`;
}

const abs = (value: bigint): bigint => (value < 0n ? -value : value);

function decimals(value: string): number {
  return value.includes('.') ? value.length - value.indexOf('.') - 1 : 0;
}

function scaled(value: string, scale: number): bigint {
  const [whole, fraction = ''] = value.replace('-', '').split('.');
  const magnitude = BigInt(whole + fraction.padEnd(scale, '0'));
  return value.startsWith('-') ? -magnitude : magnitude;
}

export interface TrendSeries {
  indicator: string;
  name: string;
  /** One point per year of `years`; null where no included report states the indicator. */
  values: ExactSum[];
}

export interface Trends {
  years: number[];
  series: TrendSeries[];
}

/** Indicator totals per year: for the region's included reports, or one agency's (its agency_key). */
export async function indicatorTrends(db: Kysely<Database>, scope: { region: Division | null } | { agencyKey: string }): Promise<Trends> {
  const region = 'region' in scope ? scope.region : null;
  const agencyFilter = 'agencyKey' in scope ? sql`and k.agency_key = ${scope.agencyKey}` : sql``;
  const { rows } = await sql<{ year: number; indicator: string; value: ExactSum }>`
    with included as (select * from (${includedReports(region, null)}) k where true ${agencyFilter}), indicator_values as (${indicatorValues})
    select i.year, v.indicator, sum(v.value)::text as value
    from indicator_values v join included i on i.document_id = v.document_id
    group by i.year, v.indicator`.execute(db);
  const years = [...new Set(rows.map((row) => row.year))].sort((a, b) => a - b);
  const byIndicator = new Map<string, ExactSum[]>();
  for (const row of rows) {
    const values = byIndicator.get(row.indicator) ?? years.map(() => null);
    values[years.indexOf(row.year)] = row.value;
    byIndicator.set(row.indicator, values);
  }
  return {
    years,
    series: [...byIndicator.keys()].sort(byCatalogueOrder).map((indicator) => ({ indicator, name: indicatorName(indicator), values: byIndicator.get(indicator)! })),
  };
}

export interface AgencyChange {
  agencyKey: string;
  agency: string;
  divisionCode: string | null;
  lastYear: ExactSum;
  thisYear: ExactSum;
  /** thisYear − lastYear, when both are known. */
  change: ExactSum;
  /** The change in per cent of last year, rounded to one decimal; null when last year is 0 or unknown. */
  percent: string | null;
}

/** Each agency of the region with an included report in `year` or the year before: the indicator then and now. */
export async function agencyChanges(db: Kysely<Database>, region: Division | null, year: number, indicator: string): Promise<AgencyChange[]> {
  const { rows } = await sql<{ agency_key: string; agency: string | null; division_code: string | null; last_year: ExactSum; this_year: ExactSum }>`
    with included as (select * from (${includedReports(region, null)}) k where k.year in (${year - 1}, ${year})), indicator_values as (${indicatorValues})
    select i.agency_key,
      (array_agg(i.agency order by i.year desc))[1] as agency,
      (array_agg(i.division_code order by i.year desc))[1] as division_code,
      (sum(v.value) filter (where i.year = ${year - 1}))::text as last_year,
      (sum(v.value) filter (where i.year = ${year}))::text as this_year
    from included i left join indicator_values v on v.document_id = i.document_id and v.indicator = ${indicator}
    group by i.agency_key`.execute(db);
  return rows.map((row) => ({
    agencyKey: row.agency_key,
    agency: row.agency ?? row.agency_key,
    divisionCode: row.division_code,
    lastYear: row.last_year,
    thisYear: row.this_year,
    ...changeBetween(row.last_year, row.this_year),
  }));
}

/** The change from one exact value to another, and in per cent of the first (one decimal, half away from zero). */
export function changeBetween(last: ExactSum, current: ExactSum): { change: ExactSum; percent: string | null } {
  if (last === null || current === null) return { change: null, percent: null };
  const change = sumExact(current, last.startsWith('-') ? last.slice(1) : `-${last}`);
  const scale = Math.max(decimals(last), decimals(change));
  const base = scaled(last, scale);
  if (base === 0n) return { change, percent: null };
  // The change ×1000 over last year is per cent with one decimal; rounded half away from zero.
  const numerator = abs(scaled(change, scale) * 1000n);
  const denominator = abs(base);
  const magnitude = (2n * numerator + denominator) / (2n * denominator);
  const negative = magnitude !== 0n && change.startsWith('-') !== base < 0n;
  return { change, percent: `${negative ? '-' : ''}${magnitude / 10n}.${magnitude % 10n}` };
}

export interface RegionChoices {
  /** The region and its ancestors, outermost first. */
  path: Division[];
  /** Divisions one level down that have reports. */
  children: Division[];
}

/** Where the region picker can go from a region: its ancestors, and its children present in the data. */
export async function regionChoices(db: Kysely<Database>, region: Division | null): Promise<RegionChoices> {
  const { rows } = await sql<{ division_code: string }>`select distinct division_code from reports where division_code is not null`.execute(db);
  const present = new Set<string>();
  for (const { division_code: code } of rows) {
    present.add(code);
    for (const ancestor of ancestors(code)) present.add(ancestor.code);
  }
  return {
    path: region === null ? [] : [...ancestors(region.code), region],
    children: childrenOf(region).filter((child) => present.has(child.code)),
  };
}
