/** VALUE_DOMAIN: counts are non-negative integers, amounts non-negative decimals (spec §2). */
import type { Bilingual, CanonicalRecord, Finding, LegacyIndicator } from '../../shared/record';
import { cellName } from '../../shared/template/cell-names';
import { MATRIX_TABLES } from '../../shared/template/templates';
import { decimalOf, isNegativeDecimal, isWholeDecimal } from '../../shared/decimal';
import { leaves, legacyKey } from './cells';
import { finding } from './finding';

/** Decimal amounts: the 2021 fee column (万元) and the 2019 procurement total. */
const AMOUNT_COLUMNS = new Set(['amountWan', 'amount']);
/** The 2019 template's 本年增/减 is a change, so it may be negative. */
const SIGNED_COUNT_COLUMNS = new Set(['change']);
/** Units of the pre-2019 list that count things; other units (天, %) may hold decimals or changes. */
const LEGACY_COUNT_UNITS = new Set(['条', '件', '次', '人次', '篇', '个', '人', '项', '期', '份', '场', '家', '户']);
const LEGACY_MONEY_UNITS = new Set(['元', '万元', '亿元']);

type ValueKind = 'count' | 'signedCount' | 'amount';

export function checkValueDomain(record: CanonicalRecord): Finding[] {
  const findings: Finding[] = [];
  for (const tableName of MATRIX_TABLES) {
    const table = record.tables[tableName];
    if (table === undefined) continue;
    for (const [key, value] of leaves(table, tableName)) {
      const column = key.slice(key.lastIndexOf('.') + 1);
      // A unit printed beside an amount ('amountUnit': '元') is text by design.
      if (value === null || column.endsWith('Unit')) continue;
      const decimal = exactDecimal(record, key, value);
      const problem = describeProblem(decimal, kindOfColumn(column));
      if (problem !== null) {
        findings.push(finding('VALUE_DOMAIN', { zh: `${cellName(key)} = ${decimal ?? value}：${problem.zh}`, en: `${key} = ${decimal ?? JSON.stringify(value)} ${problem.en}` }, [key]));
      }
    }
  }
  for (const indicator of record.tables.legacy ?? []) {
    const kind = kindOfLegacyUnit(indicator);
    if (indicator.value === null || kind === null) continue;
    const decimal = exactDecimal(record, legacyKey(indicator.key), indicator.value);
    const problem = describeProblem(decimal, kind);
    if (problem !== null) {
      const printed = `${indicator.label} = ${decimal ?? indicator.value} ${indicator.unit}`;
      findings.push(finding('VALUE_DOMAIN', { zh: `${printed}：${problem.zh}`, en: `${printed} ${problem.en}` }, [legacyKey(indicator.key)]));
    }
  }
  return findings;
}

function kindOfColumn(column: string): ValueKind {
  if (AMOUNT_COLUMNS.has(column)) return 'amount';
  return SIGNED_COUNT_COLUMNS.has(column) ? 'signedCount' : 'count';
}

/** Null for units the list does not pin down, so they are left unchecked. */
function kindOfLegacyUnit(indicator: LegacyIndicator): ValueKind | null {
  if (indicator.unit === null) return null;
  if (LEGACY_COUNT_UNITS.has(indicator.unit)) return 'count';
  return LEGACY_MONEY_UNITS.has(indicator.unit) ? 'amount' : null;
}

/** The cell's exact decimal (the printed one the record keeps first), or null when it is not a number. */
function exactDecimal(record: CanonicalRecord, key: string, value: number | string): string | null {
  const exact = record.exactValues?.[key];
  if (exact !== undefined) return exact;
  return typeof value === 'number' && Number.isFinite(value) ? decimalOf(value) : null;
}

/** Why the value is outside its domain, or null when it is inside. */
function describeProblem(decimal: string | null, kind: ValueKind): Bilingual | null {
  if (decimal === null) return { zh: '不是数字', en: 'is not a number' };
  if (kind === 'amount') return isNegativeDecimal(decimal) ? { zh: '金额为负数', en: 'is a negative amount' } : null;
  if (!isWholeDecimal(decimal)) return { zh: '件数不是整数', en: 'is not a whole count' };
  return kind === 'count' && isNegativeDecimal(decimal) ? { zh: '件数为负数', en: 'is a negative count' } : null;
}
