/** Which template a record follows and the rows and columns that template's tables have (spec §1). */
import type { CanonicalRecord, TemplateId } from '../../shared/record';

export type MatrixTemplate = Exclude<TemplateId, 'pre2019'>;

/**
 * Parse detects the template from the tables; when it could not, the report year decides, as the
 * spec's fallback does (2021 template from 2021, 2019 template for 2019 and 2020).
 */
export function templateOf(record: CanonicalRecord): TemplateId | null {
  if (record.meta.template !== null) return record.meta.template;
  const year = record.meta.year;
  if (year === null) return null;
  if (year >= 2021) return '2021';
  return year >= 2019 ? '2019' : 'pre2019';
}

/** The template when it is one of the two with national tables, else null. */
export function matrixTemplateOf(record: CanonicalRecord): MatrixTemplate | null {
  const template = templateOf(record);
  return template === 'pre2019' ? null : template;
}

export const APPLICANT_COLUMNS = ['naturalPerson', 'commercial', 'research', 'social', 'legal', 'other'] as const;
export const APPLICATION_COLUMNS = [...APPLICANT_COLUMNS, 'total'] as const;

const OUTCOME_ROWS_BEFORE_OTHER_HANDLING = [
  'granted',
  'partiallyGranted',
  'denied.stateSecret',
  'denied.prohibitedByLaw',
  'denied.securityStability',
  'denied.thirdPartyRights',
  'denied.internalAffairs',
  'denied.processInformation',
  'denied.enforcementFiles',
  'denied.administrativeQuery',
  'unableToProvide.notHeld',
  'unableToProvide.needsCreation',
  'unableToProvide.unclear',
  'notProcessed.complaint',
  'notProcessed.duplicate',
  'notProcessed.publication',
  'notProcessed.massRepeated',
  'notProcessed.reconfirm',
];

/** The rows （七）总计 adds up: 21 in the 2021 template, 19 in the 2019 one where （六）其他处理 is a single row. */
export function outcomeRows(template: MatrixTemplate): readonly string[] {
  const otherHandling =
    template === '2021' ? ['otherHandling.noCorrection', 'otherHandling.unpaidFee', 'otherHandling.other'] : ['otherHandling'];
  return [...OUTCOME_ROWS_BEFORE_OTHER_HANDLING, ...otherHandling];
}

/** Every row of table 三, top to bottom. */
export function applicationRows(template: MatrixTemplate): readonly string[] {
  return ['newReceived', 'carriedOver', ...outcomeRows(template), 'totalHandled', 'carriedForward'];
}

export const REVIEW_GROUPS = ['review', 'litigationDirect', 'litigationAfterReview'] as const;
export const REVIEW_OUTCOMES = ['upheld', 'corrected', 'other', 'pending'] as const;

/** Table 二 rows with a stock of documents in force (2021 template). */
export const DOCUMENT_STOCK_ROWS = ['regulations', 'normativeDocuments'] as const;
