/**
 * Where a value was read: the page of the stored original with the value's box drawn on it (PDF, OFD and
 * scanned pages), and the page's extracted text with the value's line highlighted. The URL fragment
 * #hit scrolls to the box, or to the line where there is no page image (text, HTML and Word sources).
 */
import type { CellSource } from '../../shared/db/browse';
import { cellName } from '../../shared/template/cell-names';
import type { DocumentRow } from '../../shared/db/schema';
import type { Provenance } from '../../shared/record';
import { html, type Markup, type PageContext } from '../html';
import { say, type Locale } from '../i18n';

/** The box is drawn in a 1000 × 1000 view box stretched over the image, so fractions of the page map directly. */
const VIEW = 1000;
/** A little room around the glyphs, so the frame does not cover the digits it marks. */
const BOX_MARGIN = 3;

const SOURCE_STYLE = `
.page-view { position: relative; width: min(100%, 960px); border: 1px solid var(--line); background: #fff; margin: .5rem 0 1rem; }
.page-view img { display: block; width: 100%; height: auto; }
.page-view svg { position: absolute; left: 0; top: 0; width: 100%; height: 100%; pointer-events: none; }
.page-view rect.value-box { fill: rgba(255, 196, 0, .25); stroke: #d40000; stroke-width: 2; vector-effect: non-scaling-stroke; }
#hit { scroll-margin-top: 35vh; }
`;

function describeProvenance(locale: Locale, provenance: Provenance): Markup {
  const parts: Markup[] = [html`${say(locale, `第 ${provenance.page} 页`, `page ${provenance.page}`)}`];
  if (provenance.line !== undefined) parts.push(html`${say(locale, `第 ${provenance.line + 1} 行`, `line ${provenance.line + 1}`)}`);
  if (provenance.start !== undefined) parts.push(html`${say(locale, '字符', 'characters')} ${provenance.start}–${provenance.end ?? ''}`);
  if (provenance.domPath) parts.push(html`${say(locale, 'HTML 位置', 'HTML position')} <code>${provenance.domPath}</code>`);
  if (provenance.bbox) parts.push(html`${say(locale, 'OCR 框', 'OCR box')} x ${provenance.bbox[0]}–${provenance.bbox[2]}, y ${provenance.bbox[1]}–${provenance.bbox[3]} px`);
  if (provenance.confidence !== undefined) parts.push(html`${say(locale, '置信度', 'confidence')} ${Math.round(provenance.confidence)}`);
  return html`${parts.map((part, index) => html`${index > 0 ? ' · ' : ''}${part}`)}`;
}

function pageImage(locale: Locale, document: DocumentRow, source: CellSource): Markup {
  const alt = say(locale, `${document.file_name} 第 ${source.provenance.page} 页`, `${document.file_name}, page ${source.provenance.page}`);
  const image = html`<img src="/documents/${document.id}/pages/${source.provenance.page}.png" alt="${alt}">`;
  if (!source.box) {
    return html`<p class="muted">${say(locale, '该值在页面上的位置未记录，请在下方页面文字中查看。', 'Where the value sits on the page was not recorded; see the page text below.')}</p>
<div class="page-view">${image}</div>`;
  }
  const [x0, y0, x1, y1] = source.box.map((fraction) => fraction * VIEW);
  const box = { x: Math.max(0, x0 - BOX_MARGIN), y: Math.max(0, y0 - BOX_MARGIN), width: x1 - x0 + 2 * BOX_MARGIN, height: y1 - y0 + 2 * BOX_MARGIN };
  return html`<div class="page-view">${image}<svg viewBox="0 0 ${VIEW} ${VIEW}" preserveAspectRatio="none" aria-hidden="true"><rect id="hit" class="value-box" x="${box.x.toFixed(1)}" y="${box.y.toFixed(1)}" width="${box.width.toFixed(1)}" height="${box.height.toFixed(1)}"/></svg></div>`;
}

function pageText(locale: Locale, source: CellSource, anchorOnLine: boolean): Markup {
  const lines = source.pageText?.split('\n') ?? [];
  const hit = source.provenance.line;
  if (lines.length === 0) return html`<p class="muted">${say(locale, '这一页没有文字。', 'This page has no text.')}</p>`;
  return html`<pre class="source">${lines.map((line, index) => {
    const isHit = index === hit;
    return html`<span class="line${isHit ? ' hit' : ''}" id="${isHit && anchorOnLine ? 'hit' : `line-${index + 1}`}"><span class="no">${index + 1}</span>${line}</span>`;
  })}</pre>`;
}

/** `pageImageShown`: the document's pages can be drawn (PDF, OFD, image files). */
export function sourceView(context: PageContext, document: DocumentRow, cellKey: string, source: CellSource, pageImageShown: boolean): Markup {
  const { locale } = context;
  const boxShown = pageImageShown && source.box !== null;
  return html`<style>${SOURCE_STYLE}</style>
<h1>${say(locale, '数值出处：', 'Where the value was read: ')}${cellName(cellKey)} <code class="muted">${cellKey}</code></h1>
<dl class="meta">
  <dt>${say(locale, '文件', 'Document')}</dt><dd><a href="/documents/${document.id}/report">${document.file_name}</a></dd>
  <dt>${say(locale, '原文印作', 'Printed as')}</dt><dd><code>${source.raw}</code></dd>
  <dt>${say(locale, '位置', 'Position')}</dt><dd>${describeProvenance(locale, source.provenance)}</dd>
  <dt>${say(locale, '页面文字来源', 'Page text from')}</dt><dd>${source.textSource ?? say(locale, '未知', 'unknown')}</dd>
  <dt>${say(locale, '原始文件', 'Original file')}</dt><dd><a href="/documents/${document.id}/original" download>${say(locale, '下载', 'Download')} ${document.file_name}</a></dd>
</dl>
${pageImageShown ? html`<h2>${say(locale, `原件第 ${source.provenance.page} 页`, `Page ${source.provenance.page} of the original`)}</h2>${pageImage(locale, document, source)}` : ''}
<h2>${say(locale, '页面文字', 'Page text')}${boxShown ? '' : html` <a class="muted" href="#hit">${say(locale, '跳到该行', 'go to the line')}</a>`}</h2>
${pageText(locale, source, !boxShown)}`;
}
