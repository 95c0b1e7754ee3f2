/** The documents pages: search, one document's timeline and actions, and where a cell was read. */
import type { DocumentListRow, DocumentSearch, StageRunRow } from '../../shared/db/browse';
import type { DeadLetterRow } from '../../shared/db/dead-letters';
import type { ReportVersion } from '../../shared/db/reports';
import type { DocumentRow } from '../../shared/db/schema';
import type { Provenance } from '../../shared/record';
import { STAGES } from '../../shared/pipeline';
import { formatDuration, html, queryString, statusBadge, type Markup, type PageContext } from '../html';

const STATUSES = ['queued', 'processing', 'published', 'dead_lettered'] as const;

function findingSummary(row: DocumentListRow): string {
  return [row.critical && `${row.critical} critical`, row.errors && `${row.errors} error`, row.warnings && `${row.warnings} warning`].filter(Boolean).join(', ');
}

export function documentsView(search: DocumentSearch, result: { total: number; rows: DocumentListRow[] }): Markup {
  const filters = { agency: search.agency, year: search.year, status: search.status, file: search.fileName };
  const next = search.offset + search.limit < result.total ? queryString({ ...filters, offset: search.offset + search.limit }) : null;
  const previous = search.offset > 0 ? queryString({ ...filters, offset: Math.max(0, search.offset - search.limit) }) : null;
  return html`<h1>Documents</h1>
<form class="filters" method="get" action="/documents">
  <label>Agency <input name="agency" value="${search.agency ?? ''}" placeholder="米易县"></label>
  <label>Year <input name="year" type="number" min="2000" max="2100" value="${search.year ?? ''}"></label>
  <label>Status <select name="status"><option value="">any</option>${STATUSES.map(
    (status) => html`<option value="${status}"${search.status === status ? ' selected' : ''}>${status}</option>`,
  )}</select></label>
  <label>File name <input name="file" value="${search.fileName ?? ''}"></label>
  <button class="primary" type="submit">Search</button>
</form>
<p class="muted">${result.total} document(s)${result.total > 0 ? `, showing ${search.offset + 1}–${search.offset + result.rows.length}` : ''}</p>
<table class="grid documents">
<thead><tr><th>File</th><th>Agency</th><th>Year</th><th>Template</th><th>Findings</th><th>Status</th><th>Updated</th></tr></thead>
<tbody>${result.rows.map(
    (row) => html`<tr data-document="${row.id}">
  <td><a href="/documents/${row.id}">${row.fileName}</a></td>
  <td>${row.agency ?? ''}</td><td>${row.year ?? ''}</td><td>${row.template ?? ''}</td>
  <td>${findingSummary(row) || html`<span class="muted">none</span>`}</td>
  <td>${statusBadge(row.status)} ${row.status === 'dead_lettered' ? html`<span class="muted">at ${row.stage}: ${row.error ?? ''}</span>` : row.status === 'published' ? '' : html`<span class="muted">${row.stage}</span>`}</td>
  <td class="muted">${row.updatedAt.toISOString().replace('T', ' ').slice(0, 19)}</td>
</tr>`,
  )}</tbody>
</table>
<p>${previous !== null ? html`<a href="/documents${previous}">← previous</a> ` : ''}${next !== null ? html`<a href="/documents${next}">next →</a>` : ''}</p>`;
}

/** Per stage: its attempts in the current round, so the pipeline's progress reads left to right. */
function roundProgress(runs: StageRunRow[], round: number): Markup {
  return html`<table class="grid timeline-summary"><tr>${STAGES.map((stage) => {
    const attempts = runs.filter((run) => run.round === round && run.stage === stage);
    const last = attempts.at(-1);
    return html`<td class="center"><div>${stage}</div><span class="status ${last?.outcome ?? 'missing'}">${last ? last.outcome : 'not run'}</span>${
      attempts.length > 1 ? html`<div class="muted">${attempts.length} attempts</div>` : ''
    }</td>`;
  })}</tr></table>`;
}

export function documentView(
  context: PageContext,
  document: DocumentRow,
  history: { timeline: StageRunRow[]; deadLetters: DeadLetterRow[]; reports: ReportVersion[] },
): Markup {
  const { timeline: runs, deadLetters: letters, reports: versions } = history;
  const finished = document.status === 'published' || document.status === 'dead_lettered';
  const canAct = context.role === 'operator';
  const action = (path: string, label: string, hint: string) =>
    canAct
      ? html`<form method="post" action="/documents/${document.id}/${path}" style="display:inline"><button class="primary" type="submit" data-action="${path}">${label}</button></form> <span class="muted">${hint}</span>`
      : html`<span class="muted">${context.actionsEnabled ? html`<a href="/login">Sign in as operator</a> to ${label.toLowerCase()}.` : 'Actions are disabled: no operator credential is configured.'}</span>`;
  return html`<h1>${document.file_name}</h1>
<dl class="meta">
  <dt>Status</dt><dd>${statusBadge(document.status)} at ${document.current_stage}, round ${document.round}${document.error ? html` — <strong>${document.error}</strong>` : ''}</dd>
  <dt>Document</dt><dd><code>${document.id}</code></dd>
  <dt>File</dt><dd>${document.media_type ?? 'not yet sniffed'} · ${document.size_bytes} bytes · sha256 <code>${document.sha256.slice(0, 16)}…</code></dd>
  <dt>Submitted</dt><dd>${new Date(document.submitted_at).toISOString()}</dd>
  <dt>Pipeline version</dt><dd>v${document.pipeline_version}</dd>
</dl>
<p>
${document.status === 'published' ? html`<a href="/documents/${document.id}/report"><strong>Open the report →</strong></a>&nbsp;&nbsp;` : ''}
${document.status === 'dead_lettered' ? action('retry', 'Retry', `re-drives from ${document.current_stage}, the stage that failed`) : ''}
${document.status === 'published' ? action('reprocess', 'Reprocess', 'runs it again; the new report supersedes this one, which is kept') : ''}
</p>
${finished ? '' : html`<p class="muted">This page refreshes every 2 seconds until the document is published or dead-lettered.</p>`}
<h2>Round ${document.round}</h2>
${roundProgress(runs, document.round)}
<h2>Timeline</h2>
<table class="grid timeline">
<thead><tr><th>Round</th><th>Stage</th><th>Attempt</th><th>Outcome</th><th>Started</th><th>Duration</th><th>Worker</th><th>Error</th></tr></thead>
<tbody>${runs.map(
    (run) => html`<tr class="${run.outcome}"><td>${run.round}</td><td>${run.stage}</td><td>${run.attempt}</td><td>${statusBadge(run.outcome)}</td><td class="muted">${run.startedAt.toISOString().slice(11, 23)}</td><td class="num">${formatDuration(run.durationMs)}</td><td class="muted">${run.worker}</td><td>${run.error ?? ''}</td></tr>`,
  )}</tbody>
</table>
${
  letters.length > 0
    ? html`<h2>Dead letters</h2><table class="grid letters"><thead><tr><th>Round</th><th>Stage</th><th>Code</th><th>Error</th><th>Attempts</th><th>At</th><th>Resolved</th></tr></thead><tbody>${letters.map(
        (letter) =>
          html`<tr><td>${letter.round}</td><td>${letter.stage}</td><td>${letter.errorCode}</td><td>${letter.message}</td><td>${letter.attempts}</td><td class="muted">${letter.createdAt.toISOString()}</td><td>${letter.resolvedAt ? letter.resolvedAt.toISOString() : html`<strong>open</strong>`}</td></tr>`,
      )}</tbody></table>`
    : ''
}
${
  versions.length > 0
    ? html`<h2>Reports</h2><table class="grid versions"><thead><tr><th>Round</th><th>Pipeline</th><th>Agency</th><th>Year</th><th>Findings</th><th>Published</th><th>Superseded</th></tr></thead><tbody>${versions.map(
        (version) =>
          html`<tr><td>${version.round}</td><td>v${version.pipelineVersion}</td><td>${version.agency ?? ''}</td><td>${version.year ?? ''}</td><td>${version.findings}</td><td class="muted">${version.publishedAt.toISOString()}</td><td>${version.supersededAt ? version.supersededAt.toISOString() : html`<strong>in force</strong>`}</td></tr>`,
      )}</tbody></table>`
    : ''
}`;
}

function describeProvenance(provenance: Provenance): Markup {
  const parts: Markup[] = [html`page ${provenance.page}`];
  if (provenance.line !== undefined) parts.push(html`line ${provenance.line + 1}`);
  if (provenance.start !== undefined) parts.push(html`characters ${provenance.start}–${provenance.end ?? ''}`);
  if (provenance.domPath) parts.push(html`HTML position <code>${provenance.domPath}</code>`);
  if (provenance.bbox) parts.push(html`OCR box x ${provenance.bbox[0]}–${provenance.bbox[2]}, y ${provenance.bbox[1]}–${provenance.bbox[3]} px`);
  if (provenance.confidence !== undefined) parts.push(html`confidence ${Math.round(provenance.confidence)}`);
  return html`${parts.map((part, index) => html`${index > 0 ? ' · ' : ''}${part}`)}`;
}

export function sourceView(
  document: DocumentRow,
  cellKey: string,
  source: { raw: string; provenance: Provenance; pageText: string | null; textSource: string | null },
): Markup {
  const lines = source.pageText?.split('\n') ?? [];
  const hit = source.provenance.line;
  return html`<h1>Where ${cellKey} was read</h1>
<dl class="meta">
  <dt>Document</dt><dd><a href="/documents/${document.id}/report">${document.file_name}</a></dd>
  <dt>Printed as</dt><dd><code>${source.raw}</code></dd>
  <dt>Position</dt><dd>${describeProvenance(source.provenance)}</dd>
  <dt>Page text from</dt><dd>${source.textSource ?? 'unknown'}</dd>
</dl>
<pre class="source">${lines.map(
    (line, index) => html`<span class="line${index === hit ? ' hit' : ''}"${index === hit ? html` id="hit"` : ''}><span class="no">${index + 1}</span>${line}</span>`,
  )}</pre>`;
}
