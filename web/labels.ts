/**
 * What the pages call the pipeline's words — document statuses, stages, error codes, finding rules
 * and severities — in Chinese and English. Codes stay codes in the database, the API and the logs;
 * only the pages translate them, here.
 */
import type { ErrorCode } from '../shared/errors';
import type { DEAD_LETTER_QUEUE, OCR_PAGE_QUEUE, Stage } from '../shared/pipeline';
import type { RuleId, Severity, TemplateId } from '../shared/record';
import { TEMPLATE_NAMES } from '../shared/template/cell-names';
import { say, type Locale } from './i18n';

type Names = readonly [zh: string, en: string];

/** Document statuses, stage-run outcomes, submission states and queue job states: whatever a status badge shows. */
const STATUS_NAMES: Record<string, Names> = {
  queued: ['排队中', 'queued'],
  processing: ['处理中', 'processing'],
  published: ['已发布', 'published'],
  dead_lettered: ['死信', 'dead-lettered'],
  running: ['运行中', 'running'],
  completed: ['已完成', 'completed'],
  skipped: ['已跳过', 'skipped'],
  failed: ['失败', 'failed'],
  waiting: ['等待中', 'waiting'],
  interrupted: ['已中断', 'interrupted'],
  active: ['进行中', 'active'],
  delayed: ['延后', 'delayed'],
  with_errors: ['有错误', 'with errors'],
  in_progress: ['处理中', 'in progress'],
  missing: ['缺失', 'missing'],
  not_run: ['未运行', 'not run'],
};

const STAGE_NAMES: Record<Stage, Names> = {
  ingest: ['接收', 'ingest'],
  ocr: ['文字识别', 'OCR'],
  normalize: ['文本规整', 'normalize'],
  parse: ['解析', 'parse'],
  validate: ['校验', 'validate'],
  publish: ['发布', 'publish'],
};

/** The queues besides one per stage. */
const OTHER_QUEUE_NAMES: Record<typeof OCR_PAGE_QUEUE | typeof DEAD_LETTER_QUEUE, Names> = {
  'ocr-page': ['逐页文字识别', 'OCR pages'],
  'dead-letter': ['死信', 'dead letters'],
};

const ERROR_CODE_NAMES: Record<ErrorCode, Names> = {
  UNSUPPORTED_MEDIA: ['不支持的文件类型', 'unsupported file type'],
  CORRUPT_FILE: ['文件已损坏', 'corrupt file'],
  ENCRYPTED_FILE: ['文件已加密', 'encrypted file'],
  EMPTY_FILE: ['空文件', 'empty file'],
  TOO_LARGE: ['文件过大', 'too large'],
  NOT_A_REPORT: ['不是年度报告', 'not a report'],
  OCR_FAILED: ['文字识别失败', 'OCR failed'],
  INVALID_JOB: ['任务无效', 'invalid job'],
  MISSING_INPUT: ['缺少上一阶段的输出', 'missing input'],
  TRANSIENT: ['临时故障', 'transient failure'],
};

const RULE_NAMES: Record<RuleId, Names> = {
  APPLICATIONS_BALANCE: ['申请数量收支不平衡（一 + 二 ≠ 七 + 四）', 'applications do not balance (一 + 二 ≠ 七 + 四)'],
  APPLICATIONS_OUTCOMES_SUM: ['办理结果之和与总计不符', 'outcomes do not sum to the total'],
  APPLICATIONS_ROW_TOTAL: ['各类申请人之和与总计不符', 'applicants do not sum to the row total'],
  REVIEW_LITIGATION_TOTAL: ['复议、诉讼结果之和与总计不符', 'review or litigation outcomes do not sum to the total'],
  VALUE_DOMAIN: ['数值不合理', 'value out of range'],
  TABLE_MISSING: ['缺少表格', 'table missing'],
  SECTION_MISSING: ['缺少章节', 'section missing'],
  NARRATIVE_MISMATCH: ['正文数字与表格不符', 'text disagrees with the table'],
  YEAR_MISMATCH: ['年份不符', 'year mismatch'],
  CARRY_OVER_MISMATCH: ['上年结转与上年报告不符', 'carry-over differs from last year'],
  STOCK_FLOW_MISMATCH: ['现行有效件数与上年不衔接', 'documents in force do not follow from last year'],
  LEGACY_SUBTOTAL: ['统计表分项之和不符', 'list items do not add up'],
  CONTENT_TAMPERING: ['内容被篡改', 'tampered content'],
  LOW_CONFIDENCE_CELL: ['文字识别把握不足', 'low OCR confidence'],
  TABLE_AMBIGUOUS: ['表格读取存疑', 'table ambiguous'],
  ROW_COLLAPSED: ['分组按一行印出', 'row group printed as one row'],
  CELL_MISSING: ['单元格未读出', 'cells not read'],
  NUMBER_FORMAT: ['数字格式不规范', 'number not in a form the tables print'],
  YEAR_OUT_OF_RANGE: ['报告年度超出范围', 'report year out of range'],
};

const SEVERITY_NAMES: Record<Severity, Names> = {
  critical: ['严重', 'critical'],
  error: ['错误', 'error'],
  warning: ['警告', 'warning'],
};

function named(table: Record<string, Names>, locale: Locale, code: string): string {
  const names = table[code];
  return names ? say(locale, ...names) : code;
}

export const statusName = (status: string, locale: Locale): string => named(STATUS_NAMES, locale, status);
export const stageName = (stage: string, locale: Locale): string => named(STAGE_NAMES, locale, stage);
export const queueName = (queue: string, locale: Locale): string => named({ ...STAGE_NAMES, ...OTHER_QUEUE_NAMES }, locale, queue);
export const errorCodeName = (code: string, locale: Locale): string => named(ERROR_CODE_NAMES, locale, code);
export const ruleName = (rule: string, locale: Locale): string => named(RULE_NAMES, locale, rule);
export const severityName = (severity: string, locale: Locale): string => named(SEVERITY_NAMES, locale, severity);
export const templateName = (template: string, locale: Locale): string =>
  template in TEMPLATE_NAMES ? say(locale, TEMPLATE_NAMES[template as TemplateId], template === 'pre2019' ? 'pre-2019' : template) : template;

/**
 * A document's error as stored (`UNSUPPORTED_MEDIA: …` for a permanent error, see describeError) with
 * its code by name in Chinese; the detail after it is the stage's own text.
 */
export function errorText(error: string, locale: Locale): string {
  const coded = /^([A-Z_]+): ([\s\S]*)$/.exec(error);
  if (coded === null || !(coded[1] in ERROR_CODE_NAMES) || locale === 'en') return error;
  return `${errorCodeName(coded[1], locale)}：${coded[2]}`;
}

export const SEVERITIES: readonly Severity[] = ['critical', 'error', 'warning'];
