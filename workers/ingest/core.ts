/**
 * The ingest stage's pure core: bytes in, page texts out. No Redis, no Postgres. Anything that retrying
 * cannot fix (empty, unsupported, damaged, encrypted or oversized files) is thrown as a PermanentError.
 */
import { PermanentError } from '../../shared/errors';
import type { ExtractedDocument, ExtractedPage, TextSource } from '../../shared/record';
import { docxToHtml } from './docx';
import { htmlToText } from './html-text';
import { imagePages } from './image';
import { MEDIA_TYPE, SUPPORTED_MEDIA_TYPES, detectMediaType } from './media-type';
import { closePdfReader, extractPdfPages } from './pdf';
import { decodeHtml, decodePlainText } from './text-decoding';

export { closePdfReader, detectMediaType, MEDIA_TYPE, SUPPORTED_MEDIA_TYPES };

export interface ExtractionInput {
  bytes: Buffer;
  fileName: string;
}

export interface ExtractionLimits {
  /** PDFs with more pages are refused with TOO_LARGE; annual reports run to a few dozen pages. */
  maxPages?: number;
  /** A PDF that takes longer to read is refused with TOO_LARGE. */
  timeoutMs?: number;
}

export const DEFAULT_LIMITS: Required<ExtractionLimits> = { maxPages: 200, timeoutMs: 120_000 };

function htmlPage(html: string, source: TextSource): ExtractedPage {
  const { text, lineOrigins } = htmlToText(html);
  return { number: 1, text, source, needsOcr: false, ocrReason: null, lineOrigins };
}

function unsupportedMedia(mediaType: string, fileName: string): PermanentError {
  const supported = `Supported types: ${SUPPORTED_MEDIA_TYPES.join(', ')}.`;
  if (mediaType === MEDIA_TYPE.legacyWord) {
    return new PermanentError(
      'UNSUPPORTED_MEDIA',
      `${fileName} is a Word 97-2003 document (${mediaType}); save it as DOCX or PDF. ${supported}`,
    );
  }
  return new PermanentError('UNSUPPORTED_MEDIA', `${fileName} is of an unsupported type (${mediaType}). ${supported}`);
}

export async function extractDocument(input: ExtractionInput, limits: ExtractionLimits = {}): Promise<ExtractedDocument> {
  const { bytes, fileName } = input;
  if (bytes.length === 0) throw new PermanentError('EMPTY_FILE', `${fileName} is empty (0 bytes).`);
  const mediaType = detectMediaType(bytes, fileName);
  switch (mediaType) {
    case MEDIA_TYPE.pdf:
      return {
        mediaType,
        pages: await extractPdfPages(bytes, {
          maxPages: limits.maxPages ?? DEFAULT_LIMITS.maxPages,
          timeoutMs: limits.timeoutMs ?? DEFAULT_LIMITS.timeoutMs,
        }),
      };
    case MEDIA_TYPE.html: {
      const { text: html, encoding } = decodeHtml(bytes);
      return { mediaType, encoding, pages: [htmlPage(html, 'html')] };
    }
    case MEDIA_TYPE.docx:
      return { mediaType, pages: [htmlPage(await docxToHtml(bytes), 'docx')] };
    case MEDIA_TYPE.plain: {
      const { text, encoding } = decodePlainText(bytes);
      const page: ExtractedPage = {
        number: 1,
        text: text.replace(/\r\n?/g, '\n'),
        source: 'plain',
        needsOcr: false,
        ocrReason: null,
      };
      return { mediaType, encoding, pages: [page] };
    }
    case MEDIA_TYPE.png:
    case MEDIA_TYPE.jpeg:
    case MEDIA_TYPE.tiff:
      return { mediaType, pages: await imagePages(bytes, fileName, limits.maxPages ?? DEFAULT_LIMITS.maxPages) };
    default:
      throw unsupportedMedia(mediaType, fileName);
  }
}
