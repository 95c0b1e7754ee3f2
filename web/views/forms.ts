/** The overview, sign-in, upload and import, export and submissions pages. */
import type { SubmissionsMatrix } from '../../shared/db/browse';
import type { Submission } from '../../shared/submissions';
import { html, statusBadge, type Markup, type PageContext } from '../html';

export function overviewView(
  counts: Array<{ status: string; count: number }>,
  queues: Array<{ name: string; jobs: Record<'waiting' | 'active' | 'delayed', number>; workers: number }>,
): Markup {
  return html`<h1>Overview</h1>
<h2>Documents</h2>
<table class="grid"><tbody>${counts.map(
    (row) => html`<tr><td>${statusBadge(row.status)}</td><td class="num"><a href="/documents?status=${row.status}">${row.count}</a></td></tr>`,
  )}</tbody></table>
${counts.length === 0 ? html`<p class="muted">Nothing submitted yet. <a href="/upload">Upload reports</a>.</p>` : ''}
<h2>Queues</h2>
<table class="grid queues"><thead><tr><th>Queue</th><th>Waiting</th><th>Active</th><th>Delayed</th><th>Workers</th></tr></thead><tbody>${queues.map(
    (queue) =>
      html`<tr><td>${queue.name}</td><td class="num">${queue.jobs.waiting}</td><td class="num">${queue.jobs.active}</td><td class="num">${queue.jobs.delayed}</td><td class="num">${queue.workers}</td></tr>`,
  )}</tbody></table>
<p><a href="/admin/queues">Job-level dashboard (bull-board) →</a> · <a href="/metrics">Prometheus metrics</a></p>`;
}

export function loginView(next: string, reason: string | null, failed: boolean): Markup {
  return html`<h1>Sign in</h1>
${reason ? html`<p class="note">${reason}</p>` : ''}
${failed ? html`<p class="banner">That credential is not valid.</p>` : ''}
<form class="stack" method="post" action="/login">
  <input type="hidden" name="next" value="${next}">
  <label>Operator or viewer credential <input type="password" name="token" autocomplete="current-password" required autofocus></label>
  <button class="primary" type="submit">Sign in</button>
</form>`;
}

export function uploadView(context: PageContext, limits: { maxFileMb: number; maxFiles: number }): Markup {
  if (context.role !== 'operator') {
    return html`<h1>Upload</h1><p class="note">${
      context.actionsEnabled ? html`Uploading needs the operator credential: <a href="/login?next=/upload">sign in</a>.` : 'Uploading is disabled: no operator credential is configured (GONGKAI_OPERATOR_TOKEN).'
    }</p>`;
  }
  return html`<h1>Upload</h1>
<form class="stack" method="post" action="/upload" enctype="multipart/form-data">
  <label>Report files (PDF, HTML, DOCX, text, PNG/JPEG/TIFF scans) — up to ${limits.maxFiles} files of ${limits.maxFileMb} MB each
    <input type="file" name="files" multiple required></label>
  <label><span><input type="checkbox" name="force" value="1"> reprocess files submitted before</span></label>
  <button class="primary" type="submit">Upload and process</button>
</form>
<h2>Import from a URL</h2>
<form class="stack" method="post" action="/import">
  <label>http or https address of a report <input type="url" name="url" required placeholder="https://www.example.gov.cn/2023年报.pdf"></label>
  <button class="primary" type="submit">Import</button>
</form>`;
}

export function submittedView(submissions: Submission[], failures: Array<{ fileName: string; error: string }>): Markup {
  return html`<h1>Submitted</h1>
<table class="grid submitted"><thead><tr><th>File</th><th>Outcome</th></tr></thead><tbody>
${submissions.map(
  (submission) =>
    html`<tr><td><a href="/documents/${submission.documentId}">${submission.fileName}</a></td><td>${
      submission.created ? 'queued' : submission.reprocessed ? 'submitted before; reprocessing' : html`already submitted (${statusBadge(submission.status)})`
    }</td></tr>`,
)}
${failures.map((failure) => html`<tr><td>${failure.fileName}</td><td><strong>refused:</strong> ${failure.error}</td></tr>`)}
</tbody></table>
<p><a href="/documents">All documents →</a></p>`;
}

export function exportView(years: number[], regions: string[]): Markup {
  return html`<h1>Export</h1>
<p>Cells (one row per number, with agency, year, table, row, column, value and the printed text) and findings (rule, severity, message, cells) of published reports.</p>
<form class="filters" method="get" action="/api/export/cells.xlsx" id="export">
  <label>Year <select name="year"><option value="">all</option>${years.map((year) => html`<option>${year}</option>`)}</select></label>
  <label>Region <input name="region" list="regions" placeholder="e.g. 攀枝花市"><datalist id="regions">${regions.map((region) => html`<option>${region}</option>`)}</datalist></label>
  <button type="submit" formaction="/api/export/cells.csv">Cells CSV</button>
  <button type="submit" formaction="/api/export/cells.xlsx">Cells XLSX</button>
  <button type="submit" formaction="/api/export/findings.csv">Findings CSV</button>
  <button type="submit" formaction="/api/export/findings.xlsx">Findings XLSX</button>
</form>
<p class="muted">Region: agencies the expected-agency list (GONGKAI_EXPECTED_AGENCIES) puts in it, and agencies whose name contains it.</p>`;
}

const STATE_LABELS: Record<string, string> = {
  published: 'published',
  with_errors: 'with errors',
  in_progress: 'in progress',
  dead_lettered: 'dead-lettered',
  missing: 'missing',
};

export function submissionsView(matrix: SubmissionsMatrix, hasExpectedList: boolean): Markup {
  const missing = matrix.agencies.reduce((sum, agency) => sum + (agency.expected ? matrix.years.filter((year) => !agency.byYear[year]).length : 0), 0);
  return html`<h1>Submissions by agency and year</h1>
${
  hasExpectedList
    ? html`<p>${missing} expected report(s) missing.</p>`
    : html`<p class="note">No list of expected agencies is configured (GONGKAI_EXPECTED_AGENCIES, a CSV of agency,region), so only agencies that have submitted are shown and nothing can be missing.</p>`
}
<table class="grid submissions">
<thead><tr><th>Region</th><th>Agency</th>${matrix.years.map((year) => html`<th>${year}</th>`)}</tr></thead>
<tbody>${matrix.agencies.map(
    (agency) =>
      html`<tr><td class="muted">${agency.region ?? ''}</td><td><a href="/documents?agency=${encodeURIComponent(agency.agency)}">${agency.agency}</a>${
        agency.expected ? '' : html` <span class="muted">(not on the list)</span>`
      }</td>${matrix.years.map((year) => {
        const cell = agency.byYear[year];
        const state = cell?.state ?? (agency.expected ? 'missing' : null);
        if (!state) return html`<td></td>`;
        return html`<td class="center" data-state="${state}"><a href="/documents?agency=${encodeURIComponent(agency.agency)}&amp;year=${year}"><span class="status ${state}">${STATE_LABELS[state]}</span></a>${
          cell && cell.documents > 1 ? html` <span class="muted">×${cell.documents}</span>` : ''
        }</td>`;
      })}</tr>`,
  )}</tbody>
</table>
${
  matrix.unattributed.length > 0
    ? html`<p class="muted">Not yet attributed to an agency (failed or still before parse): ${matrix.unattributed.map(
        (row) => html`<a href="/documents?status=${row.status}">${row.count} ${row.status.replace('_', '-')}</a> `,
      )}</p>`
    : ''
}`;
}
