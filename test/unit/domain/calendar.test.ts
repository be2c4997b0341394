import { describe, expect, it } from 'vitest';
import {
  addDays,
  addMonths,
  daysInMonth,
  endOfOsloDay,
  isCalendarDate,
  laterDate,
  osloDate,
  osloInstant,
} from '../../../functions/domain/calendar.ts';

describe('osloDate', () => {
  it('in winter (UTC+1) moves to the next date at 23:00 UTC', () => {
    expect(osloDate(new Date('2026-01-15T22:59:59Z'))).toBe('2026-01-15');
    expect(osloDate(new Date('2026-01-15T23:00:00Z'))).toBe('2026-01-16');
  });

  it('in summer (UTC+2) moves to the next date at 22:00 UTC', () => {
    expect(osloDate(new Date('2026-07-15T21:59:59Z'))).toBe('2026-07-15');
    expect(osloDate(new Date('2026-07-15T22:00:00Z'))).toBe('2026-07-16');
  });

  it('puts New Year in Oslo an hour before it reaches UTC', () => {
    expect(osloDate(new Date('2026-12-31T23:30:00Z'))).toBe('2027-01-01');
  });
});

describe('endOfOsloDay', () => {
  it('ends a winter day at 23:00 UTC', () => {
    expect(endOfOsloDay('2026-01-15').toISOString()).toBe('2026-01-15T23:00:00.000Z');
  });

  it('ends a summer day at 22:00 UTC', () => {
    expect(endOfOsloDay('2026-07-15').toISOString()).toBe('2026-07-15T22:00:00.000Z');
  });

  it('ends 2026-03-29 (clocks go forward) at 22:00 UTC, after only 23 hours', () => {
    const end = endOfOsloDay('2026-03-29');
    expect(end.toISOString()).toBe('2026-03-29T22:00:00.000Z');
    expect(end.getTime() - endOfOsloDay('2026-03-28').getTime()).toBe(23 * 3_600_000);
  });

  it('ends 2026-10-25 (clocks go back) at 23:00 UTC, after 25 hours', () => {
    const end = endOfOsloDay('2026-10-25');
    expect(end.toISOString()).toBe('2026-10-25T23:00:00.000Z');
    expect(end.getTime() - endOfOsloDay('2026-10-24').getTime()).toBe(25 * 3_600_000);
  });

  it('is the first instant of the next Oslo date and the previous instant still belongs to the day', () => {
    for (const date of ['2026-03-28', '2026-03-29', '2026-03-30', '2026-10-24', '2026-10-25', '2026-10-26']) {
      const end = endOfOsloDay(date);
      expect(osloDate(end)).toBe(addDays(date, 1));
      expect(osloDate(new Date(end.getTime() - 1))).toBe(date);
    }
  });
});

describe('osloInstant', () => {
  it('maps 07:00 Oslo to 06:00 UTC in winter and 05:00 UTC in summer', () => {
    expect(osloInstant('2026-01-15', 7).toISOString()).toBe('2026-01-15T06:00:00.000Z');
    expect(osloInstant('2026-07-15', 7).toISOString()).toBe('2026-07-15T05:00:00.000Z');
  });
});

describe('addMonths (domstolloven § 148)', () => {
  it('2026-11-30 + 3 months is 2027-02-28 (no 30 February)', () => {
    expect(addMonths('2026-11-30', 3)).toBe('2027-02-28');
  });

  it('2027-11-30 + 3 months is 2028-02-29 (leap year)', () => {
    expect(addMonths('2027-11-30', 3)).toBe('2028-02-29');
  });

  it.each([
    [1, '2026-02-28'],
    [2, '2026-03-31'],
    [3, '2026-04-30'],
    [4, '2026-05-31'],
    [5, '2026-06-30'],
    [6, '2026-07-31'],
    [7, '2026-08-31'],
    [8, '2026-09-30'],
    [9, '2026-10-31'],
    [10, '2026-11-30'],
    [11, '2026-12-31'],
    [12, '2027-01-31'],
  ])('2026-01-31 + %i months is %s', (months, expected) => {
    expect(addMonths('2026-01-31', months)).toBe(expected);
  });

  it.each([
    [1, '2026-12-15'],
    [2, '2027-01-15'],
    [12, '2027-11-15'],
  ])('keeps the day of month when it exists: 2026-11-15 + %i months is %s', (months, expected) => {
    expect(addMonths('2026-11-15', months)).toBe(expected);
  });
});

describe('addDays', () => {
  it('crosses the end of a month', () => {
    expect(addDays('2026-11-22', 30)).toBe('2026-12-22');
    expect(addDays('2026-01-31', 1)).toBe('2026-02-01');
  });

  it('crosses the end of a year', () => {
    expect(addDays('2026-12-25', 10)).toBe('2027-01-04');
  });

  it('counts 29 February in a leap year', () => {
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2027-02-28', 1)).toBe('2027-03-01');
  });

  it('goes back with negative days', () => {
    expect(addDays('2027-01-01', -1)).toBe('2026-12-31');
  });
});

describe('calendar date helpers', () => {
  it('accepts only real YYYY-MM-DD dates', () => {
    expect(isCalendarDate('2028-02-29')).toBe(true);
    expect(isCalendarDate('2027-02-29')).toBe(false);
    expect(isCalendarDate('2026-13-01')).toBe(false);
    expect(isCalendarDate('2026-1-01')).toBe(false);
    expect(isCalendarDate('2026-01-01T00:00:00Z')).toBe(false);
  });

  it('knows the length of February', () => {
    expect(daysInMonth(2027, 2)).toBe(28);
    expect(daysInMonth(2028, 2)).toBe(29);
  });

  it('laterDate picks the later of two dates in either order', () => {
    expect(laterDate('2026-11-20', '2026-11-25')).toBe('2026-11-25');
    expect(laterDate('2026-11-25', '2026-11-20')).toBe('2026-11-25');
  });
});
