import { pagesNeedingOcr, type ExtractedPage } from '../../shared/record';

const page = (number: number, state: 'text' | 'scan' | 'read'): ExtractedPage => ({
  number,
  text: state === 'scan' ? '' : '一、总体情况',
  source: state === 'read' ? 'ocr' : 'pdf-text',
  needsOcr: state !== 'text',
  ocrReason: state === 'text' ? null : 'no text layer',
  ...(state === 'read' ? { ocr: { rotation: 0, skewDegrees: 0, width: 10, height: 10, dpi: 300, meanConfidence: 90, boxes: [] } } : {}),
});

describe('which pages the ocr stage reads', () => {
  test('text pages and pages already read pass through; only unread scans are read', () => {
    expect(pagesNeedingOcr([page(1, 'text'), page(2, 'scan'), page(3, 'read'), page(4, 'scan')]).map((unread) => unread.number)).toEqual([2, 4]);
    expect(pagesNeedingOcr([page(1, 'text')])).toEqual([]);
  });
});
