/** DOCX → HTML with mammoth, so DOCX text comes out exactly like HTML text. */
import mammoth from 'mammoth';
import { PermanentError } from '../../shared/errors';
import { checkZipExpansion, type ZipLimits } from './zip-limits';

export async function docxToHtml(bytes: Buffer, limits: ZipLimits): Promise<string> {
  // mammoth inflates document.xml whole: a bomb must be refused before it gets there.
  checkZipExpansion(bytes, limits, { chinese: 'Word 文档', english: 'DOCX file' });
  try {
    const { value: html } = await mammoth.convertToHtml({ buffer: bytes });
    return html;
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new PermanentError('CORRUPT_FILE', `Word 文档已损坏或不是 Word 文档（${detail}）。The DOCX file is damaged or is not a Word document (${detail}).`);
  }
}
