import { describe, expect, it } from 'vitest';
import { isValidOrgNumber } from '../../../functions/domain/org-number.ts';

describe('isValidOrgNumber', () => {
  it.each([
    '954748634',
    '974652358',
    '953264382',
    '889640782',
  ])('accepts the public organisation number %s', (value) => {
    expect(isValidOrgNumber(value)).toBe(true);
  });

  it.each([
    ['954748635', '954748634'],
    ['974652359', '974652358'],
    ['953264380', '953264382'],
    ['889640781', '889640782'],
  ])('rejects %s, whose check digit differs from the valid %s', (wrong) => {
    expect(isValidOrgNumber(wrong)).toBe(false);
  });

  it('rejects every number whose weighted sum leaves remainder 1 (check digit would be 10)', () => {
    // 9,5,4,7,4,8,6,0 weighted 3,2,7,6,5,4,3,2 sums to 177, and 177 mod 11 = 1.
    const candidates = Array.from({ length: 10 }, (_, digit) => `95474860${digit}`);
    expect(candidates.filter(isValidOrgNumber)).toEqual([]);
  });

  it('accepts check digit 0 when the remainder is 0', () => {
    // 1,0,0,0,0,0,0,4 weighted: 3 + 2*4 = 11, remainder 0, so the check digit is 0 (not 11).
    expect(isValidOrgNumber('100000040')).toBe(true);
    expect(isValidOrgNumber('100000041')).toBe(false);
  });

  it.each([
    '95474863a',
    '954 748 634',
    '954-748-634',
    ' 954748634',
    '+95474863',
    '',
  ])('rejects %j, which is not nine digits', (value) => {
    expect(isValidOrgNumber(value)).toBe(false);
  });

  it.each(['95474863', '9547486340', '0954748634'])('rejects %s with the wrong number of digits', (value) => {
    expect(isValidOrgNumber(value)).toBe(false);
  });
});
