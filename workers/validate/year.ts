/** YEAR_MISMATCH: the report year, the statistical period and the publication date disagree. */
import type { CanonicalRecord, Finding } from '../../shared/record';
import { finding } from './finding';

function yearOf(isoDate: string): number | null {
  const match = /^(\d{4})-\d{2}-\d{2}/.exec(isoDate);
  return match === null ? null : Number(match[1]);
}

export function checkYears(record: CanonicalRecord): Finding[] {
  const { year, period, publishedOn } = record.meta;
  if (year === null) return [];
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
