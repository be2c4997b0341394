import { TZDate } from '@date-fns/tz';
import ical, { ICalCalendarMethod, ICalEventTransparency } from 'ical-generator';
import { addDays, TIME_ZONE } from '../calendar.ts';
import { type CalendarEntry, uidOf, upcomingDeadlines } from './deadlines.ts';
import { eventText } from './texts.ts';

/**
 * The feed as iCalendar (RFC 5545), written by `ical-generator`. A deadline on a date is an all-day
 * event (`DTSTART;VALUE=DATE`); one at an instant is `DTSTART;TZID=Europe/Oslo` with its wall-clock
 * time there, from a `TZDate` (@date-fns/tz, which ical-generator reads in the named zone whatever the
 * process's own zone), and the feed carries the VTIMEZONE that TZID refers to.
 */

/**
 * Europe/Oslo as RFC 5545 describes a zone: CET, and CEST from the last Sunday of March 02:00 to the
 * last Sunday of October 03:00 (the EU rule, unchanged since 1996).
 */
export const OSLO_VTIMEZONE = [
  'BEGIN:VTIMEZONE',
  `TZID:${TIME_ZONE}`,
  `X-LIC-LOCATION:${TIME_ZONE}`,
  'BEGIN:DAYLIGHT',
  'TZOFFSETFROM:+0100',
  'TZOFFSETTO:+0200',
  'TZNAME:CEST',
  'DTSTART:19700329T020000',
  'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU',
  'END:DAYLIGHT',
  'BEGIN:STANDARD',
  'TZOFFSETFROM:+0200',
  'TZOFFSETTO:+0100',
  'TZNAME:CET',
  'DTSTART:19701025T030000',
  'RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU',
  'END:STANDARD',
  'END:VTIMEZONE',
].join('\r\n');

/** Calendar clients fetch the feed again about this often (REFRESH-INTERVAL, X-PUBLISHED-TTL). */
export const REFRESH_SECONDS = 60 * 60;

/** A calendar date as the UTC midnight that ical-generator writes as that same DATE. */
const dateValue = (date: string) => new Date(`${date}T00:00:00.000Z`);

/** Every deadline in `entries` still ahead at `now`, as one calendar. */
export function renderCalendar(input: {
  entries: readonly CalendarEntry[];
  now: Date;
  name: string;
}): string {
  const calendar = ical({
    name: input.name,
    description: 'Frister i databehandleravtalene der organisasjonen er part',
    prodId: { company: 'databehandleravtaler', product: 'frister', language: 'NB' },
    method: ICalCalendarMethod.PUBLISH,
    ttl: REFRESH_SECONDS,
    // No zone of the calendar's own: DTSTAMP stays in UTC, as RFC 5545 requires; the generator writes
    // the VTIMEZONE of the zone the timed events name.
    timezone: { name: null, generator: (zone) => (zone === TIME_ZONE ? OSLO_VTIMEZONE : null) },
  });
  for (const { entry, deadline } of upcomingDeadlines(input.entries, input.now)) {
    const text = eventText(entry, deadline);
    const common = {
      id: uidOf(entry, deadline),
      stamp: input.now,
      summary: text.summary,
      description: text.description,
      categories: [{ name: 'Databehandleravtale' }],
      // A deadline is a reminder, not a meeting: it leaves the time free.
      transparency: ICalEventTransparency.TRANSPARENT,
    };
    if ('on' in deadline) {
      calendar.createEvent({
        ...common,
        allDay: true,
        start: dateValue(deadline.on),
        end: dateValue(addDays(deadline.on, 1)),
      });
    } else {
      calendar.createEvent({
        ...common,
        start: new TZDate(deadline.at, TIME_ZONE),
        timezone: TIME_ZONE,
      });
    }
  }
  return calendar.toString();
}
