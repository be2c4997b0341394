/**
 * Calendar dates in Europe/Oslo. A date is `YYYY-MM-DD`; an instant is a JS Date (UTC inside).
 * Legal deadlines run to the end of a calendar day in Oslo, whatever the offset (CET or CEST).
 */
import { lazily } from './lazily.ts';

export const TIME_ZONE = 'Europe/Oslo';

/** Made on first use: a formatter with a time zone loads ICU's zone data (see `lazily`). */
const osloParts = lazily(
  () =>
    new Intl.DateTimeFormat('en-CA', {
      timeZone: TIME_ZONE,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    }),
);

function partsInOslo(instant: Date): Record<string, number> {
  const parts: Record<string, number> = {};
  for (const part of osloParts().formatToParts(instant)) {
    // Stryker disable next-line ConditionalExpression: equivalent, the literal parts ("-", ", ", ":") are never read
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return parts;
}

export function isCalendarDate(value: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** The calendar date in Oslo at the given instant. */
export function osloDate(instant: Date): string {
  const p = partsInOslo(instant);
  return formatDate(p.year!, p.month!, p.day!);
}

/** The wall clock in Oslo at the given instant: its calendar date, hour and minute (CET or CEST alike). */
export function osloWallTime(instant: Date): { date: string; hour: number; minute: number } {
  const p = partsInOslo(instant);
  return { date: formatDate(p.year!, p.month!, p.day!), hour: p.hour!, minute: p.minute! };
}

function formatDate(year: number, month: number, day: number): string {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

function splitDate(date: string): [number, number, number] {
  const [y, m, d] = date.split('-').map(Number);
  return [y!, m!, d!];
}

export function addDays(date: string, days: number): string {
  const [y, m, d] = splitDate(date);
  const shifted = new Date(Date.UTC(y, m - 1, d + days));
  return formatDate(shifted.getUTCFullYear(), shifted.getUTCMonth() + 1, shifted.getUTCDate());
}

/** Date + N calendar months; a day missing in the target month becomes its last day (domstolloven § 148). */
export function addMonths(date: string, months: number): string {
  const [y, m, d] = splitDate(date);
  const monthIndex = y * 12 + (m - 1) + months;
  const year = Math.floor(monthIndex / 12);
  const month = (monthIndex % 12) + 1;
  return formatDate(year, month, Math.min(d, daysInMonth(year, month)));
}

/** The instant a wall-clock time on a date in Oslo occurs (hour 0..24; 24 means the end of the day). */
export function osloInstant(date: string, hour = 0, minute = 0): Date {
  const [y, m, d] = splitDate(date);
  const wall = Date.UTC(y, m - 1, d, hour, minute);
  // Oslo is UTC+1 or UTC+2: try both offsets and keep the one that maps back to the wall time.
  for (const offsetHours of [1, 2]) {
    const candidate = new Date(wall - offsetHours * 3_600_000);
    const p = partsInOslo(candidate);
    const back = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!);
    if (back === wall) return candidate;
  }
  return new Date(wall - 3_600_000); // a wall time skipped by the spring change: take the standard offset
}

/** The first instant after the given Oslo calendar date has ended (midnight at its end). */
export function endOfOsloDay(date: string): Date {
  return osloInstant(addDays(date, 1));
}

export function compareDates(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function laterDate(a: string, b: string): string {
  // Stryker disable next-line EqualityOperator: equivalent, when the dates are equal a and b are the same string
  return compareDates(a, b) >= 0 ? a : b;
}
