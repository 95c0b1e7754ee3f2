/**
 * Exact decimals as text ("99999999999999999999", "12.50"). Counts beyond 2^53 and amounts with
 * more digits than a double holds are kept and compared as printed: arithmetic here scales them to
 * BigInt, so a sum over huge counts is exact where float addition would round.
 */

/** A plain decimal as the cell prints it: digits, optional sign, thousands separators and fraction. */
const PLAIN_DECIMAL = /^([+-]?)(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?$/;

/**
 * The canonical text of a plain decimal ("+1,234.50" → "1234.50"), or null when `text` is not one.
 * The fraction keeps its printed digits, so "12.50" stays an amount with two decimals.
 */
export function canonicalDecimal(text: string): string | null {
  const match = PLAIN_DECIMAL.exec(text.trim());
  if (!match) return null;
  const [, sign, integerPart, fraction] = match;
  const integer = integerPart.replace(/,/g, '').replace(/^0+(?=\d)/, '');
  const isZero = /^0+$/.test(integer) && (fraction === undefined || /^0+$/.test(fraction));
  return `${sign === '-' && !isZero ? '-' : ''}${integer}${fraction === undefined ? '' : `.${fraction}`}`;
}

/** The digits before the decimal point, without sign or leading zeros ("-0012.5" → 2). */
export function integerDigits(decimal: string): number {
  const integer = decimal.replace(/^-/, '').split('.')[0].replace(/^0+/, '');
  return integer.length;
}

/** The decimal text of a double, without exponent (1e21 → "1000000000000000000000"). */
export function decimalOf(value: number): string {
  if (!Number.isFinite(value)) throw new RangeError(`not a finite number: ${value}`);
  const shortest = String(value);
  if (!/e/i.test(shortest)) return shortest;
  if (Number.isInteger(value)) return BigInt(value).toString();
  // Tiny magnitudes ("1.5e-7"): the same shortest digits, the point moved left.
  const [mantissa, exponent] = shortest.split('e');
  const negative = mantissa.startsWith('-');
  const [whole, fraction = ''] = mantissa.replace(/^-/, '').split('.');
  return `${negative ? '-' : ''}0.${'0'.repeat(-Number(exponent) - whole.length)}${whole}${fraction}`;
}

/** The double nearest the decimal, or null when it has none (a 400-digit count is beyond any double). */
export function nearestNumber(decimal: string): number | null {
  const value = Number(decimal);
  return Number.isFinite(value) ? value : null;
}

/** Whether the double is exactly the decimal, so arithmetic on the double is exact. */
export function isExactNumber(decimal: string, value: number | null): boolean {
  return value !== null && compareDecimals(decimalOf(value), decimal) === 0;
}

interface Scaled {
  units: bigint;
  scale: number;
}

function scaled(decimal: string): Scaled {
  const canonical = canonicalDecimal(decimal);
  if (canonical === null) throw new RangeError(`not a plain decimal: ${decimal}`);
  const [integer, fraction = ''] = canonical.replace(/^-/, '').split('.');
  const units = BigInt(integer + fraction);
  return { units: canonical.startsWith('-') ? -units : units, scale: fraction.length };
}

function atScale(value: Scaled, scale: number): bigint {
  return value.units * 10n ** BigInt(scale - value.scale);
}

function fromScaled(units: bigint, scale: number): string {
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString().padStart(scale + 1, '0');
  const integer = digits.slice(0, digits.length - scale);
  const fraction = digits.slice(digits.length - scale).replace(/0+$/, '');
  return `${negative ? '-' : ''}${integer}${fraction === '' ? '' : `.${fraction}`}`;
}

/** Σ sign × value, exactly; trailing zeros of the fraction are dropped ("1.50" + "1" → "2.5"). */
export function signedSum(terms: readonly { value: string; sign: 1 | -1 }[]): string {
  const values = terms.map((term) => ({ ...scaled(term.value), sign: term.sign }));
  const scale = Math.max(0, ...values.map((value) => value.scale));
  const units = values.reduce((total, value) => total + BigInt(value.sign) * atScale(value, scale), 0n);
  return fromScaled(units, scale);
}

export function sumDecimals(values: readonly string[]): string {
  return signedSum(values.map((value) => ({ value, sign: 1 })));
}

/** -1, 0 or 1 as a is below, equal to or above b. */
export function compareDecimals(a: string, b: string): -1 | 0 | 1 {
  const difference = scaled(signedSum([{ value: a, sign: 1 }, { value: b, sign: -1 }])).units;
  return difference === 0n ? 0 : difference < 0n ? -1 : 1;
}

export function isWholeDecimal(decimal: string): boolean {
  const fraction = decimal.split('.')[1];
  return fraction === undefined || /^0*$/.test(fraction);
}

export function isNegativeDecimal(decimal: string): boolean {
  return compareDecimals(decimal, '0') < 0;
}
