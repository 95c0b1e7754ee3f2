/**
 * Reads a table whose rows are known by their labels (table 二 and table 三): each row's numbers are
 * assigned to its canonical row by label, and to columns by position. A row whose count of numbers
 * does not fit its columns is not guessed at: its cells are recorded blank and TABLE_AMBIGUOUS raised.
 */
import { RULES, type Finding } from '../../shared/record';
import { rowName, tableTitle } from '../../shared/template/cell-names';
import type { Cell } from './cells';
import { printedLabel, type RowSpec } from '../../shared/template/rows';
import { isOcrPage, type DocLine, type Span } from './document';
import { labelKey, labelScore, matchRow } from './labels';
import { tableRows, type TableRow } from './rows';
import { ambiguity, extractCell, setCell, type TableName, type TableRead } from './table-read';

export interface ColumnSpec {
  key: string;
  /** Unit implied by the column when the cell prints none. */
  unit?: string;
  /** Record a unit the cell prints beside the value as `<key>Unit`, unless it is the implied unit. */
  unitBeside?: boolean;
}

interface LocatedRow {
  label: Span;
  /** Empty for a row printed without numbers. */
  values: Cell[];
}

/** A label standing alone, without numbers, is taken as a blank row only when it matches this well. */
const BLANK_ROW_SCORE = 0.9;

/** Cuts the digit runs of flattened rows (see flattened.ts); returns the rows it could cut. */
export type Unflatten = (values: Map<string, Cell[]>) => Map<string, Cell[]>;

/**
 * `collapsible` are row groups as one row each (key = the sub-rows' key prefix): some reports print a
 * group in one row in place of its sub-rows. Where such a row is found and none of its sub-rows, the
 * record keeps what was printed — the group's own cells — and ROW_COLLAPSED says so.
 */
export function readLabelledTable<R extends RowSpec>(
  table: TableName,
  lines: DocLine[],
  specs: R[],
  columnsOf: (spec: R) => ColumnSpec[],
  unflatten: Unflatten,
  collapsible: R[] = [],
): TableRead | null {
  const findings: Finding[] = [];
  const { located, blankRows, unreadNumberRows } = locateRows(tableRows(lines), specs, collapsible, columnsOf, table, findings);
  if (located.size === 0) return null;
  const subRowsOf = (group: R) => specs.filter((spec) => spec.key.startsWith(`${group.key}.`));
  const collapsed = new Map<string, R>();
  let unreadNumbers = unreadNumberRows > 0;
  for (const group of collapsible) {
    const groupRow = located.get(group.key);
    if (!groupRow) continue;
    // A group label beside its sub-rows' numbers is only their header; numbers under it are then some row's, unread.
    if (subRowsOf(group).some((spec) => located.has(spec.key))) {
      located.delete(group.key);
      if (groupRow.values.length > 0) unreadNumbers = true;
    } else for (const spec of subRowsOf(group)) collapsed.set(spec.key, group);
  }
  // Numbers left unread may be a blank-looking row's own: said, never recorded blank in silence.
  if (unreadNumbers) {
    for (const spec of blankRows) {
      const message = {
        zh: `${tableTitle(table)}：“${rowName(table, spec.key)}”一行没有数字，而另有标签无法识别的一行数字未被读取`,
        en: `${table}: row ${spec.key} (${spec.labels[0]}) has no numbers, and numbers under an unreadable label were left unread`,
      };
      findings.push(ambiguity(message, columnsOf(spec).map((c) => `${table}.${spec.key}.${c.key}`)));
    }
  }
  const valuesByKey = new Map([...located].map(([key, row]) => [key, row.values]));
  for (const [key, values] of unflatten(valuesByKey)) located.get(key)!.values = values;

  const read: TableRead = { node: {}, cells: [], findings };
  for (const printed of specs) {
    const group = collapsed.get(printed.key);
    if (group && subRowsOf(group)[0] !== printed) continue;
    const spec = group ?? printed;
    if (group) findings.push(collapsedRow(table, group, subRowsOf(group), columnsOf(group)));
    const columns = columnsOf(spec);
    const row = located.get(spec.key);
    if (!row) {
      // The group may have been printed as one row that was not read either: the finding names its cells too.
      const parentGroup = collapsible.find((candidate) => spec.key.startsWith(`${candidate.key}.`));
      const rowKeys = parentGroup ? [spec.key, parentGroup.key] : [spec.key];
      const message = { zh: `${tableTitle(table)}：未找到“${rowName(table, spec.key)}”一行`, en: `${table}: row ${spec.key} (${spec.labels[0]}) not found` };
      findings.push(ambiguity(message, rowKeys.flatMap((key) => columns.map((c) => `${table}.${key}.${c.key}`))));
      continue;
    }
    const fits = row.values.length === columns.length;
    if (row.values.length > 0 && !fits) {
      const printedValues = row.values.map((v) => v.span.text || '□').join(' ');
      findings.push(
        ambiguity(
          {
            zh: `${tableTitle(table)}：“${rowName(table, spec.key)}”一行印有 ${row.values.length} 个数，而该行有 ${columns.length} 栏（${printedValues}），未予读取`,
            en: `${table}: row ${spec.key} has ${row.values.length} values for ${columns.length} columns (${printedValues})`,
          },
          columns.map((c) => `${table}.${spec.key}.${c.key}`),
        ),
      );
    }
    columns.forEach((column, index) => {
      const cell = fits ? row.values[index] : null;
      const extracted = extractCell({ table, rowKey: spec.key, columnKey: column.key, cell, at: row.label, defaultUnit: column.unit });
      read.cells.push(extracted);
      setCell(read.node, spec.key, column.key, extracted.value);
      const printedUnit = cell?.value?.kind === 'number' ? cell.value.unit : null;
      if (column.unitBeside && printedUnit && printedUnit !== column.unit) setCell(read.node, spec.key, `${column.key}Unit`, printedUnit);
    });
  }
  return read;
}

function collapsedRow<R extends RowSpec>(table: TableName, group: R, subRows: R[], columns: ColumnSpec[]): Finding {
  const label = printedLabel(group);
  return {
    rule: 'ROW_COLLAPSED',
    severity: RULES.ROW_COLLAPSED,
    message: `${tableTitle(table)}：${label}按一行印出，未分列其${subRows.length}个子项（${subRows.map(printedLabel).join('；')}）：记录为该组合计`,
    messageEn: `${table}: ${group.key} printed as one row in place of its ${subRows.length} sub-rows`,
    cells: columns.map((column) => `${table}.${group.key}.${column.key}`),
  };
}

function locateRows<R extends RowSpec>(
  rows: TableRow[],
  templateRows: R[],
  collapsible: R[],
  columnsOf: (spec: R) => ColumnSpec[],
  table: TableName,
  findings: Finding[],
): { located: Map<string, LocatedRow>; blankRows: R[]; unreadNumberRows: number } {
  const byOrder = locateByTemplateOrder(rows, templateRows, columnsOf);
  if (byOrder) return { located: byOrder, blankRows: [], unreadNumberRows: 0 };
  const specs = [...templateRows, ...collapsible];
  const located = new Map<string, LocatedRow>();
  const unusedPieces: Span[] = [];
  let previous: LocatedRow | null = null;
  let unreadNumberRows = 0;
  const blankLines: TableRow['blankLines'] = [];
  /** Rows of numbers in page order with the template row each was matched to (null: none). */
  const sequence: Array<{ row: TableRow; key: string | null }> = [];
  for (const row of rows) {
    blankLines.push(...row.blankLines);
    const match = row.values.length ? matchRow(row.pieces, specs) : null;
    // Labels before the first row of numbers are headers, never blank rows.
    if (located.size > 0) unusedPieces.push(...row.pieces.slice(0, row.pieces.length - (match?.pieces.length ?? 0)));
    // Numbers right under a row, with no label of their own, are its numbers wrapping in a narrow cell
    // ("8233" printed as "823" over "3"): they join that row, which then no longer fits and is reported.
    if (!match && row.pieces.length === 0 && previous) {
      previous.values = [...previous.values, ...row.values];
      continue;
    }
    previous = null;
    // Other numbers under no known label are prose or notes; a row they might have been is reported missing.
    if (!match) {
      if (row.values.length > 0) sequence.push({ row, key: null });
      if (located.size > 0) unreadNumberRows++;
      continue;
    }
    sequence.push({ row, key: match.row.key });
    if (located.has(match.row.key)) {
      const message = { zh: `${tableTitle(table)}：“${rowName(table, match.row.key)}”一行出现两次，取第一次`, en: `${table}: row ${match.row.key} appears twice; the first is kept` };
      findings.push(ambiguity(message, [`${table}.${match.row.key}`]));
      continue;
    }
    previous = { label: match.pieces[match.pieces.length - 1], values: withBlankFirstColumns(row, columnsOf(match.row).length) };
    located.set(match.row.key, previous);
  }
  unreadNumberRows -= locateBetweenAnchors(sequence, located, templateRows, collapsible, columnsOf);
  const bareLabels = addBlankRows(located, unusedPieces, specs);
  // On a scan, blank cells come out as blank cells; a label with no cells at all lost its row to the scan.
  for (const spec of bareLabels) {
    if (!isOcrPage(located.get(spec.key)!.label.line.page)) continue;
    const message = { zh: `${tableTitle(table)}：扫描件中“${rowName(table, spec.key)}”一行只读到标签，未读到数字`, en: `${table}: on the scan, row ${spec.key} was read as a label without its cells` };
    findings.push(ambiguity(message, columnsOf(spec).map((c) => `${table}.${spec.key}.${c.key}`)));
  }
  const blankRows = [...addBlankRowLines(located, blankLines, specs, columnsOf), ...bareLabels];
  return { located, blankRows, unreadNumberRows };
}

/**
 * A row whose first columns were left blank ("规章 | | 0 | 11"): the blank cells between its label and
 * its first value are its own cells, taken as many as the row is short of its columns.
 */
function withBlankFirstColumns(row: TableRow, columns: number): Cell[] {
  const missing = columns - row.values.length;
  if (missing <= 0 || row.blanksBeforeValues.length < missing) return row.values;
  return [...row.blanksBeforeValues.slice(-missing), ...row.values];
}

/**
 * A scan's labels can be misread beyond what matchRow forgives: a character or two wrong in a short
 * label (总计, 其他, 规章), or a Traditional report read with the Simplified model. The template's
 * rows are fixed, so on an OCR table whose rows of numbers are exactly the template's rows — as many,
 * each with its row's count of values — and whose labels, where they match at all, match the row at
 * their own position, rows are assigned by position. Text layouts are exact and never take this path.
 */
function locateByTemplateOrder<R extends RowSpec>(rows: TableRow[], specs: R[], columnsOf: (spec: R) => ColumnSpec[]): Map<string, LocatedRow> | null {
  const numbered = rows.filter((row) => row.values.length > 0);
  if (numbered.length !== specs.length || !numbered.some((row) => row.values.some((cell) => isOcrPage(cell.span.line.page)))) return null;
  let weak = false;
  for (const [index, row] of numbered.entries()) {
    if (row.values.length !== columnsOf(specs[index]).length) return null;
    const match = matchRow(row.pieces, specs);
    if (match === null) weak = true;
    else if (match.row.key !== specs[index].key) return null;
  }
  if (!weak) return null;
  return new Map(
    numbered.map((row, index) => {
      const match = matchRow(row.pieces, specs);
      const label = match?.pieces[match.pieces.length - 1] ?? row.pieces[row.pieces.length - 1] ?? row.values[0].span;
      return [specs[index].key, { label, values: row.values }];
    }),
  );
}

/**
 * On a scan, a label can be misread past recognition (予以公开 as 子以公开, a seal across it) while
 * the rows around it are read. The template's row order is fixed: where the unmatched rows of numbers
 * between two located rows are exactly as many as the template rows missing between them, each with
 * its row's count of values, they are those rows, in order. Returns how many rows were placed.
 */
function locateBetweenAnchors<R extends RowSpec>(
  sequence: Array<{ row: TableRow; key: string | null }>,
  located: Map<string, LocatedRow>,
  templateRows: R[],
  collapsible: R[],
  columnsOf: (spec: R) => ColumnSpec[],
): number {
  if (!sequence.some(({ row }) => row.values.some((cell) => isOcrPage(cell.span.line.page)))) return 0;
  // The printed order, a group printed as one row standing just before its sub-rows.
  const specs = templateRows.flatMap((spec) => [...collapsible.filter((group) => templateRows.find((row) => row.key.startsWith(`${group.key}.`)) === spec), spec]);
  const position = new Map(specs.map((spec, index) => [spec.key, index]));
  const isGroup = (spec: R): boolean => collapsible.includes(spec);
  // Rows a located row already stands for: a located group's sub-rows, a group whose sub-rows were located.
  const accountedFor = (spec: R): boolean =>
    located.has(spec.key) ||
    [...located.keys()].some((key) => spec.key.startsWith(`${key}.`) || key.startsWith(`${spec.key}.`));
  let placed = 0;
  let anchor = -1;
  let lastSpec = -1;
  for (let index = 0; index < sequence.length; index++) {
    const at = sequence[index].key === null ? undefined : position.get(sequence[index].key!);
    if (at === undefined) continue;
    if (anchor >= 0 && at > lastSpec + 1) {
      const unmatched = sequence.slice(anchor + 1, index).filter((entry) => entry.key === null);
      const missing = specs.slice(lastSpec + 1, at).filter((spec) => !isGroup(spec) && !accountedFor(spec));
      const fits = unmatched.length === missing.length && unmatched.every((entry, k) => entry.row.values.length === columnsOf(missing[k]).length);
      if (unmatched.length > 0 && fits) {
        unmatched.forEach((entry, k) => {
          const label = entry.row.pieces[entry.row.pieces.length - 1] ?? entry.row.values[0].span;
          located.set(missing[k].key, { label, values: entry.row.values });
          entry.key = missing[k].key;
        });
        placed += unmatched.length;
      }
    }
    anchor = index;
    // A group printed as one row stands for its sub-rows: the next gap starts after them.
    const group = specs[at];
    lastSpec = Math.max(lastSpec, isGroup(group) ? Math.max(at, ...specs.map((spec, i) => (spec.key.startsWith(`${group.key}.`) ? i : -1))) : at);
  }
  return placed;
}

/**
 * Rows printed as a label and a blank cell for each column (`规章 | | |`), even before the first row
 * with numbers, where a bare label would be a header. Returns the rows added.
 */
function addBlankRowLines<R extends RowSpec>(located: Map<string, LocatedRow>, lines: TableRow['blankLines'], specs: R[], columnsOf: (spec: R) => ColumnSpec[]): R[] {
  const added: R[] = [];
  for (const { label, blanks } of lines) {
    const key = labelKey(label.text);
    const spec = specs.find((candidate) => !located.has(candidate.key) && blanks >= columnsOf(candidate).length && candidate.labels.some((text) => labelScore(key, labelKey(text)) >= BLANK_ROW_SCORE));
    if (!spec) continue;
    located.set(spec.key, { label, values: [] });
    added.push(spec);
  }
  return added;
}

/** Rows printed with a label but no numbers: blank cells, recorded as null. Returns the rows added. */
function addBlankRows<R extends RowSpec>(located: Map<string, LocatedRow>, pieces: Span[], specs: R[]): R[] {
  const added: R[] = [];
  for (const piece of pieces) {
    const key = labelKey(piece.text);
    for (const spec of specs) {
      if (located.has(spec.key)) continue;
      if (spec.labels.some((label) => labelScore(key, labelKey(label)) >= BLANK_ROW_SCORE)) {
        located.set(spec.key, { label: piece, values: [] });
        added.push(spec);
      }
    }
  }
  return added;
}
