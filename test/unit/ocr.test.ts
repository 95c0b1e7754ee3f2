import { PermanentError } from '../../shared/errors';
import type { ExtractedPage } from '../../shared/record';
import { passThroughTextPages } from '../../workers/ocr/core';

const page = (number: number, needsOcr: boolean): ExtractedPage => ({
  number,
  text: needsOcr ? '' : '一、总体情况',
  source: 'pdf-text',
  needsOcr,
  ocrReason: needsOcr ? 'no text layer' : null,
});

describe('ocr stage core', () => {
  test('pages with a text layer pass through unchanged', () => {
    const pages = [page(1, false), page(2, false)];
    expect(passThroughTextPages(pages)).toBe(pages);
  });

  test('pages without one are named in a permanent error', () => {
    expect(() => passThroughTextPages([page(1, false), page(3, true), page(4, true)])).toThrow(PermanentError);
    expect(() => passThroughTextPages([page(1, false), page(3, true), page(4, true)])).toThrow('pages 3 (no text layer), 4 (no text layer)');
  });
});
