/**
 * Zip bombs in ZIP-based formats (DOCX, OFD). A ZIP header's sizes are only a claim, so every entry is
 * inflated once here, chunk by chunk and without keeping the output, counting the bytes it really
 * produces: the first entry past the ratio limit or the total past the size limit stops the count.
 * The readers (mammoth, fflate) only run on archives that passed.
 */
import { Unzip, UnzipInflate } from 'fflate';
import { PermanentError } from '../../shared/errors';

export interface ZipLimits {
  /** All entries together, inflated. */
  maxInflatedBytes: number;
  /** An entry that inflates past RATIO_CHECKED_ABOVE_BYTES may inflate to at most this many times its compressed size. */
  maxCompressionRatio: number;
}

/** Small entries may compress very well (runs of spaces, empty XML parts); only large ones are held to the ratio. */
export const RATIO_CHECKED_ABOVE_BYTES = 1024 * 1024;

class ZipLimitExceeded extends Error {}

const MB = 1024 * 1024;

/** Throws TOO_LARGE when the archive inflates past the limits, CORRUPT_FILE when it cannot be inflated. */
/** Names the format in messages, e.g. { chinese: 'Word 文档', english: 'DOCX file' }. */
export interface FormatName {
  chinese: string;
  english: string;
}

export function checkZipExpansion(bytes: Uint8Array, limits: ZipLimits, format: FormatName): void {
  let total = 0;
  // Set inside fflate's callbacks, so declared wide (a plain `= null` would be narrowed to null below).
  let refusal = null as PermanentError | null;
  const unzip = new Unzip((file) => {
    // Stored entries and archives written as a stream carry no compressed size: the whole archive stands in for it.
    const compressed = Math.max(file.size ?? bytes.length, 1);
    const tooMuchInTotal = (): never => {
      refusal = new PermanentError(
        'TOO_LARGE',
        `${format.chinese}解压后超过 ${Math.round(limits.maxInflatedBytes / MB)} MB，疑为压缩炸弹。The ${format.english} inflates past ${Math.round(limits.maxInflatedBytes / MB)} MB.`,
      );
      throw new ZipLimitExceeded();
    };
    const tooHighRatio = (): never => {
      refusal = new PermanentError(
        'TOO_LARGE',
        `${format.chinese}中的 ${file.name} 压缩比超过 ${limits.maxCompressionRatio} 倍，疑为压缩炸弹。${file.name} inflates to more than ${limits.maxCompressionRatio} times its compressed size (${compressed} bytes): a zip bomb, not a document.`,
      );
      throw new ZipLimitExceeded();
    };
    // An honest header is refused at once; a lying one when its inflated bytes pass the limit.
    const declared = file.originalSize ?? 0;
    if (total + declared > limits.maxInflatedBytes) tooMuchInTotal();
    if (declared > RATIO_CHECKED_ABOVE_BYTES && declared > compressed * limits.maxCompressionRatio) tooHighRatio();
    let inflated = 0;
    file.ondata = (error, chunk) => {
      if (error) throw error;
      inflated += chunk.length;
      total += chunk.length;
      if (total > limits.maxInflatedBytes) tooMuchInTotal();
      if (inflated > RATIO_CHECKED_ABOVE_BYTES && inflated > compressed * limits.maxCompressionRatio) tooHighRatio();
    };
    file.start();
  });
  unzip.register(UnzipInflate);
  try {
    // Fed in small slices: each slice is inflated in one piece, up to ~1000 times its size.
    const slice = 16 * 1024;
    for (let offset = 0; offset < bytes.length; offset += slice) unzip.push(bytes.subarray(offset, offset + slice), offset + slice >= bytes.length);
  } catch (error) {
    if (refusal !== null || error instanceof ZipLimitExceeded) throw refusal;
    throw new PermanentError(
      'CORRUPT_FILE',
      `${format.chinese}已损坏，无法解压（${error instanceof Error ? error.message : String(error)}）。The ${format.english} is damaged or is not a ZIP archive: ${error instanceof Error ? error.message : String(error)}.`,
    );
  }
}
