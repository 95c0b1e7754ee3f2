/** Media-type sniffing: magic bytes first, then the file name's extension, then "does it read as text". */
import CFB from 'cfb';
import { looksLikeText } from './text-decoding';

export const MEDIA_TYPE = {
  pdf: 'application/pdf',
  html: 'text/html',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  plain: 'text/plain',
  png: 'image/png',
  jpeg: 'image/jpeg',
  tiff: 'image/tiff',
  gif: 'image/gif',
  legacyWord: 'application/msword',
  /** Kingsoft WPS Writer (shared-mime-info's name); its .wps files keep a Word 97 text stream. */
  wps: 'application/wps-office.wps',
  /** GB/T 33190 电子文件存储与交换格式. */
  ofd: 'application/ofd',
  /** Other compound files offices send by mistake: told apart to say what they are. */
  legacyExcel: 'application/vnd.ms-excel',
  legacyPowerPoint: 'application/vnd.ms-powerpoint',
  works: 'application/vnd.ms-works',
  unknown: 'application/octet-stream',
} as const;

export const SUPPORTED_MEDIA_TYPES: readonly string[] = [
  MEDIA_TYPE.pdf, MEDIA_TYPE.ofd, MEDIA_TYPE.html, MEDIA_TYPE.docx, MEDIA_TYPE.legacyWord, MEDIA_TYPE.wps, MEDIA_TYPE.plain, MEDIA_TYPE.png, MEDIA_TYPE.jpeg, MEDIA_TYPE.tiff,
];

/**
 * A page image (a PDF page's scan, an image file) with more pixels is refused as TOO_LARGE rather than
 * handed to OCR, which decodes it at native resolution: an A3 page scanned at 600 dpi is 70 MP.
 */
export const MAX_PAGE_IMAGE_PIXELS = 100_000_000;

const startsWith = (bytes: Buffer, signature: number[]): boolean =>
  bytes.length >= signature.length && signature.every((byte, index) => bytes[index] === byte);

const ZIP_SIGNATURE = [0x50, 0x4b, 0x03, 0x04];
/** Compound File Binary: Word 97–2003 .doc, WPS .wps, .xls, .ppt, told apart by their streams. */
const OLE_SIGNATURE = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];

const IMAGE_SIGNATURES: Array<[string, number[]]> = [
  [MEDIA_TYPE.png, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]],
  [MEDIA_TYPE.jpeg, [0xff, 0xd8, 0xff]],
  [MEDIA_TYPE.tiff, [0x49, 0x49, 0x2a, 0x00]],
  [MEDIA_TYPE.tiff, [0x4d, 0x4d, 0x00, 0x2a]],
  [MEDIA_TYPE.gif, [0x47, 0x49, 0x46, 0x38]],
];

const EXTENSION_MEDIA_TYPES: Record<string, string> = {
  pdf: MEDIA_TYPE.pdf,
  htm: MEDIA_TYPE.html,
  html: MEDIA_TYPE.html,
  shtml: MEDIA_TYPE.html,
  xhtml: MEDIA_TYPE.html,
  docx: MEDIA_TYPE.docx,
  doc: MEDIA_TYPE.legacyWord,
  wps: MEDIA_TYPE.wps,
  ofd: MEDIA_TYPE.ofd,
  png: MEDIA_TYPE.png,
  jpg: MEDIA_TYPE.jpeg,
  jpeg: MEDIA_TYPE.jpeg,
  tif: MEDIA_TYPE.tiff,
  tiff: MEDIA_TYPE.tiff,
  gif: MEDIA_TYPE.gif,
};

/** HTML's markers, much as the WHATWG sniffing algorithm lists them, after whitespace or a UTF-8 BOM (read as latin1). */
const HTML_START = /^(?:\xEF\xBB\xBF)?\s*<(?:!doctype\s+html|html|head|body|meta|title|script|style|div|p|table|h1|!--)[\s>]/i;

function extensionOf(fileName: string): string {
  const dot = fileName.lastIndexOf('.');
  return dot < 0 ? '' : fileName.slice(dot + 1).toLowerCase();
}

/**
 * A compound file is what its streams say: Word's text is in WordDocument (Kingsoft WPS keeps the same
 * stream, so only the extension tells a .wps), Excel's in Workbook, PowerPoint's in "PowerPoint Document",
 * Microsoft Works' (also .wps) in CONTENTS. A directory that cannot be read falls back on the extension,
 * so a damaged .doc is reported as damaged rather than as unknown.
 */
function compoundFileMediaType(bytes: Buffer, extension: string): string {
  const byExtension = EXTENSION_MEDIA_TYPES[extension] ?? MEDIA_TYPE.unknown;
  let streamNames: Set<string>;
  try {
    streamNames = new Set(CFB.read(bytes, { type: 'buffer' }).FileIndex.map((entry) => entry.name));
  } catch {
    return byExtension;
  }
  if (streamNames.has('WordDocument')) return extension === 'wps' ? MEDIA_TYPE.wps : MEDIA_TYPE.legacyWord;
  if (streamNames.has('Workbook') || streamNames.has('Book')) return MEDIA_TYPE.legacyExcel;
  if (streamNames.has('PowerPoint Document')) return MEDIA_TYPE.legacyPowerPoint;
  if (streamNames.has('CONTENTS') && streamNames.has('MatOST')) return MEDIA_TYPE.works;
  return byExtension;
}

/**
 * Whether the file is plain text or HTML, told from its first bytes and its name without opening any
 * container (a compound file's directory is read only by detectMediaType, in a reader process).
 */
export function isTextOrHtml(bytes: Buffer, fileName: string): boolean {
  if (startsWith(bytes, OLE_SIGNATURE)) return false;
  const mediaType = detectMediaType(bytes, fileName);
  return mediaType === MEDIA_TYPE.plain || mediaType === MEDIA_TYPE.html;
}

export function detectMediaType(bytes: Buffer, fileName: string): string {
  const extension = extensionOf(fileName);
  // pdf.js, like Acrobat, accepts a header preceded by junk within the first kilobyte.
  if (bytes.subarray(0, 1024).includes('%PDF-', 0, 'latin1')) return MEDIA_TYPE.pdf;
  for (const [mediaType, signature] of IMAGE_SIGNATURES) {
    if (startsWith(bytes, signature)) return mediaType;
  }
  if (startsWith(bytes, ZIP_SIGNATURE)) {
    // A DOCX names its parts in plain text in the zip's local headers; a truncated one may not get that far.
    if (bytes.includes('word/', 0, 'latin1') || extension === 'docx') return MEDIA_TYPE.docx;
    // An OFD's entry point is OFD.xml at the root of the package.
    if (bytes.includes('OFD.xml', 0, 'latin1') || extension === 'ofd') return MEDIA_TYPE.ofd;
    return MEDIA_TYPE.unknown;
  }
  if (startsWith(bytes, OLE_SIGNATURE)) return compoundFileMediaType(bytes, extension);
  // Tags are ASCII in every encoding these sites use (UTF-8, GBK), so a latin1 view is enough to sniff.
  if (HTML_START.test(bytes.subarray(0, 512).toString('latin1'))) return MEDIA_TYPE.html;

  const byExtension = EXTENSION_MEDIA_TYPES[extension];
  if (byExtension !== undefined) return byExtension;
  return looksLikeText(bytes) ? MEDIA_TYPE.plain : MEDIA_TYPE.unknown;
}
