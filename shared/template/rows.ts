/**
 * The fixed rows and columns of the 2019 and 2021 templates (spec §1), with the labels each row and
 * column is printed under. The parser compares labels after labelKey(), so brackets, numbering and
 * spaces do not matter to it; the first label of a row is the official one, printed as the form
 * prints it, and with `marker` and `groups` it is what the human view shows.
 */
import type { TableNode } from '../record';

export interface RowSpec {
  /** Dotted row key within its table, e.g. `denied.stateSecret`. */
  key: string;
  labels: string[];
  /** The numbering the form prints before the label ('一、', '(三)', '1.'). */
  marker?: string;
  /** The merged label cells the row sits under in the form, outermost first ('三、本年度办理结果', '(三)不予公开'). */
  groups?: string[];
}

/** The label as the form prints it: marker and official label. */
export function printedLabel(row: RowSpec): string {
  return `${row.marker ?? ''}${row.labels[0]}`;
}

export const APPLICANT_COLUMNS = ['naturalPerson', 'commercial', 'research', 'social', 'legal', 'other', 'total'] as const;
export type ApplicantColumn = (typeof APPLICANT_COLUMNS)[number];

export const APPLICANT_COLUMN_LABELS: Record<ApplicantColumn, string> = {
  naturalPerson: '自然人',
  commercial: '商业企业',
  research: '科研机构',
  social: '社会公益组织',
  legal: '法律服务机构',
  other: '其他',
  total: '总计',
};
/** Headers over the applicant columns: 申请人情况 over all, 法人或其他组织 over the five organisations (no column of its own). */
export const APPLICANTS_HEADER = '申请人情况';
export const ORGANISATIONS_HEADER = '法人或其他组织';
export const ORGANISATION_COLUMNS: readonly ApplicantColumn[] = ['commercial', 'research', 'social', 'legal', 'other'];

const RESULTS_GROUP = '三、本年度办理结果';

/**
 * A numbered group of outcome rows under 三、本年度办理结果, e.g. (三)不予公开 with its rows 1.… 8.…
 * Its key is the rows' common key prefix; a group printed as one row keeps its values there.
 */
export interface RowGroup {
  key: string;
  labels: string[];
  marker: string;
  rows: RowSpec[];
  /**
   * Whether reports are known to print the group as one row in place of its sub-rows (2021's
   * (六)其他处理, in real PDFs), so a reader should look for it. The record then holds what was printed:
   * the group's own cells.
   */
  mayCollapse: boolean;
}

function outcomeGroup(key: string, marker: string, label: string, rows: Array<[key: string, label: string]>, mayCollapse = false): RowGroup {
  const group = `${marker}${label}`;
  return {
    key,
    labels: [label],
    marker,
    rows: rows.map(([row, rowLabel], index) => ({ key: `${key}.${row}`, labels: [rowLabel], marker: `${index + 1}.`, groups: [RESULTS_GROUP, group] })),
    mayCollapse,
  };
}

const DENIED = outcomeGroup('denied', '(三)', '不予公开', [
  ['stateSecret', '属于国家秘密'],
  ['prohibitedByLaw', '其他法律行政法规禁止公开'],
  ['securityStability', '危及“三安全一稳定”'],
  ['thirdPartyRights', '保护第三方合法权益'],
  ['internalAffairs', '属于三类内部事务信息'],
  ['processInformation', '属于四类过程性信息'],
  ['enforcementFiles', '属于行政执法案卷'],
  ['administrativeQuery', '属于行政查询事项'],
]);

const UNABLE_TO_PROVIDE = outcomeGroup('unableToProvide', '(四)', '无法提供', [
  ['notHeld', '本机关不掌握相关政府信息'],
  ['needsCreation', '没有现成信息需要另行制作'],
  ['unclear', '补正后申请内容仍不明确'],
]);

const NOT_PROCESSED = outcomeGroup('notProcessed', '(五)', '不予处理', [
  ['complaint', '信访举报投诉类申请'],
  ['duplicate', '重复申请'],
  ['publication', '要求提供公开出版物'],
  ['massRepeated', '无正当理由大量反复申请'],
  ['reconfirm', '要求行政机关确认或重新出具已获取信息'],
]);

const OTHER_HANDLING_2021 = outcomeGroup(
  'otherHandling',
  '(六)',
  '其他处理',
  [
    ['noCorrection', '申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请'],
    ['unpaidFee', '申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请'],
    ['other', '其他'],
  ],
  true,
);

/** A group as one row, as the 2019 template prints (六)其他处理 and real reports sometimes print a 2021 group. */
export function groupAsOneRow(group: RowGroup): RowSpec {
  return { key: group.key, labels: group.labels, marker: group.marker, groups: [RESULTS_GROUP] };
}

const OTHER_HANDLING_2019 = groupAsOneRow(OTHER_HANDLING_2021);

const GRANTED: RowSpec[] = [
  { key: 'granted', labels: ['予以公开'], marker: '(一)', groups: [RESULTS_GROUP] },
  { key: 'partiallyGranted', labels: ['部分公开(区分处理的,只计这一情形,不计其他情形)', '部分公开'], marker: '(二)', groups: [RESULTS_GROUP] },
];

export interface ApplicationsLayout {
  /** Every row in table order. */
  rows: RowSpec[];
  /** The rows that sum to （七）总计. */
  outcomeKeys: string[];
  /** The groups of sub-rows, each of which a report may print collapsed into one row (see `mayCollapse`). */
  groups: RowGroup[];
}

function applicationsLayout(outcomes: Array<RowSpec | RowGroup>): ApplicationsLayout {
  const outcomeRows = outcomes.flatMap((outcome) => ('rows' in outcome ? outcome.rows : [outcome]));
  return {
    rows: [
      { key: 'newReceived', labels: ['本年新收政府信息公开申请数量'], marker: '一、' },
      { key: 'carriedOver', labels: ['上年结转政府信息公开申请数量'], marker: '二、' },
      ...outcomeRows,
      { key: 'totalHandled', labels: ['总计'], marker: '(七)', groups: [RESULTS_GROUP] },
      { key: 'carriedForward', labels: ['结转下年度继续办理'], marker: '四、' },
    ],
    outcomeKeys: outcomeRows.map((row) => row.key),
    groups: outcomes.filter((outcome): outcome is RowGroup => 'rows' in outcome),
  };
}

export const APPLICATIONS_2021 = applicationsLayout([...GRANTED, DENIED, UNABLE_TO_PROVIDE, NOT_PROCESSED, OTHER_HANDLING_2021]);
export const APPLICATIONS_2019 = applicationsLayout([...GRANTED, DENIED, UNABLE_TO_PROVIDE, NOT_PROCESSED, OTHER_HANDLING_2019]);

/** The layout as a report printed it: each group in `collapsed` one row in place of its sub-rows. */
export function withCollapsedGroups(layout: ApplicationsLayout, collapsed: ReadonlySet<string>): ApplicationsLayout {
  if (collapsed.size === 0) return layout;
  const groupOf = new Map(layout.groups.filter((group) => collapsed.has(group.key)).flatMap((group) => group.rows.map((row) => [row.key, group])));
  const rows = layout.rows.flatMap((row) => {
    const group = groupOf.get(row.key);
    if (group === undefined) return [row];
    // The group's row takes the place of its first sub-row; the other sub-rows go.
    return group.rows[0] === row ? [groupAsOneRow(group)] : [];
  });
  const outcomeKeys = new Set(layout.outcomeKeys);
  return {
    rows,
    outcomeKeys: rows.filter((row) => outcomeKeys.has(row.key) || collapsed.has(row.key)).map((row) => row.key),
    groups: layout.groups.filter((group) => !collapsed.has(group.key)),
  };
}

/**
 * The groups `table` (a record's table 三) holds collapsed: cells directly on the group
 * (`otherHandling.total`) rather than under its sub-rows. Any group may be, whatever `mayCollapse` says:
 * the record holds what was printed.
 */
export function collapsedGroupsIn(layout: ApplicationsLayout, table: TableNode | undefined): Set<string> {
  const collapsed = new Set<string>();
  for (const group of layout.groups) {
    const node = table?.[group.key];
    if (node === null || typeof node !== 'object') continue;
    // A leaf, not a row: (六)其他处理's sub-row `other` shares its key with the applicant column `other`.
    if (APPLICANT_COLUMNS.some((column) => Object.hasOwn(node, column) && (node[column] === null || typeof node[column] !== 'object'))) collapsed.add(group.key);
  }
  return collapsed;
}

/** The rows of table 三 as the record holds them, collapsed groups as one row each. */
export function printedApplications(layout: ApplicationsLayout, table: TableNode | undefined): ApplicationsLayout {
  return withCollapsedGroups(layout, collapsedGroupsIn(layout, table));
}

export const REVIEW_GROUPS = ['review', 'litigationDirect', 'litigationAfterReview'] as const;
export const REVIEW_COLUMNS = ['upheld', 'corrected', 'other', 'pending', 'total'] as const;

export const REVIEW_GROUP_LABELS: Record<(typeof REVIEW_GROUPS)[number], string> = {
  review: '行政复议',
  litigationDirect: '未经复议直接起诉',
  litigationAfterReview: '复议后起诉',
};
/** The header over both litigation groups. */
export const LITIGATION_HEADER = '行政诉讼';
export const REVIEW_COLUMN_LABELS: Record<(typeof REVIEW_COLUMNS)[number], string> = {
  upheld: '结果维持',
  corrected: '结果纠正',
  other: '其他结果',
  pending: '尚未审结',
  total: '总计',
};

/** Table 二 rows with a stock of documents in force (2021 template: 现行有效件数). */
export const DOCUMENT_STOCK_ROWS = ['regulations', 'normativeDocuments'] as const;

export interface ActiveColumn {
  key: string;
  label: string;
  /** Amount columns are decimals and may carry a unit. */
  amount?: boolean;
  /** Where the column's unit is fixed by the template (2021 fees: 万元). */
  fixedUnit?: string;
}

export interface ActiveRowSpec extends RowSpec {
  /** The block of the form the row is printed in ('第二十条第(一)项'). */
  item: string;
  columns: ActiveColumn[];
}

const ISSUED_2021: ActiveColumn[] = [
  { key: 'issued', label: '本年制发件数' },
  { key: 'repealed', label: '本年废止件数' },
  { key: 'inForce', label: '现行有效件数' },
];
const MADE_2019: ActiveColumn[] = [
  { key: 'made', label: '本年新制作数量' },
  { key: 'published', label: '本年新公开数量' },
  { key: 'totalPublic', label: '对外公开总数量' },
];
const DECISIONS_2021: ActiveColumn[] = [{ key: 'decisions', label: '本年处理决定数量' }];
const PREVIOUS_AND_CHANGE_2019: ActiveColumn[] = [
  { key: 'previousCount', label: '上一年项目数量' },
  { key: 'change', label: '本年增/减' },
];
const ITEMS_2019: ActiveColumn[] = [...PREVIOUS_AND_CHANGE_2019, { key: 'decisions', label: '处理决定数量' }];

const item = (number: string): string => `第二十条第(${number})项`;

export const ACTIVE_2021: ActiveRowSpec[] = [
  { key: 'regulations', labels: ['规章'], item: item('一'), columns: ISSUED_2021 },
  { key: 'normativeDocuments', labels: ['行政规范性文件', '规范性文件'], item: item('一'), columns: ISSUED_2021 },
  { key: 'licensing', labels: ['行政许可'], item: item('五'), columns: DECISIONS_2021 },
  { key: 'punishment', labels: ['行政处罚'], item: item('六'), columns: DECISIONS_2021 },
  { key: 'enforcement', labels: ['行政强制'], item: item('六'), columns: DECISIONS_2021 },
  {
    key: 'fees',
    labels: ['行政事业性收费'],
    item: item('八'),
    columns: [{ key: 'amountWan', label: '本年收费金额(单位:万元)', amount: true, fixedUnit: '万元' }],
  },
];

export const ACTIVE_2019: ActiveRowSpec[] = [
  { key: 'regulations', labels: ['规章'], item: item('一'), columns: MADE_2019 },
  { key: 'normativeDocuments', labels: ['规范性文件', '行政规范性文件'], item: item('一'), columns: MADE_2019 },
  { key: 'licensing', labels: ['行政许可'], item: item('五'), columns: ITEMS_2019 },
  { key: 'otherServices', labels: ['其他对外管理服务事项'], item: item('五'), columns: ITEMS_2019 },
  { key: 'punishment', labels: ['行政处罚'], item: item('六'), columns: ITEMS_2019 },
  { key: 'enforcement', labels: ['行政强制'], item: item('六'), columns: ITEMS_2019 },
  { key: 'fees', labels: ['行政事业性收费'], item: item('八'), columns: PREVIOUS_AND_CHANGE_2019 },
  {
    key: 'procurement',
    labels: ['政府集中采购'],
    item: item('九'),
    columns: [
      { key: 'projects', label: '采购项目数量' },
      { key: 'amount', label: '采购总金额', amount: true },
    ],
  },
];
