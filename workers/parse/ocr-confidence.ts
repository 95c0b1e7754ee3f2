/**
 * LOW_CONFIDENCE_CELL (spec §2): what parse owes the reader about numbers it took from a scan.
 *
 * A cell OCR read is *unsure* when its confidence is below LOW_CONFIDENCE_THRESHOLD or its text is
 * not a clean count ('1O', '8,3', '8.3'). The template's arithmetic (shared/template/equations.ts) then decides:
 *
 * - an unsure cell that every equation it is in confirms (each one complete, holding, and its other
 *   cells sure) is taken as read, without a finding;
 * - an equation that fails with exactly one unsure cell, every other cell a number, is solved for
 *   that cell; a non-negative whole solution that agrees with every other equation the cell is in
 *   replaces the value (the printed text stays in `raw`), with a finding saying it was inferred;
 * - every other unsure cell keeps its reading and gets a finding.
 *
 * A confident cell is never changed, nor are two cells of one equation: a confident misreading is
 * left to validate's checks. Text layouts are exact, so only cells on OCR pages are considered.
 */
import { legacyCellKey, RULES, type Bilingual, type ExtractedCell, type Finding, type LegacyColumn, type ReportTables, type TemplateId } from '../../shared/record';
import { decimalOf } from '../../shared/decimal';
import { cellName } from '../../shared/template/cell-names';
import { residual, solveFor, tableEquations, type Equation } from '../../shared/template/equations';
import { matrixModel } from '../../shared/template/templates';
import { isPlaceholder } from './cells';
import { setCell } from './table-read';

/**
 * On tesseract's 0–100 scale. Clean printed digits read at 85–95; the OCR stage caps its own guesses
 * at 60 (a general reading folded into digits, a cell re-read because its column is numeric) and
 * asks for a second opinion below 75. 70 flags every guess and every reading still poor after the
 * second opinion, while a clean table stays quiet.
 */
export const LOW_CONFIDENCE_THRESHOLD = 70;

/** Tables whose every cell is a count, so a fraction or a negative number there is a misreading. */
const COUNT_TABLES = new Set<ExtractedCell['table']>(['applications', 'reviewLitigation']);

interface CellState {
  cell: ExtractedCell;
  key: string;
  /** Below the threshold, or not a clean number; placeholders and blanks never are. */
  unsure: boolean;
  /** May be inferred: an unsure reading of a number (not a placeholder, not blank). */
  repairable: boolean;
  equations: Equation[];
}

export function cellKey(cell: ExtractedCell): string {
  return cell.table === 'legacy' ? legacyCellKey(cell.rowKey, cell.columnKey as LegacyColumn) : `${cell.table}.${cell.rowKey}.${cell.columnKey}`;
}

/**
 * Checks the OCR cells of `cells` (those on `ocrPages`), repairs what the arithmetic allows in both
 * `cells` and `tables`, and returns the LOW_CONFIDENCE_CELL findings.
 */
export function reviewOcrCells(tables: ReportTables, cells: ExtractedCell[], template: TemplateId | null, ocrPages: Set<number>): Finding[] {
  const states = new Map<string, CellState>();
  for (const cell of cells) {
    if (!ocrPages.has(cell.provenance.page)) continue;
    const unsure = isUnsure(cell);
    const repairable = unsure && cell.raw.trim() !== '' && !isPlaceholder(cell.raw);
    states.set(cellKey(cell), { cell, key: cellKey(cell), unsure, repairable, equations: [] });
  }
  if (![...states.values()].some((state) => state.unsure)) return [];

  const equations = tableEquations(matrixModel(template), tables);
  const byKey = new Map(cells.map((cell) => [cellKey(cell), cell]));
  for (const equation of equations) for (const term of equation.terms) states.get(term.key)?.equations.push(equation);
  const valueOf = (key: string): number | null => byKey.get(key)?.value ?? null;

  const repairs = inferValues(states, equations, valueOf);
  for (const [key, repair] of repairs) {
    const cell = states.get(key)!.cell;
    cell.value = repair.value;
    cell.exact = decimalOf(repair.value);
    const node = cell.table === 'applications' || cell.table === 'reviewLitigation' ? tables[cell.table] : undefined;
    if (node) setCell(node, cell.rowKey, cell.columnKey, repair.value);
  }
  const findings: Finding[] = [];
  for (const state of states.values()) {
    if (!state.unsure) continue;
    const repair = repairs.get(state.key);
    if (repair) {
      findings.push(
        finding(state, {
          zh: `OCR 识读为“${state.cell.raw}”（${confidenceText(state.cell).zh}），按“${repair.equation.name.zh}”推算为 ${repair.value}`,
          en: `inferred from ${repair.equation.name.en}: read '${state.cell.raw}' (${confidenceText(state.cell).en}), set to ${repair.value}`,
        }),
      );
      continue;
    }
    // Two unsure cells can be misread alike (a 5 read as 3 in a part and in its total): only sure cells confirm.
    const confirmed =
      state.equations.length > 0 &&
      state.equations.every((equation) => residual(equation, valueOf) === 0 && equation.terms.every((term) => term.key === state.key || !states.get(term.key)?.unsure));
    if (confirmed) continue;
    const confidence = confidenceText(state.cell);
    const reading = isCleanReading(state.cell)
      ? { zh: `OCR 识读${confidence.zh}`, en: `read by OCR with ${confidence.en}` }
      : { zh: `OCR 识读为“${state.cell.raw}”（${confidence.zh}），不是规范的数字`, en: `read by OCR as '${state.cell.raw}' (${confidence.en}), not a clean number` };
    findings.push(finding(state, { zh: `${reading.zh}，未经勾稽关系确认`, en: `${reading.en}; not confirmed by the cross-checks` }));
  }
  return findings;
}

function finding(state: CellState, message: Bilingual): Finding {
  return {
    rule: 'LOW_CONFIDENCE_CELL',
    severity: RULES.LOW_CONFIDENCE_CELL,
    message: `${cellName(state.key)}：${message.zh}`,
    messageEn: `${state.key}: ${message.en}`,
    cells: [state.key],
  };
}

interface Repair {
  value: number;
  equation: Equation;
}

/**
 * The repairs the arithmetic allows: a failing equation whose single unsure cell solves to a
 * non-negative whole number that every other equation of the cell accepts (or cannot check, for a
 * blank or another unsure cell). Two repairs that share an equation lean on each other: neither stands.
 */
function inferValues(states: Map<string, CellState>, equations: Equation[], valueOf: (key: string) => number | null): Map<string, Repair> {
  const proposals = new Map<string, Repair>();
  const conflicting = new Set<string>();
  for (const equation of equations) {
    const unsure = equation.terms.filter((term) => states.get(term.key)?.unsure);
    if (unsure.length !== 1) continue;
    const state = states.get(unsure[0].key)!;
    if (!state.repairable || residual(equation, valueOf) === 0) continue;
    const solved = solveFor(equation, state.key, valueOf);
    if (solved === null || !Number.isInteger(solved) || solved < 0) continue;
    const withSolved = (key: string) => (key === state.key ? solved : valueOf(key));
    const agrees = state.equations.every((other) => {
      const left = residual(other, withSolved);
      return left === null || left === 0;
    });
    if (!agrees) continue;
    const earlier = proposals.get(state.key);
    if (earlier && earlier.value !== solved) conflicting.add(state.key);
    if (!earlier) proposals.set(state.key, { value: solved, equation });
  }
  for (const key of conflicting) proposals.delete(key);
  return new Map(
    [...proposals].filter(([key]) =>
      states.get(key)!.equations.every((equation) => equation.terms.every((term) => term.key === key || !proposals.has(term.key))),
    ),
  );
}

function isUnsure(cell: ExtractedCell): boolean {
  if (cell.raw.trim() === '') return false;
  if (cell.provenance.confidence !== undefined && cell.provenance.confidence < LOW_CONFIDENCE_THRESHOLD) return true;
  return !isCleanReading(cell);
}

/** A number, a placeholder, or (in a count table) a whole non-negative number. */
function isCleanReading(cell: ExtractedCell): boolean {
  if (cell.value === null) return isPlaceholder(cell.raw);
  return !COUNT_TABLES.has(cell.table) || (Number.isInteger(cell.value) && cell.value >= 0);
}

function confidenceText(cell: ExtractedCell): Bilingual {
  const { confidence } = cell.provenance;
  return confidence === undefined ? { zh: '置信度未知', en: 'confidence unknown' } : { zh: `置信度 ${confidence}`, en: `confidence ${confidence}` };
}
