import ICAL from 'ical.js';

/**
 * A calendar feed read back with ical.js (Mozilla's iCalendar parser, not ours): what a calendar
 * client would see of each event.
 */
export interface ParsedEvent {
  uid: string;
  summary: string;
  description: string;
  /** `DTSTART;VALUE=DATE`: the date, `YYYY-MM-DD`. */
  date?: string;
  /** A timed start: the TZID it names, its wall-clock time there, and the instant it is. */
  tzid?: string;
  wallTime?: string;
  instant?: string;
  /** `DTSTAMP` as written (RFC 5545: UTC). */
  stamp: string;
  transparent: boolean;
}

export interface ParsedCalendar {
  name: string | undefined;
  timezones: string[];
  events: ParsedEvent[];
}

export function parseCalendar(text: string): ParsedCalendar {
  const calendar = new ICAL.Component(ICAL.parse(text));
  const timezones = calendar.getAllSubcomponents('vtimezone');
  // As a client does: the zones the feed defines are the ones its TZIDs refer to.
  for (const zone of timezones) ICAL.TimezoneService.register(zone);
  const events = calendar.getAllSubcomponents('vevent').map((component): ParsedEvent => {
    const event = new ICAL.Event(component);
    const start = event.startDate;
    const stamp = component.getFirstPropertyValue('dtstamp') as ICAL.Time | null;
    const common = {
      uid: event.uid,
      summary: event.summary,
      description: event.description,
      stamp: String(stamp?.toICALString() ?? ''),
      transparent: component.getFirstPropertyValue('transp') === 'TRANSPARENT',
    };
    if (start.isDate) return { ...common, date: start.toString() };
    return {
      ...common,
      tzid: String(component.getFirstProperty('dtstart')?.getParameter('tzid') ?? ''),
      wallTime: start.toString(),
      instant: start.toJSDate().toISOString(),
    };
  });
  return {
    name: calendar.getFirstPropertyValue('x-wr-calname')?.toString(),
    timezones: timezones.map((zone) => String(zone.getFirstPropertyValue('tzid'))),
    events,
  };
}
