/**
 * YEAR_OUT_OF_RANGE: a report year no annual report can have. YEAR_MISMATCH: the report year, the
 * statistical period and the publication date disagree.
 */
import type { CanonicalRecord, Finding } from '../../shared/record';
import { finding } from './finding';

/**
 * The first report year: the 政府信息公开条例 took effect on 1 May 2008, and the first annual
 * reports (the pre-2019 template) cover 2008.
 */
export const FIRST_REPORT_YEAR = 2008;

/**
 * The latest report year at `now`: the year under way, whose report is published the following
 * spring (an early or provisional one may appear before the year ends), never a later one.
 */
export function latestReportYear(now: Date): number {
  return now.getUTCFullYear();
}

function yearOf(isoDate: string): number | null {
  const match = /^(\d{4})-\d{2}-\d{2}/.exec(isoDate);
  return match === null ? null : Number(match[1]);
}

/** `now`: the clock the latest possible year is read from (injectable, so tests do not age). */
export function checkYears(record: CanonicalRecord, now: Date = new Date()): Finding[] {
  const { year, period, publishedOn } = record.meta;
  if (year === null) return [];
  const latest = latestReportYear(now);
  if (year < FIRST_REPORT_YEAR || year > latest) {
    // The other year checks would only restate that the year is wrong.
    return [
      finding(
        'YEAR_OUT_OF_RANGE',
        {
          zh: `报告年度 ${year} 年不在可能的范围 ${FIRST_REPORT_YEAR}–${latest} 年内（《政府信息公开条例》2008 年施行，年度报告最晚为当年）`,
          en: `the report year ${year} is outside ${FIRST_REPORT_YEAR}–${latest}, the years an annual report can cover (the regulations took effect in 2008; no report covers a year not yet begun)`,
        },
        ['meta.year'],
      ),
    ];
  }
  const findings: Finding[] = [];
  if (period !== null) {
    const fromYear = yearOf(period.from);
    const toYear = yearOf(period.to);
    if (fromYear !== null && toYear !== null && (fromYear !== year || toYear !== year)) {
      findings.push(
        finding(
          'YEAR_MISMATCH',
          {
            zh: `${year} 年度报告的统计期为 ${period.from} 至 ${period.to}，不在 ${year} 年内`,
            en: `the ${year} report states a statistical period of ${period.from} to ${period.to}`,
          },
          ['meta.year', 'meta.period'],
        ),
      );
    }
  }
  const publishedYear = publishedOn === null ? null : yearOf(publishedOn);
  // Reports are due early the following year; a late one may slip within it, but not beyond.
  if (publishedYear !== null && publishedYear !== year && publishedYear !== year + 1) {
    findings.push(
      finding(
        'YEAR_MISMATCH',
        {
          zh: `${year} 年度报告的发布日期为 ${publishedOn}，不在 ${year}–${year + 1} 年内`,
          en: `the ${year} report was published on ${publishedOn}, outside ${year}–${year + 1}`,
        },
        ['meta.year', 'meta.publishedOn'],
      ),
    );
  }
  return findings;
}
