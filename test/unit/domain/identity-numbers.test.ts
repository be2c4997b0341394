import { describe, expect, it } from 'vitest';
import { containsIdentityNumber, isIdentityNumber } from '../../../functions/domain/identity-numbers.ts';

/** 13097248022: a fødselsnummer widely used as a published example, with both check digits valid. */
const EXAMPLE = '13097248022';

describe('national identity numbers (003 §10 b: who is affected as a count or a category)', () => {
  it('recognises a number whose two mod-11 check digits hold, written whole or as DDMMYY NNNNN', () => {
    expect(isIdentityNumber(EXAMPLE)).toBe(true);
    expect(isIdentityNumber('130972 48022')).toBe(true);
  });

  it('does not take a number with a wrong check digit, or of another length, for one', () => {
    expect(isIdentityNumber('13097248023')).toBe(false);
    expect(isIdentityNumber('13097248012')).toBe(false);
    expect(isIdentityNumber('1309724802')).toBe(false);
  });

  it('finds one standing anywhere in a text, and none inside a longer run of digits or a word', () => {
    expect(containsIdentityNumber(`Gjelder ${EXAMPLE}, og flere`)).toBe(true);
    expect(containsIdentityNumber('Gjelder 130972 48022.')).toBe(true);
    expect(containsIdentityNumber(`Saksnr ${EXAMPLE}9`)).toBe(false);
    expect(containsIdentityNumber(`ref-A${EXAMPLE}`)).toBe(false);
    expect(containsIdentityNumber('12 deltakere, kontonummer 12345678903')).toBe(false);
  });
});
