/** Table 三 (requests received and handled): 23 or 25 labelled rows of seven applicant columns. */
import type { TemplateId } from '../../../shared/record';
import { APPLICANT_COLUMNS, APPLICATIONS_2019, APPLICATIONS_2021 } from '../canonical';
import type { DocLine } from '../document';
import { readLabelledTable } from '../labelled-table';
import type { TableRead } from '../table-read';
import { unflattenApplications } from './unflatten-applications';

const COLUMNS = APPLICANT_COLUMNS.map((key) => ({ key }));

export function readApplicationsTable(lines: DocLine[], template: TemplateId): TableRead | null {
  const layout = template === '2019' ? APPLICATIONS_2019 : APPLICATIONS_2021;
  return readLabelledTable('applications', lines, layout.rows, () => COLUMNS, unflattenApplications(layout));
}
