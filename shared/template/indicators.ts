/**
 * Cross-template indicators: the few figures every report has given since 2008 (主动公开数, 申请数,
 * 复议数, 诉讼数, 收费 …), whatever its template. A pre-2019 list names them by free-form labels
 * (`主动公开文件数`, `受理依申请公开信息总数`, `行政复议数量`), the 2019 and 2021 templates hold them in
 * fixed cells; this catalogue says which labels and which cells are the same indicator, so one
 * indicator can be followed from 2008 to today.
 */
import type { CanonicalRecord, ReportTables, TableNode, TemplateId } from '../record';
import { APPLICATIONS_2019, APPLICATIONS_2021, type ApplicationsLayout } from './rows';

export interface IndicatorSpec {
  id: string;
  /** The indicator's Chinese name, as a reader would say it. */
  name: string;
  /** Pre-2019 labels that print it (compared after foldLabel, so 数/数量/总数 and brackets do not matter). */
  legacyLabels: string[];
  /**
   * The indicator a label must sit under to be this one: lists repeat 被依法纠错数 and 其他情形数 under
   * 行政复议, 行政诉讼 and 举报投诉, and only the parent says which is which.
   */
  parent?: string;
  /**
   * The 2019/2021 cells whose sum is the indicator (dotted keys relative to the record's tables), or
   * null where those templates do not print it.
   */
  cells: ((layout: ApplicationsLayout, template: '2019' | '2021') => string[]) | null;
}

const deniedTotals = (layout: ApplicationsLayout): string[] =>
  layout.groups.find((group) => group.key === 'denied')!.rows.map((row) => `applications.${row.key}.total`);

const LITIGATION_GROUPS = ['litigationDirect', 'litigationAfterReview'];

/**
 * The outcomes a list prints under each of 行政复议, 行政诉讼 and 举报投诉 (维持, 被依法纠错, 其他情形),
 * told apart only by their parent.
 */
function outcomeIndicators(parent: string, idPrefix: string, parentName: string, groups: string[] | null): IndicatorSpec[] {
  const outcome = (suffix: string, name: string, labels: string[], column: string): IndicatorSpec => ({
    id: `${idPrefix}${suffix}`,
    name: `${parentName}${name}`,
    legacyLabels: labels,
    parent,
    cells: groups && (() => groups.map((group) => `reviewLitigation.${group}.${column}`)),
  });
  return [
    outcome('Upheld', '维持数', ['维持具体行政行为数', '维持具体行政行为或者驳回原告诉讼请求数', '维持', '驳回', '维持原具体行政行为数'], 'upheld'),
    outcome('Corrected', '被依法纠错数', ['被依法纠错数', '纠错数', '依法纠错数', '被纠错数'], 'corrected'),
    outcome('Other', '其他情形数', ['其他情形数', '其他'], 'other'),
  ];
}

export const INDICATORS: readonly IndicatorSpec[] = [
  {
    id: 'proactive',
    name: '主动公开政府信息数',
    legacyLabels: ['主动公开政府信息数', '主动公开文件数', '主动公开信息数', '主动公开政府信息条数', '主动公开信息总数', '主动公开政府信息总数'],
    cells: null,
  },
  {
    id: 'normativeDocumentsIssued',
    name: '制发规范性文件数',
    legacyLabels: ['制发规范性文件总数', '制发规范性文件数'],
    cells: (_, template) => [template === '2021' ? 'active.normativeDocuments.issued' : 'active.normativeDocuments.made'],
  },
  {
    id: 'applicationsReceived',
    name: '政府信息公开申请数',
    legacyLabels: [
      '收到申请数',
      '受理申请总数',
      '依申请公开信息总数',
      '受理依申请公开信息总数',
      '申请数',
      '申请总数',
      '受理申请数',
      '依申请公开数',
      '收到政府信息公开申请数',
      '受理政府信息公开申请数',
      '受理政府信息公开申请总数',
      '受理依申请公开申请数',
      '受理依申请公开数',
      '依申请公开申请数',
      '受理信息公开申请数',
      '收到依申请公开申请数',
    ],
    cells: () => ['applications.newReceived.total'],
  },
  {
    id: 'applicationsCompleted',
    name: '申请办结数',
    legacyLabels: ['申请办结数', '办结申请数', '已办结数', '办结数'],
    cells: () => ['applications.totalHandled.total'],
  },
  {
    id: 'applicationsAnswered',
    name: '申请答复数',
    legacyLabels: ['申请答复数', '答复申请数', '已答复数', '答复数', '依申请公开答复数'],
    cells: () => ['applications.totalHandled.total'],
  },
  {
    id: 'applicationsAlreadyPublic',
    name: '属于已主动公开范围数',
    legacyLabels: ['属于已主动公开范围数', '属于已主动公开范围'],
    cells: null,
  },
  {
    id: 'applicationsGranted',
    name: '予以公开数',
    legacyLabels: ['同意公开答复数', '同意公开数', '予以公开数', '已公开数', '答复同意公开数'],
    cells: () => ['applications.granted.total'],
  },
  {
    id: 'applicationsPartiallyGranted',
    name: '部分公开数',
    legacyLabels: ['同意部分公开答复数', '同意部分公开数', '部分公开数', '部分同意公开数', '予以部分公开数'],
    cells: () => ['applications.partiallyGranted.total'],
  },
  {
    id: 'applicationsDenied',
    name: '不予公开数',
    legacyLabels: ['不同意公开答复数', '不同意公开数', '不予公开数', '不予公开答复数'],
    cells: deniedTotals,
  },
  {
    id: 'applicationsNotHeld',
    name: '信息不存在数',
    legacyLabels: ['申请信息不存在数', '信息不存在数', '政府信息不存在数', '申请公开的信息不存在数'],
    cells: () => ['applications.unableToProvide.notHeld.total'],
  },
  {
    id: 'applicationsNotThisAgency',
    name: '不属于本机关公开数',
    legacyLabels: ['不属于本行政机关公开数', '不属于本机关公开数', '非本机关政府信息数', '非本机关信息数', '不属于本机关政府信息数'],
    cells: null,
  },
  {
    id: 'applicationsToClarify',
    name: '告知作出更改补充数',
    legacyLabels: ['告知作出更改补充数', '告知更改补充数'],
    cells: null,
  },
  {
    id: 'applicationsOtherChannel',
    name: '告知通过其他途径办理数',
    legacyLabels: ['告知通过其他途径办理数', '告知通过其他途径办理'],
    cells: null,
  },
  {
    id: 'reviewCases',
    name: '行政复议数',
    legacyLabels: ['行政复议数', '行政复议案件数', '申请行政复议数', '提起行政复议数', '被申请行政复议数', '政府信息公开行政复议数'],
    cells: () => ['reviewLitigation.review.total'],
  },
  ...outcomeIndicators('reviewCases', 'review', '行政复议', ['review']),
  {
    id: 'litigationCases',
    name: '行政诉讼数',
    legacyLabels: ['行政诉讼数', '行政诉讼案件数', '提起行政诉讼数', '被提起行政诉讼数', '政府信息公开行政诉讼数'],
    cells: () => LITIGATION_GROUPS.map((group) => `reviewLitigation.${group}.total`),
  },
  ...outcomeIndicators('litigationCases', 'litigation', '行政诉讼', LITIGATION_GROUPS),
  {
    id: 'complaints',
    name: '举报投诉数',
    legacyLabels: ['申诉数', '举报投诉数', '申诉案件数', '投诉数', '举报数', '举报投诉案件数'],
    cells: null,
  },
  ...outcomeIndicators('complaints', 'complaints', '举报投诉', null),
  {
    id: 'feesCollected',
    name: '依申请公开收费金额',
    legacyLabels: ['收费金额', '依申请公开信息收取的费用', '依申请提供信息收费金额', '收取费用', '收费数额', '依申请公开收费金额', '收取检索复制邮寄等费用', '收费'],
    cells: null,
  },
  {
    id: 'feesWaived',
    name: '减免收费金额',
    legacyLabels: ['减免收费金额', '减免收费数额', '减免费用', '减免收费', '减免金额'],
    cells: null,
  },
  {
    id: 'staff',
    name: '从事政府信息公开工作人员数',
    legacyLabels: ['从事政府信息公开工作人员数', '工作人员数'],
    cells: null,
  },
];

/**
 * A label reduced to what tells indicators apart: no brackets, markers or punctuation, and the
 * count words a list varies freely (行政复议数 / 行政复议数量 / 行政复议案件数) folded away.
 */
export function foldLabel(label: string): string {
  return label
    .normalize('NFKC')
    .replace(/\s+/g, '')
    .replace(/\([^()]*\)/g, '')
    .replace(/^(?:[一二三四五六七八九十]+[、.]|\([一二三四五六七八九十]+\)|\d{1,2}[.、]|其中:?)+/, '')
    .replace(/[:、,."“”《》]/g, '')
    .replace(/^政府信息公开/, '')
    .replace(/(?:总数|数量|数额|数)$/, '')
    .replace(/(?:案件|件|条)$/, '');
}

const BY_FOLDED_LABEL = new Map<string, IndicatorSpec[]>();
for (const spec of INDICATORS) {
  for (const label of spec.legacyLabels) {
    const folded = foldLabel(label);
    BY_FOLDED_LABEL.set(folded, [...(BY_FOLDED_LABEL.get(folded) ?? []), spec]);
  }
}

/**
 * The indicator a pre-2019 label prints, or null for the many labels that have no counterpart
 * elsewhere. `parent` is the indicator of the row the label sits under: an outcome like 被依法纠错数
 * is an indicator only under its parent, a label of its own (行政复议数) under any.
 */
export function indicatorForLabel(label: string, parent: string | null = null): string | null {
  const specs = BY_FOLDED_LABEL.get(foldLabel(label)) ?? [];
  return (specs.find((spec) => spec.parent !== undefined && spec.parent === parent) ?? specs.find((spec) => spec.parent === undefined))?.id ?? null;
}

export interface IndicatorValue {
  id: string;
  name: string;
  /** null where the record prints the indicator blank, or a part of its sum is blank. */
  value: number | null;
  unit: string | null;
  /** Pre-2019 lists with a 历年累计 column: the cumulative figure. */
  cumulative?: number | null;
  /** The cell keys it was read from, as findings name them. */
  cells: string[];
}

/**
 * The cross-template indicators a record states, in catalogue order: from the pre-2019 list by label
 * (the first row of each indicator: a list repeats a label only under other parents), from the
 * 2019/2021 tables by their cells. Indicators the record does not print are left out.
 */
export function recordIndicators(record: Pick<CanonicalRecord, 'meta' | 'tables'>): IndicatorValue[] {
  const { tables } = record;
  const template = record.meta.template;
  const values: IndicatorValue[] = [];
  for (const spec of INDICATORS) {
    const value = tables.legacy ? legacyValue(spec, tables) : tableValue(spec, tables, template);
    if (value) values.push(value);
  }
  return values;
}

function legacyValue(spec: IndicatorSpec, tables: ReportTables): IndicatorValue | null {
  const row = tables.legacy!.find((indicator) => indicator.indicator === spec.id);
  if (!row) return null;
  return {
    id: spec.id,
    name: spec.name,
    value: row.value,
    unit: row.unit,
    ...(row.cumulative !== undefined ? { cumulative: row.cumulative } : {}),
    cells: [`legacy.${row.key}`],
  };
}

function tableValue(spec: IndicatorSpec, tables: ReportTables, template: TemplateId | null): IndicatorValue | null {
  if (spec.cells === null || (template !== '2019' && template !== '2021')) return null;
  const keys = spec.cells(template === '2019' ? APPLICATIONS_2019 : APPLICATIONS_2021, template);
  const values = keys.map((key) => numberAt(tables, key));
  if (values.every((value) => value === undefined)) return null;
  const value = values.some((value) => value === undefined || value === null) ? null : (values as number[]).reduce((total, part) => total + part, 0);
  return { id: spec.id, name: spec.name, value, unit: '件', cells: keys };
}

/** The number at a dotted key; null for a blank cell, undefined where the record has no such cell. */
function numberAt(tables: ReportTables, key: string): number | null | undefined {
  const [table, ...path] = key.split('.');
  let node: TableNode[string] | undefined = tables[table as 'active' | 'applications' | 'reviewLitigation'];
  for (const part of path) {
    if (node === null || node === undefined || typeof node !== 'object') return undefined;
    node = node[part];
  }
  if (node === undefined) return undefined;
  return typeof node === 'number' ? node : null;
}
