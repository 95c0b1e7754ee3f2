/**
 * HTML and XML parsed into a DOM with a nesting limit. The parser itself keeps a stack of open
 * elements, but everything that walks the tree afterwards (text collection, DomUtils) recurses, so a
 * file of 200,000 nested <div>s is refused while it is parsed, before anything walks it.
 */
import { type Document, DomHandler } from 'domhandler';
import { Parser } from 'htmlparser2';
import { PermanentError } from '../../shared/errors';

class NestingTooDeep extends Error {}

class DepthLimitedHandler extends DomHandler {
  constructor(
    private readonly maxDepth: number,
    xmlMode: boolean,
  ) {
    super(undefined, { xmlMode });
  }

  override onopentag(name: string, attribs: Record<string, string>): void {
    // tagStack holds the document root and every open element.
    if (this.tagStack.length > this.maxDepth) throw new NestingTooDeep();
    super.onopentag(name, attribs);
  }
}

export interface MarkupOptions {
  xmlMode: boolean;
  maxDepth: number;
  /** Names the format in the refusal, e.g. { chinese: '网页', english: 'HTML' }. */
  format: { chinese: string; english: string };
}

export function parseMarkup(text: string, options: MarkupOptions): Document {
  const handler = new DepthLimitedHandler(options.maxDepth, options.xmlMode);
  try {
    new Parser(handler, { xmlMode: options.xmlMode }).end(text);
  } catch (error) {
    if (!(error instanceof NestingTooDeep)) throw error;
    throw new PermanentError(
      'TOO_LARGE',
      `${options.format.chinese}的元素嵌套超过 ${options.maxDepth} 层，不是报告的版式。The ${options.format.english} nests elements more than ${options.maxDepth} deep; no report is laid out like that.`,
    );
  }
  return handler.root;
}
