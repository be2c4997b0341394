/**
 * Norwegian national identity numbers (fødselsnummer, and D-numbers for people without one) must not
 * be stored where a breach case only needs who is affected as a count or a category (003 §10 b,
 * issue 13). An identity number is 11 digits, `DDMMYY` and five more (`DDMMYY NNNNN` when written
 * with a space), whose last two are mod-11 check digits over the first nine and ten.
 */

/** Eleven digits standing alone, optionally with one space after the sixth. */
export const ELEVEN_DIGITS = /(?<![0-9A-Za-z])\d{6} ?\d{5}(?![0-9A-Za-z])/g;

const FIRST_WEIGHTS = [3, 7, 6, 1, 8, 9, 4, 5, 2];
const SECOND_WEIGHTS = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2];

/** The mod-11 check digit over `digits` with `weights`; undefined when none exists (remainder 1). */
function checkDigit(digits: readonly number[], weights: readonly number[]): number | undefined {
  const sum = weights.reduce((total, weight, index) => total + weight * digits[index]!, 0);
  const digit = 11 - (sum % 11);
  if (digit === 11) return 0;
  return digit === 10 ? undefined : digit;
}

/** Both check digits hold: a fødselsnummer, D-number or synthetic test number, not a random number. */
export function isIdentityNumber(candidate: string): boolean {
  const digits = [...candidate.replace(' ', '')].map(Number);
  if (digits.length !== 11 || digits.some(Number.isNaN)) return false;
  return checkDigit(digits, FIRST_WEIGHTS) === digits[9] && checkDigit(digits, SECOND_WEIGHTS) === digits[10];
}

/** Whether the text holds an identity number anywhere (an 11-digit run with valid check digits). */
export const containsIdentityNumber = (text: string): boolean =>
  [...text.matchAll(ELEVEN_DIGITS)].some(([match]) => isIdentityNumber(match));
