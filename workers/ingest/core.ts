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
import { extractOfdPages } from './ofd';
import { closePdfReader, extractPdfPages } from './pdf';
import { decodeHtml, decodePlainText } from './text-decoding';
import { readWordBinaryText } from './word-binary';

export { closePdfReader, detectMediaType, MEDIA_TYPE, SUPPORTED_MEDIA_TYPES };

export interface ExtractionInput {
  bytes: Buffer;
  fileName: string;
}

export interface ExtractionLimits {
  /** PDFs and OFDs with more pages are refused with TOO_LARGE; annual reports run to a few dozen pages. */
  maxPages?: number;
  /** A PDF that takes longer to read is refused with TOO_LARGE. */
  timeoutMs?: number;
}

export const DEFAULT_LIMITS: Required<ExtractionLimits> = { maxPages: 200, timeoutMs: 120_000 };

function htmlPage(html: string, source: TextSource): ExtractedPage {
  const { text, lineOrigins } = htmlToText(html);
  return { number: 1, text, source, needsOcr: false, ocrReason: null, lineOrigins };
}

/** What an office file that is not a report format is, so the message says what to send instead. */
const MISTAKEN_OFFICE_FILES: Record<string, string> = {
  [MEDIA_TYPE.legacyExcel]: 'Excel 97-2003 工作簿 (.xls)',
  [MEDIA_TYPE.legacyPowerPoint]: 'PowerPoint 97-2003 演示文稿 (.ppt)',
  [MEDIA_TYPE.works]: 'Microsoft Works 文档（不是 WPS 文字文档）',
};

function unsupportedMedia(mediaType: string, fileName: string): PermanentError {
  const supported = `Supported types: ${SUPPORTED_MEDIA_TYPES.join(', ')}.`;
  const officeFile = MISTAKEN_OFFICE_FILES[mediaType];
  if (officeFile !== undefined) {
    return new PermanentError(
      'UNSUPPORTED_MEDIA',
      `${fileName} 是${officeFile}，不是可读取的报告格式，请提交 PDF、OFD、Word 或网页版本。${fileName} is of an unsupported type (${mediaType}). ${supported}`,
    );
  }
  return new PermanentError('UNSUPPORTED_MEDIA', `${fileName} is of an unsupported type (${mediaType}). ${supported}`);
}

/**
 * Text longer than this is no single annual report (the longest run to a few hundred thousand
 * characters) but a concatenation or a generated file; reading it would hold a worker for minutes.
 */
export const MAX_TEXT_CHARACTERS = 2_000_000;

export async function extractDocument(input: ExtractionInput, limits: ExtractionLimits = {}): Promise<ExtractedDocument> {
  const document = await extractText(input, limits);
  const characters = document.pages.reduce((sum, page) => sum + page.text.length, 0);
  if (characters > MAX_TEXT_CHARACTERS) {
    throw new PermanentError(
      'TOO_LARGE',
      `${input.fileName} 的文字有 ${characters.toLocaleString('en')} 字，超过一份年度报告的上限 ${MAX_TEXT_CHARACTERS.toLocaleString('en')} 字。${input.fileName} has ${characters} characters of text; at most ${MAX_TEXT_CHARACTERS} are accepted.`,
    );
  }
  return document;
}

async function extractText(input: ExtractionInput, limits: ExtractionLimits): Promise<ExtractedDocument> {
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
    case MEDIA_TYPE.ofd:
      return { mediaType, pages: extractOfdPages(bytes, { maxPages: limits.maxPages ?? DEFAULT_LIMITS.maxPages }) };
    case MEDIA_TYPE.legacyWord:
    case MEDIA_TYPE.wps: {
      // Word binary text has no fixed pages, like DOCX: the document is one page.
      const text = readWordBinaryText(bytes, mediaType === MEDIA_TYPE.wps ? 'wps' : 'doc');
      return { mediaType, pages: [{ number: 1, text, source: 'doc', needsOcr: false, ocrReason: null }] };
    }
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
