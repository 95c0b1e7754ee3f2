/** DOCX → HTML with mammoth, so DOCX text comes out exactly like HTML text. */
import mammoth from 'mammoth';
import { PermanentError } from '../../shared/errors';

export async function docxToHtml(bytes: Buffer): Promise<string> {
  try {
    const { value: html } = await mammoth.convertToHtml({ buffer: bytes });
    return html;
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new PermanentError('CORRUPT_FILE', `The DOCX file is damaged or is not a Word document (${detail}).`);
  }
}
