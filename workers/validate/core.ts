/**
 * The validate stage's pure core: every cross-check of spec §2 that validate owns, run on one
 * parsed record. LOW_CONFIDENCE_CELL, TABLE_AMBIGUOUS and NUMBER_FORMAT are parse's findings and stay in
 * `record.findings`; the findings returned here are validate's alone.
 */
import type { CanonicalRecord, Finding, ParsedReport } from '../../shared/record';
import { checkCellsPresent, checkSectionsPresent, checkTablesPresent } from './completeness';
import { checkAgainstPreviousYear } from './cross-year';
import { checkEquations } from './equations';
import { checkLegacySubtotals } from './legacy-subtotal';
import { checkNarrative } from './narrative';
import { checkTampering } from './tampering';
import { checkValueDomain } from './value-domain';
import { checkYears } from './year';

export interface ValidationContext {
  /** The same agency's record for the year before (looked up by agencyKey), or null when there is none. */
  previous: CanonicalRecord | null;
  /** The document's normalized text, searched for injected spam. */
  bodyText?: string;
  /** The clock for the latest possible report year; the current time when absent. */
  now?: Date;
}

/** Findings, most severe first: tampering, then the record's own errors, then warnings. */
export function validateReport(record: CanonicalRecord, context: ValidationContext): Finding[] {
  return [
    ...checkTampering(record, context.bodyText),
    ...checkTablesPresent(record),
    ...checkCellsPresent(record),
    ...checkValueDomain(record),
    ...checkEquations(record),
    ...checkSectionsPresent(record),
    ...checkNarrative(record),
    ...checkYears(record, context.now),
    ...checkAgainstPreviousYear(record, context.previous),
    ...checkLegacySubtotals(record),
  ];
}

/** The one place a report's findings are put together: parse's first, then validation's. */
export function withValidationFindings(parsed: ParsedReport, findings: Finding[]): ParsedReport {
  return { ...parsed, record: { ...parsed.record, findings: [...parsed.record.findings, ...findings] } };
}
