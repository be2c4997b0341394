import { osloDate } from '../../domain/calendar.ts';
import { renderCalendar } from '../../domain/calendar-feed/ical.ts';
import { feedTokenHash, tokenOfFeedFile } from '../../domain/calendar-feed/tokens.ts';
import { notFound } from '../../domain/errors.ts';
import { now } from '../../shared/clock.ts';
import { publicHttpHandler } from '../../shared/http.ts';
import { feedByTokenHash, upcomingEntries } from '../../store/calendar-feeds-store.ts';

/**
 * Rule 15: `GET /calendar/<token>.ics`, public like /openapi.json: the token is the credential, as a
 * calendar client subscribes with an address and sends no bearer token. Every upcoming deadline of the
 * organisation's agreements, in two round trips (the token's item, then one Query of its entries).
 * An address that is not a feed's, or a revoked one, is 404.
 */
export const handler = publicHttpHandler(async ({ params }) => {
  const token = tokenOfFeedFile(params.file);
  const feed = token ? await feedByTokenHash(feedTokenHash(token)) : undefined;
  if (!feed) throw notFound('No calendar feed at this address (it may have been revoked)');
  const at = now();
  const entries = await upcomingEntries(feed.orgNumber, osloDate(at));
  const calendar = renderCalendar({
    entries,
    now: at,
    name: `Frister i databehandleravtaler (org.nr. ${feed.orgNumber})`,
  });
  return {
    status: 200,
    file: { contentType: 'text/calendar; charset=utf-8', bytes: Buffer.from(calendar, 'utf8') },
    headers: { 'content-disposition': 'inline; filename="frister.ics"' },
  };
});
