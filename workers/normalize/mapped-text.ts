/**
 * Text that remembers, for every UTF-16 unit, the source offset it came from. Each normalization
 * step rewrites code points and carries the origins along, so provenance survives any number of
 * steps; the origins are compressed into NormalizedPage.offsetMap anchors only at the end.
 */
export interface MappedText {
  text: string;
  /** origins[i] = source offset of text[i]. */
  origins: number[];
}

export function identityMapped(text: string): MappedText {
  return { text, origins: Array.from({ length: text.length }, (_, i) => i) };
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
  let text = '';
  const origins: number[] = [];
  for (let i = 0; i < input.text.length; ) {
    const codePoint = String.fromCodePoint(input.text.codePointAt(i) ?? 0);
    const replacement = replace(codePoint, i, input.text);
    if (replacement === codePoint) {
      for (let k = 0; k < codePoint.length; k++) origins.push(input.origins[i + k]);
    } else {
      for (let k = 0; k < replacement.length; k++) origins.push(input.origins[i]);
    }
    text += replacement;
    i += codePoint.length;
  }
  return { text, origins };
}

/** Replaces the text with a same-length rewrite (e.g. a script conversion), keeping each unit's origin. */
export function replaceAligned(input: MappedText, rewritten: string): MappedText {
  if (rewritten.length !== input.text.length) throw new Error('replaceAligned needs a same-length text');
  return { text: rewritten, origins: input.origins };
}

/** Compresses per-unit origins into ascending [normalizedOffset, sourceOffset] anchors. */
export function toOffsetMap(mapped: MappedText): Array<[number, number]> {
  const anchors: Array<[number, number]> = [];
  mapped.origins.forEach((origin, i) => {
    const previous = anchors[anchors.length - 1];
    if (!previous || origin !== previous[1] + (i - previous[0])) anchors.push([i, origin]);
  });
  if (anchors.length === 0) anchors.push([0, 0]);
  return anchors;
}
