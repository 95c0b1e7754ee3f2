/**
 * A scanned PDF as a scanner writes it: one image per page, no text layer, each page the image's size
 * at its dpi. JPEG pages are embedded as they are (DCTDecode, no re-encoding); 1-bit pages as packed
 * bits under FlateDecode.
 */
import zlib from 'node:zlib';

export type PageImage =
  | { kind: 'jpeg'; jpeg: Buffer; width: number; height: number; channels: 1 | 3; dpi: number }
  /** Rows of packed bits, 1 = black (PBM's order), each row padded to a byte. */
  | { kind: 'bilevel'; bits: Buffer; width: number; height: number; dpi: number };

export function imagePdf(pages: PageImage[]): Buffer {
  const objects: Buffer[] = [];
  const add = (body: Buffer | string): number => {
    objects.push(typeof body === 'string' ? Buffer.from(body, 'latin1') : body);
    return objects.length;
  };
  const catalog = add('');
  const pagesRoot = add('');
  const kids: number[] = [];
  for (const page of pages) {
    let dictionary: string;
    let data: Buffer;
    if (page.kind === 'jpeg') {
      dictionary = `/ColorSpace /${page.channels === 3 ? 'DeviceRGB' : 'DeviceGray'} /BitsPerComponent 8 /Filter /DCTDecode`;
      data = page.jpeg;
    } else {
      // DeviceGray's 1 is white: invert PBM's bits.
      const inverted = Buffer.from(page.bits.map((byte) => ~byte & 0xff));
      dictionary = '/ColorSpace /DeviceGray /BitsPerComponent 1 /Filter /FlateDecode';
      data = zlib.deflateSync(inverted);
    }
    const image = add(Buffer.concat([Buffer.from(`<< /Type /XObject /Subtype /Image /Width ${page.width} /Height ${page.height} ${dictionary} /Length ${data.length} >>\nstream\n`, 'latin1'), data, Buffer.from('\nendstream', 'latin1')]));
    const width = ((page.width * 72) / page.dpi).toFixed(2);
    const height = ((page.height * 72) / page.dpi).toFixed(2);
    const drawing = `q ${width} 0 0 ${height} 0 0 cm /Im0 Do Q`;
    const content = add(`<< /Length ${drawing.length} >>\nstream\n${drawing}\nendstream`);
    kids.push(add(`<< /Type /Page /Parent ${pagesRoot} 0 R /MediaBox [0 0 ${width} ${height}] /Resources << /XObject << /Im0 ${image} 0 R >> >> /Contents ${content} 0 R >>`));
  }
  objects[catalog - 1] = Buffer.from(`<< /Type /Catalog /Pages ${pagesRoot} 0 R >>`, 'latin1');
  objects[pagesRoot - 1] = Buffer.from(`<< /Type /Pages /Kids [${kids.map((kid) => `${kid} 0 R`).join(' ')}] /Count ${kids.length} >>`, 'latin1');

  const parts: Buffer[] = [Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
  let offset = parts[0].length;
  const offsets: number[] = [];
  objects.forEach((body, index) => {
    offsets.push(offset);
    const object = Buffer.concat([Buffer.from(`${index + 1} 0 obj\n`, 'latin1'), body, Buffer.from('\nendobj\n', 'latin1')]);
    parts.push(object);
    offset += object.length;
  });
  const xref = [`xref\n0 ${objects.length + 1}\n`, '0000000000 65535 f \n', ...offsets.map((at) => `${String(at).padStart(10, '0')} 00000 n \n`)].join('');
  parts.push(Buffer.from(`${xref}trailer\n<< /Size ${objects.length + 1} /Root ${catalog} 0 R >>\nstartxref\n${offset}\n%%EOF\n`, 'latin1'));
  return Buffer.concat(parts);
}
