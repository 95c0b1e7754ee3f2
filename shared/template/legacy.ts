/**
 * The pre-2019 统计表's columns: the header names lists print over each column, and the columns the
 * CLI and web form draw. The reader (workers/parse/tables/legacy.ts) finds a list by these headers.
 */

/** What a column after the label holds. */
export type LegacyColumnRole = 'unit' | 'value' | 'cumulative';

/** The list's column headers as the form most reports use prints them (the CLI and web form draw them). */
export const LEGACY_COLUMN_LABELS = ['统计指标', '单位', '统计数'] as const;
/** The column header of the 历年累计 figure, where a list prints one. */
export const LEGACY_CUMULATIVE_LABEL = '历年累计';

/** Headers over the label column. */
export const LEGACY_LABEL_HEADERS = ['指标名称', '统计指标', '统计项目', '指标'];
/** Longer names first, so 计量单位 is not read as 单位 and 历年累计 not as 累计. */
export const LEGACY_COLUMN_HEADERS: ReadonlyArray<[name: string, role: LegacyColumnRole]> = [
  ['计量单位', 'unit'],
  ['单位', 'unit'],
  [LEGACY_CUMULATIVE_LABEL, 'cumulative'],
  ['累计数', 'cumulative'],
  ['累计', 'cumulative'],
  ['本年度', 'value'],
  ['本年数', 'value'],
  ['本年', 'value'],
  ['统计数', 'value'],
  ['数量', 'value'],
  ['数值', 'value'],
];
