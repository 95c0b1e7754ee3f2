/** Table 二 (active disclosure): rows by label, columns fixed by the template. */
import type { TemplateId } from '../../../shared/record';
import type { Cell } from '../cells';
import type { ActiveRowSpec } from '../../../shared/template/rows';
import { matrixModel } from '../../../shared/template/templates';
import type { DocLine } from '../document';
import { cutCells, isDigitRun, plainCuts } from '../flattened';
import { readLabelledTable } from '../labelled-table';
import type { TableRead } from '../table-read';

export function readActiveTable(lines: DocLine[], template: TemplateId): TableRead | null {
  const specs = matrixModel(template).active;
  return readLabelledTable(
    'active',
    lines,
    specs,
    (spec: ActiveRowSpec) => spec.columns.map((column) => ({ key: column.key, unit: column.fixedUnit, unitBeside: column.amount })),
    (rows) => unflattenActive(rows, specs),
  );
}

/** Table 二 has no arithmetic across cells, so a flattened row is cut only when one cut is possible ("000"). */
function unflattenActive(rows: Map<string, Cell[]>, specs: ActiveRowSpec[]): Map<string, Cell[]> {
  const resolved = new Map<string, Cell[]>();
  for (const spec of specs) {
    const values = rows.get(spec.key);
    if (!values || !isDigitRun(values, spec.columns.length)) continue;
    const cuts = plainCuts(values[0].span.text, spec.columns.length);
    if (cuts.length === 1) resolved.set(spec.key, cutCells(values[0], cuts[0]));
  }
  return resolved;
}
