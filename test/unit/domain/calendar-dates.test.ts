import { describe, expect, it } from 'vitest';
import {
  compareDates,
  daysInMonth,
  isCalendarDate,
  osloDate,
  osloInstant,
} from '../../../functions/domain/calendar.ts';

describe('a calendar date YYYY-MM-DD (the contract: dates are calendar dates)', () => {
  it.each([
    '2026-01-01',
    '2026-01-10',
    '2026-12-01',
    '2026-12-31',
  ])('accepts %s, in the first or the last month of the year', (date) => {
    expect(isCalendarDate(date)).toBe(true);
  });

  it.each([
    ['2026-00-10', 'month 00'],
    ['2026-13-10', 'month 13'],
    ['2026-01-00', 'day 00'],
    ['2026-01-32', '32 January'],
    ['2026-04-31', '31 April'],
    ['2026-06-31', '31 June'],
  ])('refuses %s (%s does not exist)', (date) => {
    expect(isCalendarDate(date)).toBe(false);
  });

  it('accepts the last day of every month of 2026 and refuses the day after it', () => {
    for (let month = 1; month <= 12; month += 1) {
      const mm = String(month).padStart(2, '0');
      const last = daysInMonth(2026, month);
      expect(isCalendarDate(`2026-${mm}-${last}`)).toBe(true);
      expect(isCalendarDate(`2026-${mm}-${last + 1}`)).toBe(false);
    }
  });

  it.each([
    ' 2026-01-10',
    '2026-01-10 ',
    'x2026-01-10',
    '2026-01-10x',
    '20260-01-10',
    '2026-01-100',
  ])('refuses %j: nothing before or after the date', (value) => {
    expect(isCalendarDate(value)).toBe(false);
  });
});

describe('comparing calendar dates', () => {
  it('orders an earlier date before a later one, across months and years', () => {
    expect(compareDates('2026-12-31', '2027-01-01')).toBe(-1);
    expect(compareDates('2027-01-01', '2026-12-31')).toBe(1);
  });

  it('finds a date equal to itself', () => {
    expect(compareDates('2026-11-30', '2026-11-30')).toBe(0);
  });
});

describe('wall-clock times in Oslo', () => {
  it('maps a time skipped by the spring clock change (02:30 on 2026-03-29) to the standard offset', () => {
    // 02:00 CET jumps to 03:00 CEST: 02:30 never happens; read as UTC+1 it is 01:30 UTC, shown as 03:30.
    const instant = osloInstant('2026-03-29', 2, 30);

    expect(instant.toISOString()).toBe('2026-03-29T01:30:00.000Z');
    expect(osloDate(instant)).toBe('2026-03-29');
  });

  it('maps the first hour after the spring change (03:00 CEST) to 01:00 UTC', () => {
    expect(osloInstant('2026-03-29', 3).toISOString()).toBe('2026-03-29T01:00:00.000Z');
  });

  it('takes the hour that happens twice in autumn (02:30 on 2026-10-25) in standard time, the later one', () => {
    expect(osloInstant('2026-10-25', 2, 30).toISOString()).toBe('2026-10-25T01:30:00.000Z');
  });

  it('counts the minutes of a wall-clock time', () => {
    expect(osloInstant('2026-01-15', 7, 45).toISOString()).toBe('2026-01-15T06:45:00.000Z');
    expect(osloInstant('2026-07-15', 7, 45).toISOString()).toBe('2026-07-15T05:45:00.000Z');
  });

  it('takes hour 24 as the end of the day, the midnight that starts the next one', () => {
    expect(osloInstant('2026-01-15', 24).toISOString()).toBe('2026-01-15T23:00:00.000Z');
    expect(osloInstant('2026-07-15', 24).toISOString()).toBe('2026-07-15T22:00:00.000Z');
  });

  it('starts a day at midnight when no time is given', () => {
    expect(osloInstant('2026-01-15').toISOString()).toBe('2026-01-14T23:00:00.000Z');
  });
});
