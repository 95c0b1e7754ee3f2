/**
 * Text that remembers, for every UTF-16 unit, the source offset it came from. Each normalization
 * step rewrites code points and carries the origins along, so provenance survives any number of
 * steps; the origins are compressed into NormalizedPage.offsetMap anchors only at the end.
 *
 * Origins are an Int32Array (4 bytes a unit): a number[] of one boxed entry per character took
 * gigabytes for texts of tens of millions of characters.
 */
export interface MappedText {
  text: string;
  /** origins[i] = source offset of text[i]. */
  origins: Origins;
}

/** What this module builds is an Int32Array; callers may pass a number[] of their own. */
export interface Origins {
  readonly length: number;
  readonly [index: number]: number;
  map(transform: (origin: number) => number): Origins;
}

export function identityMapped(text: string): MappedText {
  const origins = new Int32Array(text.length);
  for (let i = 0; i < origins.length; i++) origins[i] = i;
  return { text, origins };
}

/** An Int32Array that grows by doubling, for origins of a text whose length is not known yet. */
class OriginBuffer {
  private data: Int32Array;
  length = 0;

  constructor(capacity: number) {
    this.data = new Int32Array(Math.max(capacity, 16));
  }

  push(origin: number): void {
    if (this.length === this.data.length) {
      const grown = new Int32Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length++] = origin;
  }

  append(origins: Origins, from: number, to: number): void {
    if (!(origins instanceof Int32Array)) {
      for (let i = from; i < to; i++) this.push(origins[i]);
      return;
    }
    while (this.length + to - from > this.data.length) {
      const grown = new Int32Array(this.data.length * 2);
      grown.set(this.data.subarray(0, this.length));
      this.data = grown;
    }
    this.data.set(origins.subarray(from, to), this.length);
    this.length += to - from;
  }

  done(): Int32Array {
    return this.data.subarray(0, this.length);
  }
}

/**
 * Rewrites the text code point by code point. `replace` sees the code point, the text before it (already
 * rewritten) and the unrewritten text after it, and returns the replacement ('' deletes). Every unit of
 * a replacement points at the replaced code point's source; an unchanged code point keeps its origins.
 */
export function mapCodePoints(
  input: MappedText,
  replace: (codePoint: string, index: number, text: string) => string,
): MappedText {
  const pieces: string[] = [];
  const origins = new OriginBuffer(input.text.length);
  // Unchanged stretches are copied whole (text and origins) when the next change comes, not unit by unit.
  let unchangedFrom = 0;
  const copyUnchanged = (to: number): void => {
    if (to > unchangedFrom) {
      pieces.push(input.text.slice(unchangedFrom, to));
      origins.append(input.origins, unchangedFrom, to);
    }
  };
  for (let i = 0; i < input.text.length; ) {
    const codePoint = String.fromCodePoint(input.text.codePointAt(i) ?? 0);
    const replacement = replace(codePoint, i, input.text);
    if (replacement !== codePoint) {
      copyUnchanged(i);
      pieces.push(replacement);
      for (let k = 0; k < replacement.length; k++) origins.push(input.origins[i]);
      unchangedFrom = i + codePoint.length;
    }
    i += codePoint.length;
  }
  copyUnchanged(input.text.length);
  return { text: pieces.join(''), origins: origins.done() };
}

/** Replaces the text with a same-length rewrite (e.g. a script conversion), keeping each unit's origin. */
export function replaceAligned(input: MappedText, rewritten: string): MappedText {
  if (rewritten.length !== input.text.length) throw new Error('replaceAligned needs a same-length text');
  return { text: rewritten, origins: input.origins };
}

/** Compresses per-unit origins into ascending [normalizedOffset, sourceOffset] anchors. */
export function toOffsetMap(mapped: MappedText): Array<[number, number]> {
  const anchors: Array<[number, number]> = [];
  let anchorAt = 0;
  let anchorOrigin = 0;
  for (let i = 0; i < mapped.origins.length; i++) {
    const origin = mapped.origins[i];
    if (anchors.length === 0 || origin !== anchorOrigin + (i - anchorAt)) {
      anchors.push([i, origin]);
      anchorAt = i;
      anchorOrigin = origin;
    }
  }
  if (anchors.length === 0) anchors.push([0, 0]);
  return anchors;
}
