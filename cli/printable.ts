/**
 * File names come from folders anyone may have filled: a name carrying an escape sequence or a bidi
 * override would recolour, move the cursor in, or visually reorder the terminal output. Every CLI
 * line that prints a name or a message that may hold one passes it through here.
 */
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** `text` with C0/C1 controls, DEL and bidi overrides written as `\x1b` or `\u202e`. */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (char) => {
    const code = char.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16)}`;
  });
}
