/**
 * HTML → text the way a browser's `innerText` renders it (HTML spec, "rendered text collection"),
 * simplified for static pages without CSS: block elements on their own lines, `<p>` separated by a
 * blank line, each table row on one line with its cells joined by tabs and merged cells left as they
 * are (no rowspan/colspan expansion), collapsible whitespace collapsed.
 *
 * One deliberate difference: inside a table cell, `<br>` and block elements become a space, so a row
 * always stays on one line (innerText would break the row wherever a cell holds a `<p>`, which is what
 * every DOCX-to-HTML converter and Word's HTML export put in cells).
 *
 * Every output line records the DOM path of the element it came from, e.g. `body>div[2]>table[1]>tr[5]`
 * (1-based position among same-tag siblings; table rows are numbered within their table, ignoring
 * `<thead>`/`<tbody>`). Blank lines have the path ''.
 */
import { type ChildNode, type Element, type ParentNode, isTag, isText } from 'domhandler';
import { DomUtils } from 'htmlparser2';
import { parseMarkup } from './markup';

export interface HtmlText {
  text: string;
  lineOrigins: string[];
}

const NOT_RENDERED = new Set(['head', 'title', 'script', 'style', 'noscript', 'iframe', 'template']);

const BLOCK_ELEMENTS = new Set([
  'address', 'article', 'aside', 'blockquote', 'caption', 'center', 'dd', 'details', 'dialog', 'dir', 'div',
  'dl', 'dt', 'fieldset', 'figcaption', 'figure', 'footer', 'form', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6',
  'header', 'hgroup', 'hr', 'legend', 'li', 'listing', 'main', 'menu', 'nav', 'ol', 'p', 'plaintext', 'pre',
  'section', 'summary', 'table', 'ul', 'xmp',
]);
const TABLE_PARTS = new Set(['table', 'caption', 'thead', 'tbody', 'tfoot', 'tr', 'td', 'th']);
const ROW_GROUPS = new Set(['thead', 'tbody', 'tfoot']);
const WHITESPACE_PRESERVED = new Set(['pre', 'listing', 'plaintext', 'textarea', 'xmp']);

/** CSS `white-space: normal` collapses these; U+00A0 (&nbsp;) is not among them. */
const COLLAPSIBLE_RUN = /[ \t\n\r\f]+/g;

type Fragment =
  | { kind: 'text'; text: string; origin: string; preserveWhitespace: boolean }
  /** innerText's "required line break count": runs of these become max(count) newlines. */
  | { kind: 'breaks'; count: number };

function isRendered(element: Element): boolean {
  if (NOT_RENDERED.has(element.name) || element.attribs.hidden !== undefined) return false;
  return !/display\s*:\s*none/i.test(element.attribs.style ?? '');
}

const renderedChildren = (node: ParentNode): Element[] =>
  node.children.filter((child): child is Element => isTag(child) && isRendered(child));

/** A table cell's text on one line: whitespace collapsed, line breaks and blocks turned into spaces. */
function cellText(cell: Element): string {
  const pieces: string[] = [];
  const visit = (node: ChildNode): void => {
    if (isText(node)) {
      pieces.push(node.data);
    } else if (isTag(node) && isRendered(node)) {
      const separates = node.name === 'br' || BLOCK_ELEMENTS.has(node.name) || TABLE_PARTS.has(node.name);
      if (separates) pieces.push(' ');
      node.children.forEach(visit);
      if (separates) pieces.push(' ');
    }
  };
  cell.children.forEach(visit);
  return pieces.join('').replace(COLLAPSIBLE_RUN, ' ').replace(/^ | $/g, '');
}

class FragmentCollector {
  readonly fragments: Fragment[] = [];

  private lineBreaks(count: number): void {
    this.fragments.push({ kind: 'breaks', count });
  }

  /** `path` is `parent`'s DOM path; `lineOwner` the path of the block that lines started here belong to. */
  collectChildren(parent: ParentNode, path: string, lineOwner: string, preserveWhitespace: boolean): void {
    const seenPerTag = new Map<string, number>();
    for (const child of parent.children) {
      if (isText(child)) {
        this.fragments.push({ kind: 'text', text: child.data, origin: lineOwner, preserveWhitespace });
        continue;
      }
      if (!isTag(child)) continue;
      // Count every same-tag sibling, rendered or not, so paths match the source document.
      const position = (seenPerTag.get(child.name) ?? 0) + 1;
      seenPerTag.set(child.name, position);
      if (isRendered(child)) this.collectElement(child, `${path}>${child.name}[${position}]`, lineOwner, preserveWhitespace);
    }
  }

  private collectElement(element: Element, path: string, lineOwner: string, preserveWhitespace: boolean): void {
    if (element.name === 'br') {
      this.fragments.push({ kind: 'text', text: '\n', origin: lineOwner, preserveWhitespace: true });
    } else if (element.name === 'table') {
      this.lineBreaks(1);
      this.collectTable(element, path);
      this.lineBreaks(1);
    } else if (element.name === 'tr') {
      this.collectRow(element, path);
    } else if (BLOCK_ELEMENTS.has(element.name)) {
      const count = element.name === 'p' ? 2 : 1;
      this.lineBreaks(count);
      this.collectChildren(element, path, path, preserveWhitespace || WHITESPACE_PRESERVED.has(element.name));
      this.lineBreaks(count);
    } else {
      this.collectChildren(element, path, lineOwner, preserveWhitespace || WHITESPACE_PRESERVED.has(element.name));
    }
  }

  private collectTable(table: Element, tablePath: string): void {
    let rowNumber = 0;
    let captionNumber = 0;
    for (const child of renderedChildren(table)) {
      const rows = child.name === 'tr' ? [child] : ROW_GROUPS.has(child.name) ? renderedChildren(child) : [];
      for (const row of rows.filter((element) => element.name === 'tr')) {
        rowNumber += 1;
        this.collectRow(row, `${tablePath}>tr[${rowNumber}]`);
      }
      if (child.name === 'caption') {
        captionNumber += 1;
        this.collectElement(child, `${tablePath}>caption[${captionNumber}]`, tablePath, false);
      }
    }
  }

  private collectRow(row: Element, rowPath: string): void {
    const cells = renderedChildren(row).filter((cell) => cell.name === 'td' || cell.name === 'th');
    this.lineBreaks(1);
    this.fragments.push({ kind: 'text', text: cells.map(cellText).join('\t'), origin: rowPath, preserveWhitespace: true });
    this.lineBreaks(1);
  }
}

/** Lays fragments out into lines, collapsing whitespace across fragment boundaries as CSS does. */
function layOutLines(fragments: Fragment[]): HtmlText {
  const lines: string[] = [];
  const lineOrigins: string[] = [];
  let line = '';
  let origin = '';
  let pendingBreaks = 0;

  const endLine = (): void => {
    lines.push(line.replace(/ +$/, ''));
    lineOrigins.push(origin);
    line = '';
    origin = '';
  };
  // Required line breaks before any content, or after all of it, produce nothing.
  const flushPendingBreaks = (): void => {
    if (pendingBreaks > 0 && (lines.length > 0 || line !== '')) {
      endLine();
      for (let blank = 1; blank < pendingBreaks; blank += 1) {
        lines.push('');
        lineOrigins.push('');
      }
    }
    pendingBreaks = 0;
  };

  for (const fragment of fragments) {
    if (fragment.kind === 'breaks') {
      pendingBreaks = Math.max(pendingBreaks, fragment.count);
      continue;
    }
    const text = fragment.preserveWhitespace ? fragment.text : fragment.text.replace(COLLAPSIBLE_RUN, ' ');
    text.split('\n').forEach((segment, index) => {
      if (index > 0) {
        flushPendingBreaks();
        endLine();
      }
      const startsLine = pendingBreaks > 0 || line === '' || line.endsWith(' ');
      const visible = !fragment.preserveWhitespace && startsLine ? segment.replace(/^ /, '') : segment;
      if (visible === '') return;
      flushPendingBreaks();
      if (line === '') origin = fragment.origin;
      line += visible;
    });
  }
  if (line !== '') endLine();
  return { text: lines.join('\n').replaceAll('\u00A0', ' '), lineOrigins };
}

export interface HtmlLimits {
  /** Elements nested deeper than this are refused (TOO_LARGE) while parsing, before the recursive walks below. */
  maxNestingDepth: number;
}

/** Deeper than any report's layout (tables in tables in page templates stay under 60), shallow enough for the call stack. */
const DEFAULT_HTML_LIMITS: HtmlLimits = { maxNestingDepth: 256 };

export function htmlToText(html: string, limits: HtmlLimits = DEFAULT_HTML_LIMITS): HtmlText {
  // The HTML parser turns CR LF and lone CR into LF before anything else sees the text.
  const document = parseMarkup(html.replace(/\r\n?/g, '\n'), { xmlMode: false, maxDepth: limits.maxNestingDepth, format: { chinese: '网页', english: 'HTML' } });
  const findElement = (name: string) => DomUtils.findOne((element) => element.name === name, document.children);
  // Fragments (such as mammoth's output) have no <body>; their paths start at 'body' all the same.
  const root = findElement('body') ?? findElement('html') ?? document;
  const collector = new FragmentCollector();
  collector.collectChildren(root, 'body', 'body', false);
  return layOutLines(collector.fragments);
}
