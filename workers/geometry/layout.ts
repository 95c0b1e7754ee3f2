/**
 * Positioned text to page text that parse reads like any other layout: text lines in reading order,
 * and every table row as one line of tab-separated cells (a cell spanning rows is printed in its first
 * row, with empty cells in the rows below, as HTML tables are).
 */
import type { PositionedPage, PositionedText } from './positioned';

export function layoutPageText(page: PositionedPage): string {
  return textLines(page.items).join('\n');
}

/** Items grouped into lines by vertical overlap, each line left to right. */
function textLines(items: PositionedText[]): string[] {
  const sorted = [...items].filter((item) => item.text.trim() !== '').sort((a, b) => a.box[1] - b.box[1] || a.box[0] - b.box[0]);
  const lines: PositionedText[][] = [];
  for (const item of sorted) {
    const last = lines[lines.length - 1];
    const middle = (item.box[1] + item.box[3]) / 2;
    if (last && middle <= Math.max(...last.map((other) => other.box[3]))) last.push(item);
    else lines.push([item]);
  }
  return lines.map((line) => line.sort((a, b) => a.box[0] - b.box[0]).map((item) => item.text).join(''));
}
