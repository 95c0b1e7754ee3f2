/**
 * Word 97–2003 binary documents (.doc) and Kingsoft WPS Writer files (.wps, which since WPS 2005 keep
 * the same WordDocument stream) → page text, read per [MS-DOC]: the File Information Block, the piece
 * table for the characters of the main document, and the paragraph properties for table rows.
 *
 * Text extractors for .doc such as word-extractor write a cell mark and a row-end mark alike, so a
 * table's rows run together on one line; the row-end mark is only told apart by its paragraph's
 * properties (sprmPFTtp), which is why this reader looks at them. Table rows come out as one line of
 * tab-separated cells, like the HTML and DOCX readers write them; a vertically merged cell is an empty
 * cell in the rows it covers.
 */
import CFB from 'cfb';
import iconv from 'iconv-lite';
import { PermanentError } from '../../shared/errors';

export type WordBinaryKind = 'doc' | 'wps';

const KIND_NAMES: Record<WordBinaryKind, string> = { doc: 'Word 97-2003 文档 (.doc)', wps: 'WPS 文字文档 (.wps)' };

const WORD_IDENT = 0xa5ec;
/** nFib of Word 97; Word 6 and 95 files (nFib 101–105) have another FIB layout. */
const NFIB_WORD97 = 0x00c1;
const FLAG_ENCRYPTED = 0x0100;
const FLAG_TABLE_STREAM_1 = 0x0200;
/** Offsets in the FIB: ccpText in FibRgLw97, then fc/lcb pairs of FibRgFcLcb97. */
const FIB_CCP_TEXT = 76;
const FIB_FC_LCB = 154;
const FC_LCB_PLCF_BTE_PAPX = 13;
const FC_LCB_CLX = 33;

const FKP_SIZE = 512;
const SPRM_P_F_IN_TABLE = 0x2416;
const SPRM_P_F_TTP = 0x2417;
const SPRM_P_HUGE_PAPX = 0x6646;

const CELL_MARK = 0x07;
const PARAGRAPH_MARK = 0x0d;
const FIELD_BEGIN = 0x13;
const FIELD_SEPARATOR = 0x14;
const FIELD_END = 0x15;
/** Stands for a manual line or page break until its paragraph ends: a newline in prose, a space in a cell. */
const PENDING_BREAK = '\u2028';

interface DocumentCharacter {
  code: number;
  /** Byte offset of the character in the WordDocument stream, and its width there. */
  fc: number;
  width: number;
}

interface ParagraphProperties {
  inTable: boolean;
  /** The paragraph is a table row's end mark. */
  rowEnd: boolean;
}

const corrupt = (kind: WordBinaryKind, detail: string): PermanentError =>
  new PermanentError('CORRUPT_FILE', `${KIND_NAMES[kind]}已损坏，无法读取（${detail}）。The file is damaged: ${detail}.`);

function streamOf(container: CFB.CFB$Container, name: string): Buffer | null {
  const entry = CFB.find(container, name);
  if (!entry || entry.content === undefined || entry.content === null) return null;
  return Buffer.isBuffer(entry.content) ? entry.content : Buffer.from(entry.content as ArrayLike<number>);
}

/** Reads a range of a stream, refusing ranges that point outside it. */
function slice(stream: Buffer, offset: number, length: number, what: string, kind: WordBinaryKind): Buffer {
  if (offset < 0 || length < 0 || offset + length > stream.length) throw corrupt(kind, `${what} lies outside its stream`);
  return stream.subarray(offset, offset + length);
}

/** The characters of CPs [0, ccpText) in document order, from the piece table in the Clx. */
function mainDocumentCharacters(wordDocument: Buffer, clx: Buffer, ccpText: number, kind: WordBinaryKind): DocumentCharacter[] {
  let offset = 0;
  // Prc entries (property modifiers for pieces) come first; the piece table follows.
  while (offset < clx.length && clx[offset] === 0x01) offset += 3 + clx.readInt16LE(offset + 1);
  if (offset + 5 > clx.length || clx[offset] !== 0x02) throw corrupt(kind, 'no piece table');
  const plcPcd = slice(clx, offset + 5, clx.readUInt32LE(offset + 1), 'the piece table', kind);
  const pieceCount = (plcPcd.length - 4) / 12;
  if (!Number.isInteger(pieceCount) || pieceCount < 1) throw corrupt(kind, 'a malformed piece table');
  const characters: DocumentCharacter[] = [];
  for (let piece = 0; piece < pieceCount && characters.length < ccpText; piece++) {
    const cpStart = plcPcd.readUInt32LE(piece * 4);
    const cpEnd = Math.min(plcPcd.readUInt32LE(piece * 4 + 4), ccpText);
    const fcField = plcPcd.readUInt32LE((pieceCount + 1) * 4 + piece * 8 + 2);
    const compressed = (fcField & 0x40000000) !== 0;
    const fc = fcField & 0x3fffffff;
    const count = Math.max(0, cpEnd - cpStart);
    if (compressed) {
      // 8-bit pieces hold Windows-1252 text at half the stored offset.
      const start = fc / 2;
      const decoded = iconv.decode(slice(wordDocument, start, count, 'a text piece', kind), 'win1252');
      for (let index = 0; index < count; index++) characters.push({ code: decoded.charCodeAt(index), fc: start + index, width: 1 });
    } else {
      const bytes = slice(wordDocument, fc, count * 2, 'a text piece', kind);
      for (let index = 0; index < count; index++) characters.push({ code: bytes.readUInt16LE(index * 2), fc: fc + index * 2, width: 2 });
    }
  }
  return characters;
}

/** Paragraph properties that matter here, keyed by the byte offset just past each paragraph's mark. */
function paragraphProperties(wordDocument: Buffer, plcBtePapx: Buffer, data: Buffer | null, kind: WordBinaryKind): Map<number, ParagraphProperties> {
  const byEnd = new Map<number, ParagraphProperties>();
  const pageCount = (plcBtePapx.length - 4) / 8;
  if (!Number.isInteger(pageCount)) throw corrupt(kind, 'a malformed paragraph property table');
  for (let page = 0; page < pageCount; page++) {
    const pageNumber = plcBtePapx.readUInt32LE((pageCount + 1) * 4 + page * 4) & 0x3fffff;
    const fkp = slice(wordDocument, pageNumber * FKP_SIZE, FKP_SIZE, 'a paragraph property page', kind);
    const runCount = fkp[FKP_SIZE - 1];
    for (let run = 0; run < runCount; run++) {
      const end = fkp.readUInt32LE((run + 1) * 4);
      const wordOffset = fkp[(runCount + 1) * 4 + run * 13];
      const properties: ParagraphProperties = { inTable: false, rowEnd: false };
      if (wordOffset !== 0) {
        // A PapxInFkp: its size (in words, two forms), the style index, then the paragraph's sprms.
        const offset = wordOffset * 2;
        const [start, length] = fkp[offset] === 0 ? [offset + 2, 2 * fkp[offset + 1]] : [offset + 1, 2 * fkp[offset] - 1];
        readSprms(fkp, start + 2, Math.min(start + length, fkp.length), properties, data);
      }
      byEnd.set(end, properties);
    }
  }
  return byEnd;
}

function readSprms(bytes: Buffer, start: number, end: number, properties: ParagraphProperties, data: Buffer | null): void {
  for (let position = start; position + 2 < end; ) {
    const sprm = bytes.readUInt16LE(position);
    const operand = position + 2;
    if (sprm === SPRM_P_F_IN_TABLE) properties.inTable = bytes[operand] !== 0;
    if (sprm === SPRM_P_F_TTP) properties.rowEnd = bytes[operand] !== 0;
    // Properties too large for the page (a wide table row's cell definitions) live in the Data stream.
    if (sprm === SPRM_P_HUGE_PAPX && data && operand + 4 <= end) {
      const hugeOffset = bytes.readUInt32LE(operand);
      if (hugeOffset + 2 <= data.length) readSprms(data, hugeOffset + 2, Math.min(hugeOffset + 2 + data.readUInt16LE(hugeOffset), data.length), properties, null);
    }
    position = operand + sprmOperandLength(bytes, sprm, operand);
  }
}

/** The operand size a sprm's spra bits give ([MS-DOC] 2.2.5.1); spra 6 stores the size in front. */
function sprmOperandLength(bytes: Buffer, sprm: number, operand: number): number {
  switch (sprm >> 13) {
    case 0:
    case 1:
      return 1;
    case 2:
    case 4:
    case 5:
      return 2;
    case 3:
      return 4;
    case 7:
      return 3;
    default:
      // sprmPChgTabs and sprmTDefTable carry their own larger size fields.
      if (sprm === 0xc615 && bytes[operand] === 255) return 1 + 255;
      if (sprm === 0xd608 && operand + 1 < bytes.length) return 2 + bytes.readUInt16LE(operand) - 1;
      return 1 + bytes[operand];
  }
}

/**
 * The characters as page text: paragraphs as lines, table rows as tab-separated cells (paragraph
 * breaks inside a cell become spaces), fields as their displayed result, anchors of pictures,
 * footnotes and comments dropped.
 */
function layoutText(characters: DocumentCharacter[], properties: Map<number, ParagraphProperties>): string {
  const lines: string[] = [];
  const cells: string[] = [];
  let current = '';
  // One entry per open field: whether its displayed result (after the separator) has started.
  const fields: boolean[] = [];
  // A row whose end mark was not recognised still comes out, before the text that follows it.
  const flushRow = (): void => {
    if (cells.length > 0) lines.push(cells.join('\t'));
    cells.length = 0;
  };
  for (const character of characters) {
    const { code } = character;
    if (code === FIELD_BEGIN) fields.push(false);
    else if (code === FIELD_SEPARATOR && fields.length > 0) fields[fields.length - 1] = true;
    else if (code === FIELD_END && fields.length > 0) fields.pop();
    else if (fields.length > 0 && !fields[fields.length - 1]) continue;
    else if (code === CELL_MARK || code === PARAGRAPH_MARK) {
      const paragraph = properties.get(character.fc + character.width);
      if (paragraph?.rowEnd) {
        flushRow();
      } else if (code === CELL_MARK) {
        cells.push(current.replaceAll(PENDING_BREAK, ' ').trim());
      } else if (paragraph?.inTable) {
        current += ' ';
        continue;
      } else {
        flushRow();
        lines.push(current.replaceAll(PENDING_BREAK, '\n'));
      }
      current = '';
    } else if (code === 0x0b || code === 0x0c) current += PENDING_BREAK;
    else if (code === 0x1e) current += '-';
    else if (code === 0x09 || code >= 0x20) current += String.fromCharCode(code);
  }
  flushRow();
  if (current !== '') lines.push(current.replaceAll(PENDING_BREAK, '\n'));
  return lines.join('\n').replace(/[ \u3000]+$/gm, '');
}

/** The WordDocument stream's text, or a PermanentError that says why it cannot be read. */
export function readWordBinaryText(bytes: Buffer, kind: WordBinaryKind): string {
  let container: CFB.CFB$Container;
  try {
    container = CFB.read(bytes, { type: 'buffer' });
  } catch (error) {
    throw corrupt(kind, error instanceof Error ? error.message : String(error));
  }
  const wordDocument = streamOf(container, 'WordDocument');
  if (!wordDocument) {
    const detail =
      kind === 'wps'
        ? '这是早期 WPS 格式的 .wps 文件，没有可读取的文字流；请用 WPS 另存为 DOCX 或 PDF。This .wps has no Word-compatible text stream (an early WPS format).'
        : '文件中没有 WordDocument 文字流。It has no WordDocument stream.';
    throw new PermanentError('UNSUPPORTED_MEDIA', detail);
  }
  if (wordDocument.length < FIB_FC_LCB + (FC_LCB_CLX + 1) * 8 || wordDocument.readUInt16LE(0) !== WORD_IDENT) throw corrupt(kind, 'no Word file information block');
  if (wordDocument.readUInt16LE(2) < NFIB_WORD97) {
    throw new PermanentError('UNSUPPORTED_MEDIA', `这是 Word 6.0/95 格式的文档，请另存为 DOCX 或 PDF。${KIND_NAMES[kind]} in the Word 6/95 format is not supported; save it as DOCX or PDF.`);
  }
  const flags = wordDocument.readUInt16LE(10);
  if (flags & FLAG_ENCRYPTED) throw new PermanentError('ENCRYPTED_FILE', `${KIND_NAMES[kind]}设有密码，无法读取。The document is password-protected.`);
  const tableStream = streamOf(container, flags & FLAG_TABLE_STREAM_1 ? '1Table' : '0Table');
  if (!tableStream) throw corrupt(kind, 'the table stream is missing');
  const fcLcb = (index: number): [number, number] => [wordDocument.readUInt32LE(FIB_FC_LCB + index * 8), wordDocument.readUInt32LE(FIB_FC_LCB + index * 8 + 4)];

  const ccpText = wordDocument.readInt32LE(FIB_CCP_TEXT);
  if (ccpText < 0) throw corrupt(kind, 'a negative text length');
  const [fcClx, lcbClx] = fcLcb(FC_LCB_CLX);
  const characters = mainDocumentCharacters(wordDocument, slice(tableStream, fcClx, lcbClx, 'the piece table', kind), ccpText, kind);
  const [fcPapx, lcbPapx] = fcLcb(FC_LCB_PLCF_BTE_PAPX);
  const properties = lcbPapx === 0 ? new Map<number, ParagraphProperties>() : paragraphProperties(wordDocument, slice(tableStream, fcPapx, lcbPapx, 'the paragraph properties', kind), streamOf(container, 'Data'), kind);
  return layoutText(characters, properties);
}
