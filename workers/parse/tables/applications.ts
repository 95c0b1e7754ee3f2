/** Table 三 (requests received and handled): 23 or 25 labelled rows of seven applicant columns. */
import type { TemplateId } from '../../../shared/record';
import { APPLICANT_COLUMNS, groupAsOneRow } from '../../../shared/template/rows';
import { matrixModel } from '../../../shared/template/templates';
import type { DocLine } from '../document';
import { readLabelledTable } from '../labelled-table';
import type { TableRead } from '../table-read';
import { unflattenApplications } from './unflatten-applications';

const COLUMNS = APPLICANT_COLUMNS.map((key) => ({ key }));

export function readApplicationsTable(lines: DocLine[], template: TemplateId): TableRead | null {
  const layout = matrixModel(template).applications;
  return readLabelledTable('applications', lines, layout.rows, () => COLUMNS, unflattenApplications(layout), layout.groups.map(groupAsOneRow));
}
