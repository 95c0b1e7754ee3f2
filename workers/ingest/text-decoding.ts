/**
 * Byte → string decoding for plain-text and HTML sources. Chinese government sites serve UTF-8 and
 * GBK/GB2312 about equally, often without saying which, so the fallback for bytes that are not UTF-8
 * is GB18030 (a superset of both GB encodings).
 */
import iconv from 'iconv-lite';

export interface DecodedText {
  text: string;
  /** WHATWG-style label of the encoding used: 'utf-8', 'utf-16le', 'utf-16be', 'gb18030', … */
  encoding: string;
}

const BYTE_ORDER_MARKS: Array<[number[], string]> = [
  [[0xef, 0xbb, 0xbf], 'utf-8'],
  [[0xff, 0xfe], 'utf-16le'],
  [[0xfe, 0xff], 'utf-16be'],
];

function encodingFromBom(bytes: Buffer): string | null {
  for (const [mark, encoding] of BYTE_ORDER_MARKS) {
    if (mark.every((byte, index) => bytes[index] === byte)) return encoding;
  }
  return null;
}

/** Strict UTF-8 check; streaming mode forgives a character cut off at the very end of the file. */
function isUtf8(bytes: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: true });
    return true;
  } catch {
    return false;
  }
}

/** iconv-lite drops a leading BOM for the UTF encodings. */
const decode = (bytes: Buffer, encoding: string): string => iconv.decode(bytes, encoding);

const guessEncoding = (bytes: Buffer): string => encodingFromBom(bytes) ?? (isUtf8(bytes) ? 'utf-8' : 'gb18030');

export function decodePlainText(bytes: Buffer): DecodedText {
  const encoding = guessEncoding(bytes);
  return { text: decode(bytes, encoding), encoding };
}

const TEXT_SAMPLE_BYTES = 64 * 1024;
/** Binary formats are full of C0 control bytes; text has almost none besides tab and line breaks. */
const MAX_CONTROL_BYTE_SHARE = 0.01;
const MAX_REPLACEMENT_SHARE = 0.01;

export function looksLikeText(bytes: Buffer): boolean {
  if (encodingFromBom(bytes) !== null) return true;
  const sample = bytes.subarray(0, TEXT_SAMPLE_BYTES);
  if (sample.length === 0 || sample.includes(0)) return false;
  let controlBytes = 0;
  for (const byte of sample) {
    const isLayout = byte === 0x09 || byte === 0x0a || byte === 0x0c || byte === 0x0d || byte === 0x1b;
    if ((byte < 0x20 && !isLayout) || byte === 0x7f) controlBytes += 1;
  }
  if (controlBytes > sample.length * MAX_CONTROL_BYTE_SHARE) return false;
  if (isUtf8(sample)) return true;
  const asGb18030 = decode(sample, 'gb18030');
  const replacements = asGb18030.split('\uFFFD').length - 1;
  return replacements <= asGb18030.length * MAX_REPLACEMENT_SHARE;
}

/** Labels that browsers decode with the GBK/GB18030 decoder (WHATWG Encoding, "gbk" and "gb18030"). */
const GB_FAMILY_LABELS = new Set([
  'chinese',
  'csgb2312',
  'csiso58gb231280',
  'gb2312',
  'gb_2312',
  'gb_2312-80',
  'gbk',
  'iso-ir-58',
  'x-gbk',
  'gb18030',
  'cp936',
  'windows-936',
]);

/** Both `<meta charset="gbk">` and `<meta http-equiv="Content-Type" content="text/html; charset=gbk">`. */
const META_CHARSET = /<meta\b[^>]*?charset\s*=\s*["']?\s*([\w.:-]+)/i;
/** Browsers look for the meta charset in the first 1024 bytes; real pages sometimes put it later. */
const META_PRESCAN_BYTES = 4096;

function encodingFromMetaCharset(bytes: Buffer): string | null {
  const match = META_CHARSET.exec(bytes.subarray(0, META_PRESCAN_BYTES).toString('latin1'));
  if (match === null) return null;
  const label = match[1].toLowerCase();
  if (GB_FAMILY_LABELS.has(label)) return 'gb18030';
  // A meta tag cannot switch a page to UTF-16: the tag itself would not be readable as ASCII.
  if (label === 'utf8' || label === 'utf-8' || label.startsWith('utf-16')) return 'utf-8';
  return iconv.encodingExists(label) ? label : null;
}

/** Byte-order mark, then `<meta charset>`, then UTF-8 if the bytes are valid UTF-8, else GB18030. */
export function decodeHtml(bytes: Buffer): DecodedText {
  const encoding = encodingFromBom(bytes) ?? encodingFromMetaCharset(bytes) ?? guessEncoding(bytes);
  return { text: decode(bytes, encoding), encoding };
}
