/**
 * Ink put on the paper after printing: the red official seal (公章: a ring, a five-pointed star, the
 * agency's name around the upper arc) and a handwritten-like signature scrawl. Each is drawn as SVG
 * (librsvg through sharp, the ring text in a Debian CJK font) and multiplied onto the page, as ink
 * darkens what lies under it.
 */
import sharp from 'sharp';
import { seededRandom, type GreyImage } from '../scan-fixtures/raster';
import type { Seal, Stroke } from './plan';

const SEAL_RED = '#d7262e';
const INK = { blue: '#1f3f9a', black: '#1a1a1a' } as const;

function sealSvg(seal: Seal, pixelsPerMm: number): { svg: string; size: number } {
  const size = Math.ceil(seal.diameterMm * pixelsPerMm);
  const r = size / 2;
  const ring = Math.max(2, 1.3 * pixelsPerMm);
  const star = Array.from({ length: 10 }, (_, i) => {
    const radius = i % 2 === 0 ? r * 0.28 : r * 0.11;
    const angle = -Math.PI / 2 + (i * Math.PI) / 5;
    return `${(r + radius * Math.cos(angle)).toFixed(1)},${(r + radius * Math.sin(angle)).toFixed(1)}`;
  }).join(' ');
  // The name on the upper arc, spread over about 250°, each character upright to the centre.
  const chars = [...seal.text];
  const sweep = Math.min(250, 22 * chars.length);
  const fontSize = Math.min(r * 0.3, ((2 * Math.PI * r * 0.72 * sweep) / 360 / chars.length) * 0.95);
  const text = chars
    .map((char, i) => {
      const angle = -sweep / 2 + (sweep * (i + 0.5)) / chars.length;
      return `<text x="${r}" y="${(r - r * 0.62).toFixed(1)}" transform="rotate(${angle.toFixed(2)} ${r} ${r})" font-size="${fontSize.toFixed(1)}" text-anchor="middle" font-family="AR PL UMing CN, WenQuanYi Micro Hei" font-weight="bold">${char}</text>`;
    })
    .join('');
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}">` +
    `<g transform="rotate(${seal.rotationDegrees} ${r} ${r})" fill="${SEAL_RED}" stroke="none" opacity="${seal.opacity}">` +
    `<circle cx="${r}" cy="${r}" r="${r - ring / 2 - 1}" fill="none" stroke="${SEAL_RED}" stroke-width="${ring.toFixed(1)}"/>` +
    `<polygon points="${star}"/>${text}<text x="${r}" y="${(r + r * 0.55).toFixed(1)}" font-size="${(fontSize * 0.8).toFixed(1)}" text-anchor="middle" font-family="AR PL UMing CN, WenQuanYi Micro Hei">公开专用章</text></g></svg>`;
  return { svg, size };
}

/** A signature: a few joined loops and a tail, with pressure-like width changes, about 45 × 15 mm. */
function strokeSvg(stroke: Stroke, pixelsPerMm: number): { svg: string; width: number; height: number } {
  const random = seededRandom(stroke.shapeSeed);
  const width = Math.ceil(48 * pixelsPerMm);
  const height = Math.ceil(18 * pixelsPerMm);
  const points: string[] = [];
  let x = 0.05 * width;
  const mid = height / 2;
  points.push(`M ${x.toFixed(1)} ${(mid + (random() - 0.5) * height * 0.5).toFixed(1)}`);
  const loops = 4 + Math.floor(random() * 4);
  for (let i = 0; i < loops; i++) {
    const step = (0.8 * width) / loops;
    const up = mid - height * (0.25 + random() * 0.2);
    const down = mid + height * (0.15 + random() * 0.2);
    points.push(`C ${(x + step * 0.2).toFixed(1)} ${up.toFixed(1)}, ${(x + step * 0.9).toFixed(1)} ${up.toFixed(1)}, ${(x + step * 0.5).toFixed(1)} ${down.toFixed(1)}`);
    x += step;
  }
  points.push(`Q ${(0.92 * width).toFixed(1)} ${(mid - height * 0.3).toFixed(1)}, ${(0.97 * width).toFixed(1)} ${(mid + height * 0.1).toFixed(1)}`);
  const line = Math.max(1.5, stroke.widthMm * pixelsPerMm);
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">` +
    `<path d="${points.join(' ')}" fill="none" stroke="${INK[stroke.colour]}" stroke-width="${line.toFixed(1)}" stroke-linecap="round" stroke-linejoin="round" opacity="0.9"/></svg>`;
  return { svg, width, height };
}

/** Multiplies an SVG mark onto a colour page with its centre at (x, y) pixels. */
async function multiply(page: GreyImage, svg: string, size: [number, number], centre: [number, number]): Promise<GreyImage> {
  const mark = await sharp(Buffer.from(svg)).png().toBuffer();
  const left = Math.round(centre[0] - size[0] / 2);
  const top = Math.round(centre[1] - size[1] / 2);
  // Clip the mark to the page (sharp refuses overlays that extend past it).
  const cropLeft = Math.max(0, -left);
  const cropTop = Math.max(0, -top);
  const cropWidth = Math.min(size[0] - cropLeft, page.width - Math.max(0, left));
  const cropHeight = Math.min(size[1] - cropTop, page.height - Math.max(0, top));
  if (cropWidth <= 0 || cropHeight <= 0) return page;
  const clipped = await sharp(mark).extract({ left: cropLeft, top: cropTop, width: cropWidth, height: cropHeight }).toBuffer();
  const data = await sharp(Buffer.from(page.data), { raw: { width: page.width, height: page.height, channels: 3 } })
    .composite([{ input: clipped, left: Math.max(0, left), top: Math.max(0, top), blend: 'multiply' }])
    .removeAlpha()
    .raw()
    .toBuffer();
  return { ...page, data: new Uint8Array(data) };
}

export async function stampSeal(page: GreyImage, seal: Seal, dpi: number, centre: [number, number]): Promise<GreyImage> {
  const pixelsPerMm = dpi / 25.4;
  const { svg, size } = sealSvg(seal, pixelsPerMm);
  return multiply(page, svg, [size, size], [centre[0] + seal.offsetMm[0] * pixelsPerMm, centre[1] + seal.offsetMm[1] * pixelsPerMm]);
}

export async function signStroke(page: GreyImage, stroke: Stroke, dpi: number, centre: [number, number]): Promise<GreyImage> {
  const { svg, width, height } = strokeSvg(stroke, dpi / 25.4);
  return multiply(page, svg, [width, height], centre);
}
