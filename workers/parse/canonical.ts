/**
 * The fixed rows and columns of the 2019 and 2021 templates (spec §1), with the labels each row is
 * printed under. Labels are compared after labelKey(), so brackets, numbering and spaces do not matter.
 */

export interface RowSpec {
  /** Dotted row key within its table, e.g. `denied.stateSecret`. */
  key: string;
  labels: string[];
}

export const APPLICANT_COLUMNS = ['naturalPerson', 'commercial', 'research', 'social', 'legal', 'other', 'total'] as const;

const DENIED: RowSpec[] = [
  { key: 'denied.stateSecret', labels: ['属于国家秘密'] },
  { key: 'denied.prohibitedByLaw', labels: ['其他法律行政法规禁止公开'] },
  { key: 'denied.securityStability', labels: ['危及三安全一稳定'] },
  { key: 'denied.thirdPartyRights', labels: ['保护第三方合法权益'] },
  { key: 'denied.internalAffairs', labels: ['属于三类内部事务信息'] },
  { key: 'denied.processInformation', labels: ['属于四类过程性信息'] },
  { key: 'denied.enforcementFiles', labels: ['属于行政执法案卷'] },
  { key: 'denied.administrativeQuery', labels: ['属于行政查询事项'] },
];

const UNABLE_TO_PROVIDE: RowSpec[] = [
  { key: 'unableToProvide.notHeld', labels: ['本机关不掌握相关政府信息'] },
  { key: 'unableToProvide.needsCreation', labels: ['没有现成信息需要另行制作'] },
  { key: 'unableToProvide.unclear', labels: ['补正后申请内容仍不明确'] },
];

const NOT_PROCESSED: RowSpec[] = [
  { key: 'notProcessed.complaint', labels: ['信访举报投诉类申请'] },
  { key: 'notProcessed.duplicate', labels: ['重复申请'] },
  { key: 'notProcessed.publication', labels: ['要求提供公开出版物'] },
  { key: 'notProcessed.massRepeated', labels: ['无正当理由大量反复申请'] },
  { key: 'notProcessed.reconfirm', labels: ['要求行政机关确认或重新出具已获取信息'] },
];

const OTHER_HANDLING_2021: RowSpec[] = [
  { key: 'otherHandling.noCorrection', labels: ['申请人无正当理由逾期不补正行政机关不再处理其政府信息公开申请'] },
  { key: 'otherHandling.unpaidFee', labels: ['申请人逾期未按收费通知要求缴纳费用行政机关不再处理其政府信息公开申请'] },
  { key: 'otherHandling.other', labels: ['其他'] },
];

const GRANTED: RowSpec[] = [
  { key: 'granted', labels: ['予以公开'] },
  { key: 'partiallyGranted', labels: ['部分公开区分处理的只计这一情形不计其他情形', '部分公开'] },
];

export interface ApplicationsLayout {
  /** Every row in table order. */
  rows: RowSpec[];
  /** The rows that sum to （七）总计. */
  outcomeKeys: string[];
}

function applicationsLayout(otherHandling: RowSpec[]): ApplicationsLayout {
  const outcomes = [...GRANTED, ...DENIED, ...UNABLE_TO_PROVIDE, ...NOT_PROCESSED, ...otherHandling];
  return {
    rows: [
      { key: 'newReceived', labels: ['本年新收政府信息公开申请数量'] },
      { key: 'carriedOver', labels: ['上年结转政府信息公开申请数量'] },
      ...outcomes,
      { key: 'totalHandled', labels: ['总计'] },
      { key: 'carriedForward', labels: ['结转下年度继续办理'] },
    ],
    outcomeKeys: outcomes.map((row) => row.key),
  };
}

export const APPLICATIONS_2021 = applicationsLayout(OTHER_HANDLING_2021);
export const APPLICATIONS_2019 = applicationsLayout([{ key: 'otherHandling', labels: ['其他处理'] }]);

export const REVIEW_GROUPS = ['review', 'litigationDirect', 'litigationAfterReview'] as const;
export const REVIEW_COLUMNS = ['upheld', 'corrected', 'other', 'pending', 'total'] as const;

export interface ActiveColumn {
  key: string;
  /** Amount columns are decimals and may carry a unit. */
  amount?: boolean;
  /** Where the column's unit is fixed by the template (2021 fees: 万元). */
  fixedUnit?: string;
}

export interface ActiveRowSpec extends RowSpec {
  columns: ActiveColumn[];
}

const ISSUED_2021: ActiveColumn[] = [{ key: 'issued' }, { key: 'repealed' }, { key: 'inForce' }];
const MADE_2019: ActiveColumn[] = [{ key: 'made' }, { key: 'published' }, { key: 'totalPublic' }];
const DECISIONS_2021: ActiveColumn[] = [{ key: 'decisions' }];
const ITEMS_2019: ActiveColumn[] = [{ key: 'previousCount' }, { key: 'change' }, { key: 'decisions' }];

export const ACTIVE_2021: ActiveRowSpec[] = [
  { key: 'regulations', labels: ['规章'], columns: ISSUED_2021 },
  { key: 'normativeDocuments', labels: ['行政规范性文件', '规范性文件'], columns: ISSUED_2021 },
  { key: 'licensing', labels: ['行政许可'], columns: DECISIONS_2021 },
  { key: 'punishment', labels: ['行政处罚'], columns: DECISIONS_2021 },
  { key: 'enforcement', labels: ['行政强制'], columns: DECISIONS_2021 },
  { key: 'fees', labels: ['行政事业性收费'], columns: [{ key: 'amountWan', amount: true, fixedUnit: '万元' }] },
];

export const ACTIVE_2019: ActiveRowSpec[] = [
  { key: 'regulations', labels: ['规章'], columns: MADE_2019 },
  { key: 'normativeDocuments', labels: ['规范性文件', '行政规范性文件'], columns: MADE_2019 },
  { key: 'licensing', labels: ['行政许可'], columns: ITEMS_2019 },
  { key: 'otherServices', labels: ['其他对外管理服务事项'], columns: ITEMS_2019 },
  { key: 'punishment', labels: ['行政处罚'], columns: ITEMS_2019 },
  { key: 'enforcement', labels: ['行政强制'], columns: ITEMS_2019 },
  { key: 'fees', labels: ['行政事业性收费'], columns: [{ key: 'previousCount' }, { key: 'change' }] },
  { key: 'procurement', labels: ['政府集中采购'], columns: [{ key: 'projects' }, { key: 'amount', amount: true }] },
];
