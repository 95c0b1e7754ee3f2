/**
 * The ingest stage's pure core: bytes in, page texts out. No Redis, no Postgres. Anything that retrying
 * cannot fix (empty, unsupported, damaged, encrypted or oversized files) is thrown as a PermanentError.
 */
import type { Config } from '../../shared/config';
import { PermanentError } from '../../shared/errors';
import type { ExtractedDocument, ExtractedPage, TextSource } from '../../shared/record';
import { docxToHtml } from './docx';
import { htmlToText } from './html-text';
import { imagePages } from './image';
import { MEDIA_TYPE, SUPPORTED_MEDIA_TYPES, detectMediaType } from './media-type';
import { extractOfdPages } from './ofd';
import { closePdfReader, extractPdfPages } from './pdf';
import { checkPdfStreams } from './pdf-streams';
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
  /**
   * Text longer than this is no single annual report (the longest run to a few hundred thousand
   * characters) but a concatenation or a generated file; reading it would hold a worker for minutes.
   * Plain text over 4 bytes per allowed character is refused before it is decoded.
   */
  maxTextCharacters?: number;
  /** HTML larger than this is refused before it is decoded or parsed. */
  maxHtmlBytes?: number;
  /** HTML (and DOCX, through its HTML) nested deeper than this is refused before it is walked. */
  maxNestingDepth?: number;
  /** ZIP-based formats (DOCX, OFD): all entries together, counted as inflated; PDFs: any one stream other than an image. */
  maxInflatedBytes?: number;
  /** ZIP-based formats: an entry over 1 MB may inflate to at most this many times its compressed size. */
  maxCompressionRatio?: number;
}

export const MAX_TEXT_CHARACTERS = 2_000_000;

export const DEFAULT_LIMITS: Required<ExtractionLimits> = {
  maxPages: 200,
  timeoutMs: 120_000,
  maxTextCharacters: MAX_TEXT_CHARACTERS,
  maxHtmlBytes: 32 * 1024 * 1024,
  maxNestingDepth: 256,
  maxInflatedBytes: 256 * 1024 * 1024,
  maxCompressionRatio: 200,
};

/** The extraction limits a worker runs with. */
export function readLimitsFrom(config: Config): Required<ExtractionLimits> {
  const { maxTextCharacters, maxHtmlBytes, maxNestingDepth, maxInflatedBytes, maxCompressionRatio } = config.readLimits;
  return { maxPages: config.maxPages, timeoutMs: config.documentTimeoutMs, maxTextCharacters, maxHtmlBytes, maxNestingDepth, maxInflatedBytes, maxCompressionRatio };
}

/** Plain text may take up to 4 bytes per character (UTF-8 outside the BMP); more bytes cannot fit the character limit. */
const MAX_BYTES_PER_CHARACTER = 4;

function htmlPage(html: string, source: TextSource, maxNestingDepth: number): ExtractedPage {
  const { text, lineOrigins } = htmlToText(html, { maxNestingDepth });
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

const tooMuchText = (fileName: string, characters: number, limit: number): PermanentError =>
  new PermanentError(
    'TOO_LARGE',
    `${fileName} 的文字有 ${characters.toLocaleString('en')} 字，超过一份年度报告的上限 ${limit.toLocaleString('en')} 字。${fileName} has ${characters} characters of text; at most ${limit} are accepted.`,
  );

export async function extractDocument(input: ExtractionInput, given: ExtractionLimits = {}): Promise<ExtractedDocument> {
  const limits: Required<ExtractionLimits> = { ...DEFAULT_LIMITS, ...given };
  const document = await extractText(input, limits);
  const characters = document.pages.reduce((sum, page) => sum + page.text.length, 0);
  if (characters > limits.maxTextCharacters) throw tooMuchText(input.fileName, characters, limits.maxTextCharacters);
  return document;
}

/** Refuses text and HTML by their size in bytes, before decoding builds strings several times as large. */
function checkBytesBeforeDecoding(bytes: Buffer, fileName: string, maxBytes: number, what: string): void {
  if (bytes.length <= maxBytes) return;
  throw new PermanentError(
    'TOO_LARGE',
    `${fileName} 有 ${bytes.length.toLocaleString('en')} 字节，超过${what}的上限 ${maxBytes.toLocaleString('en')} 字节。${fileName} is ${bytes.length} bytes; at most ${maxBytes} are accepted for ${what === '网页' ? 'HTML' : 'plain text'}.`,
  );
}

async function extractText(input: ExtractionInput, limits: Required<ExtractionLimits>): Promise<ExtractedDocument> {
  const { bytes, fileName } = input;
  if (bytes.length === 0) throw new PermanentError('EMPTY_FILE', `${fileName} is empty (0 bytes).`);
  const mediaType = detectMediaType(bytes, fileName);
  switch (mediaType) {
    case MEDIA_TYPE.pdf:
      await checkPdfStreams(bytes, limits.maxInflatedBytes);
      return {
        mediaType,
        pages: await extractPdfPages(bytes, { maxPages: limits.maxPages, timeoutMs: limits.timeoutMs }),
      };
    case MEDIA_TYPE.ofd:
      return { mediaType, pages: extractOfdPages(bytes, limits) };
    case MEDIA_TYPE.legacyWord:
    case MEDIA_TYPE.wps: {
      // Word binary text has no fixed pages, like DOCX: the document is one page.
      const text = readWordBinaryText(bytes, mediaType === MEDIA_TYPE.wps ? 'wps' : 'doc');
      return { mediaType, pages: [{ number: 1, text, source: 'doc', needsOcr: false, ocrReason: null }] };
    }
    case MEDIA_TYPE.html: {
      checkBytesBeforeDecoding(bytes, fileName, limits.maxHtmlBytes, '网页');
      const { text: html, encoding } = decodeHtml(bytes);
      return { mediaType, encoding, pages: [htmlPage(html, 'html', limits.maxNestingDepth)] };
    }
    case MEDIA_TYPE.docx:
      return { mediaType, pages: [htmlPage(await docxToHtml(bytes, limits), 'docx', limits.maxNestingDepth)] };
    case MEDIA_TYPE.plain: {
      checkBytesBeforeDecoding(bytes, fileName, limits.maxTextCharacters * MAX_BYTES_PER_CHARACTER, '纯文本');
      const { text, encoding } = decodePlainText(bytes);
      if (text.length > limits.maxTextCharacters) throw tooMuchText(fileName, text.length, limits.maxTextCharacters);
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
      return { mediaType, pages: await imagePages(bytes, fileName, limits.maxPages) };
    default:
      throw unsupportedMedia(mediaType, fileName);
  }
}
