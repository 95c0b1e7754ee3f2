/** The upload page (files, a folder, ZIPs; a URL import) and the outcome of a URL import. */
import type { Submission } from '../../shared/submissions';
import { csrfAction, csrfField, html, statusBadge, type Markup, type PageContext } from '../html';
import { formatNumber, say, type Locale } from '../i18n';
import { canAct } from '../page-context';
import type { RefusalReason, UploadLimits } from '../uploads';

export function uploadView(context: PageContext, limits: UploadLimits): Markup {
  const { locale } = context;
  const title = say(locale, '上传', 'Upload');
  if (!canAct(context)) {
    return html`<h1>${title}</h1><p class="note">${
      context.actionsEnabled
        ? html`${say(locale, '上传需要操作员或管理员账户：', 'Uploading needs an operator or admin account: ')}<a href="/login?next=/upload">${say(locale, '登录', 'sign in')}</a>`
        : say(locale, '上传未启用：没有可以操作的账户或令牌。', 'Uploading is disabled: there is no account or token that may act.')
    }</p>`;
  }
  const mb = (bytes: number) => formatNumber(Math.round(bytes / 1024 / 1024), locale);
  return html`<h1>${title}</h1>
<form class="stack" method="post" action="${csrfAction('/upload', context)}" enctype="multipart/form-data">
  <label><span><input type="checkbox" name="force" value="1"> ${say(locale, '重新处理以前提交过的文件', 'reprocess files submitted before')}</span></label>
  <label>${say(locale, '报告文件（PDF、OFD、HTML、DOCX、DOC、文本、PNG/JPEG/TIFF 扫描件）或 ZIP 压缩包', 'Report files (PDF, OFD, HTML, DOCX, DOC, text, PNG/JPEG/TIFF scans) or ZIP archives')}
    <input type="file" name="files" multiple></label>
  <label>${say(locale, '或整个文件夹（含子文件夹）', 'or a whole folder (with its subfolders)')}
    <input type="file" name="files" multiple webkitdirectory></label>
  <p class="muted">${say(
    locale,
    `每次最多 ${formatNumber(limits.maxFiles, locale)} 个文件（ZIP 内的文件也计入），每个文件不超过 ${mb(limits.maxFileBytes)} MB，ZIP 不超过 ${mb(limits.maxZipBytes)} MB，合计不超过 ${mb(limits.maxUploadBytes)} MB。超出限制的文件会被列出并拒收，其余文件照常处理。`,
    `At most ${formatNumber(limits.maxFiles, locale)} files per upload (files inside ZIPs count), each up to ${mb(limits.maxFileBytes)} MB, ZIPs up to ${mb(limits.maxZipBytes)} MB, ${mb(limits.maxUploadBytes)} MB in all. Files over a limit are listed and refused; the others go ahead.`,
  )}</p>
  <button class="primary" type="submit">${say(locale, '上传并处理', 'Upload and process')}</button>
</form>
<p><a href="/batches">${say(locale, '以往的上传批次 →', 'Earlier uploads →')}</a> · <a href="/dead-letters">${say(locale, '失败的文件（死信）→', 'Failed files (dead letters) →')}</a></p>
<h2>${say(locale, '从网址导入', 'Import from a URL')}</h2>
<form class="stack" method="post" action="/import">
  ${csrfField(context)}
  <label>${say(locale, '报告的 http 或 https 地址', 'http or https address of a report')} <input type="url" name="url" required placeholder="https://www.example.gov.cn/2023年报.pdf"></label>
  <button class="primary" type="submit">${say(locale, '导入', 'Import')}</button>
</form>`;
}

const REFUSAL_REASONS: Record<RefusalReason, [string, string]> = {
  TOO_MANY_FILES: ['超过每次上传的文件数上限', 'over the number of files one upload may bring'],
  TOO_LARGE: ['文件过大', 'file too large'],
  UPLOAD_TOO_LARGE: ['本次上传的总大小超过上限', 'the upload as a whole is over its size limit'],
  EMPTY: ['空文件', 'empty file'],
  UNSAFE_NAME: ['不安全的文件名（绝对路径或 ..）', 'unsafe name (absolute path or ..)'],
  COMPRESSION_RATIO: ['压缩比异常（疑似压缩炸弹）', 'compression ratio too high (a zip bomb?)'],
  ENCRYPTED: ['加密的压缩条目', 'encrypted ZIP entry'],
  BAD_ZIP: ['ZIP 文件损坏或无法读取', 'damaged or unreadable ZIP'],
  DUPLICATE: ['与本次上传中的另一个文件内容相同', 'the same bytes as another file of this upload'],
  REQUEST_LIMIT: ['请求超出上限，其余部分未读取', 'the request went over a limit; the rest was not read'],
  BAD_REQUEST: ['上传的数据不完整或格式错误，其余部分未读取', 'the upload was cut short or malformed; the rest was not read'],
};

export function refusalReason(reason: string, locale: Locale): string {
  const words = REFUSAL_REASONS[reason as RefusalReason];
  return words ? say(locale, ...words) : reason;
}

/** What a URL import did. */
export function submittedView(locale: Locale, submissions: Submission[], failures: Array<{ fileName: string; error: string }>): Markup {
  return html`<h1>${say(locale, '已提交', 'Submitted')}</h1>
<table class="grid submitted"><thead><tr><th>${say(locale, '文件', 'File')}</th><th>${say(locale, '结果', 'Outcome')}</th></tr></thead><tbody>
${submissions.map(
  (submission) =>
    html`<tr><td><a href="/documents/${submission.documentId}">${submission.fileName}</a></td><td>${
      submission.created
        ? say(locale, '已排队', 'queued')
        : submission.reprocessed
          ? say(locale, '以前提交过；重新处理中', 'submitted before; reprocessing')
          : html`${say(locale, '以前提交过', 'already submitted')} (${statusBadge(submission.status, locale)})`
    }</td></tr>`,
)}
${failures.map((failure) => html`<tr><td>${failure.fileName}</td><td><strong>${say(locale, '被拒收：', 'refused: ')}</strong>${failure.error}</td></tr>`)}
</tbody></table>
<p><a href="/documents">${say(locale, '全部文件 →', 'All documents →')}</a></p>`;
}
