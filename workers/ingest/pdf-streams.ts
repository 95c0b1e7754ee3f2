/**
 * Flate bombs in PDFs. pdf.js decodes a content stream, font or object stream whole into memory, at
 * some 60 MB/s, so a 2 MB file whose content stream inflates to 2 GB would hold a reader for half a
 * minute before the sandbox's memory limit stopped it. Before pdf.js sees the file, every
 * FlateDecode stream that is not an image is inflated here with zlib (native, without keeping the
 * output) and its size counted; one past the limit refuses the file at once. Images are left alone:
 * pdf.js does not decode them to read text, and their size is checked from their dimensions.
 * Streams zlib cannot inflate (encrypted, other filters first, damaged) are left to pdf.js.
 */
import zlib from 'node:zlib';
import { PermanentError } from '../../shared/errors';

const STREAM = Buffer.from('stream');
const END_STREAM = Buffer.from('endstream');
/** How far before `stream` the object's dictionary is looked for. */
const DICTIONARY_WINDOW = 4096;

/** Bytes the stream inflates to, counted up to just past `limit`; null when zlib cannot inflate it. */
function inflatedSize(data: Buffer, limit: number): Promise<number | null> {
  return new Promise((resolve) => {
    const inflate = zlib.createInflate();
    let size = 0;
    inflate.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        inflate.destroy();
        resolve(size);
      }
    });
    inflate.on('end', () => resolve(size));
    inflate.on('error', () => resolve(size > 0 ? size : null));
    inflate.end(data);
  });
}

export async function checkPdfStreams(bytes: Buffer, maxStreamBytes: number): Promise<void> {
  for (let at = bytes.indexOf(STREAM); at >= 0; at = bytes.indexOf(STREAM, at + STREAM.length)) {
    // `endstream` contains `stream`; the keyword proper is followed by an end of line.
    if (bytes.subarray(at - 3, at).toString('latin1') === 'end') continue;
    let dataStart = at + STREAM.length;
    if (bytes[dataStart] === 0x0d) dataStart++;
    if (bytes[dataStart] !== 0x0a && bytes[dataStart - 1] !== 0x0d) continue;
    if (bytes[dataStart] === 0x0a) dataStart++;
    const window = bytes.subarray(Math.max(0, at - DICTIONARY_WINDOW), at).toString('latin1');
    const dictionary = window.slice(window.lastIndexOf(' obj') + 1);
    if (!/\/FlateDecode/.test(dictionary) || /\/Subtype\s*\/Image/.test(dictionary)) continue;
    const dataEnd = bytes.indexOf(END_STREAM, dataStart);
    if (dataEnd < 0) return;
    const size = await inflatedSize(bytes.subarray(dataStart, dataEnd), maxStreamBytes);
    if (size !== null && size > maxStreamBytes) {
      const limitMb = Math.round(maxStreamBytes / 1024 / 1024);
      throw new PermanentError(
        'TOO_LARGE',
        `PDF 中有一个数据流解压后超过 ${limitMb} MB（压缩时 ${dataEnd - dataStart} 字节），疑为压缩炸弹。A stream in the PDF inflates past ${limitMb} MB from ${dataEnd - dataStart} bytes: a decompression bomb, not a report.`,
      );
    }
    at = dataEnd;
  }
}
