import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  terminatesOnFor,
  terminationDue,
  terminationInstant,
  terminationTimestamp,
} from '../../../functions/domain/termination.ts';

/**
 * Rule 5's date arithmetic, checked against a formulation that shares nothing with the implementation:
 * no Date objects, its own leap-year rule and month lengths, and the result found by walking the
 * calendar forward one day at a time.
 */

const isLeap = (year: number) => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
const MONTH_LENGTHS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const lengthOf = (year: number, month: number) =>
  month === 2 && isLeap(year) ? 29 : (MONTH_LENGTHS[month - 1] as number);

interface Day {
  year: number;
  month: number;
  day: number;
}

const format = ({ year, month, day }: Day) =>
  `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;

function parse(date: string): Day {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  return { year, month, day };
}

function nextDay({ year, month, day }: Day): Day {
  if (day < lengthOf(year, month)) return { year, month, day: day + 1 };
  return month === 12 ? { year: year + 1, month: 1, day: 1 } : { year, month: month + 1, day: 1 };
}

/**
 * "N calendar months after": walk forward until N month boundaries have been crossed, then on to the
 * same day of the month, stopping early at the month's last day when the month has no such day.
 */
function byWalkingTheCalendar(givenOn: string, months: number): string {
  const start = parse(givenOn);
  let current = start;
  let crossed = 0;
  for (;;) {
    const next = nextDay(current);
    if (next.month !== current.month) crossed += 1;
    current = next;
    if (crossed === months) {
      const lastOfMonth = current.day === lengthOf(current.year, current.month);
      if (current.day === start.day || (lastOfMonth && current.day < start.day)) return format(current);
    }
  }
}

function everyDate(from: string, to: string): string[] {
  const dates: string[] = [];
  for (let day = parse(from); format(day) <= to; day = nextDay(day)) dates.push(format(day));
  return dates;
}

describe('terminatesOn (rule 5, domstolloven § 148)', () => {
  it('gives the examples of product.md: 2026-11-30 + 3 = 2027-02-28 and 2027-11-30 + 3 = 2028-02-29', () => {
    expect(terminatesOnFor('2026-11-30', 3)).toBe('2027-02-28');
    expect(terminatesOnFor('2027-11-30', 3)).toBe('2028-02-29');
  });

  it.each([
    ['2027-01-31', 1, '2027-02-28'],
    ['2028-01-31', 1, '2028-02-29'],
    ['2028-02-29', 12, '2029-02-28'],
    ['2028-02-29', 1, '2028-03-29'],
    ['2027-03-31', 3, '2027-06-30'],
    ['2027-08-31', 6, '2028-02-29'],
    ['2027-10-15', 3, '2028-01-15'],
    ['2099-11-30', 3, '2100-02-28'], // 2100 is not a leap year
    ['2399-11-30', 3, '2400-02-29'], // 2400 is
  ])('%s + %i months = %s', (givenOn, months, expected) => {
    expect(terminatesOnFor(givenOn, months)).toBe(expected);
  });

  it('agrees with walking the calendar for every date of 2024-2031 and every period of 1 to 12 months', () => {
    const mismatches: string[] = [];
    for (const givenOn of everyDate('2024-01-01', '2031-12-31')) {
      for (let months = 1; months <= 12; months++) {
        const expected = byWalkingTheCalendar(givenOn, months);
        const actual = terminatesOnFor(givenOn, months);
        if (actual !== expected) mismatches.push(`${givenOn} + ${months}: ${actual}, expected ${expected}`);
      }
    }
    expect(mismatches).toEqual([]);
  });

  const dateArbitrary = fc
    .record({
      year: fc.integer({ min: 1900, max: 2399 }),
      month: fc.integer({ min: 1, max: 12 }),
      day: fc.integer({ min: 1, max: 31 }),
    })
    .map(({ year, month, day }) => format({ year, month, day: Math.min(day, lengthOf(year, month)) }));
  const monthsArbitrary = fc.integer({ min: 1, max: 12 });

  it('agrees with walking the calendar for any date of five centuries', () => {
    fc.assert(
      fc.property(dateArbitrary, monthsArbitrary, (givenOn, months) => {
        expect(terminatesOnFor(givenOn, months)).toBe(byWalkingTheCalendar(givenOn, months));
      }),
      { numRuns: 2000 },
    );
  });

  it('lands N months later, on the same day or, when that month is shorter, on its last day', () => {
    fc.assert(
      fc.property(dateArbitrary, monthsArbitrary, (givenOn, months) => {
        const from = parse(givenOn);
        const to = parse(terminatesOnFor(givenOn, months));
        expect(to.year * 12 + to.month - (from.year * 12 + from.month)).toBe(months);
        expect(to.day).toBe(Math.min(from.day, lengthOf(to.year, to.month)));
      }),
    );
  });

  it('never moves backwards: a later notice never ends earlier', () => {
    fc.assert(
      fc.property(dateArbitrary, dateArbitrary, monthsArbitrary, (a, b, months) => {
        const [earlier, later] = a <= b ? [a, b] : [b, a];
        expect(terminatesOnFor(earlier, months) <= terminatesOnFor(later, months)).toBe(true);
      }),
    );
  });
});

describe('the moment of termination (end of terminatesOn, Europe/Oslo)', () => {
  it.each([
    ['2027-02-28', '2027-02-28T23:00:00Z'], // winter: midnight in Oslo is 23:00 UTC
    ['2027-06-30', '2027-06-30T22:00:00Z'], // summer: 22:00 UTC
    ['2027-03-27', '2027-03-27T23:00:00Z'], // the night before summer time starts (03-28 02:00)
    ['2027-03-28', '2027-03-28T22:00:00Z'], // the day summer time starts
    ['2027-10-30', '2027-10-30T22:00:00Z'], // the night before winter time returns (10-31 03:00)
    ['2027-10-31', '2027-10-31T23:00:00Z'], // the day it returns
  ])('%s ends at %s', (terminatesOn, timestamp) => {
    expect(terminationTimestamp(terminatesOn)).toBe(timestamp);
    expect(terminationInstant(terminatesOn).toISOString()).toBe(timestamp.replace('Z', '.000Z'));
  });

  it('is not due at 23:59:59.999 Oslo time on terminatesOn, and due at midnight', () => {
    const midnight = Date.parse('2027-02-28T23:00:00Z');
    expect(terminationDue('2027-02-28', new Date(midnight - 1))).toBe(false);
    expect(terminationDue('2027-02-28', new Date(midnight))).toBe(true);
    expect(terminationDue('2027-02-28', new Date(midnight + 60_000))).toBe(true);
  });
});
