import { randomUUID } from 'node:crypto';
import {
  type CalendarFeed,
  type CreatedCalendarFeed,
  createCalendarFeedSchema,
} from '../../domain/calendar-feed/schemas.ts';
import { feedPath, feedTokenHash, newFeedToken } from '../../domain/calendar-feed/tokens.ts';
import { actorOf } from '../../shared/caller.ts';
import { now } from '../../shared/clock.ts';
import { httpHandler } from '../../shared/http.ts';
import { createFeed } from '../../store/calendar-feeds-store.ts';
import { idempotent } from '../idempotency.ts';

/** A host as API Gateway or the local server passes it: a name or address and an optional port. */
const HOST = /^[A-Za-z0-9.-]{1,253}(:\d{1,5})?$/;

/**
 * The API's base URL as the caller reached it: API Gateway says the scheme in `x-forwarded-proto`; the
 * local stack, on loopback, speaks plain http.
 */
function baseUrlOf(headers: Record<string, string | undefined>): string {
  const host = headers.host ?? '';
  if (!HOST.test(host)) return '';
  const forwarded = headers['x-forwarded-proto'];
  const scheme =
    forwarded === 'http' || forwarded === 'https'
      ? forwarded
      : /^(127\.0\.0\.1|localhost)(:|$)/.test(host)
        ? 'http'
        : 'https';
  return `${scheme}://${host}`;
}

/**
 * Rule 15: a secret calendar feed for the caller's organisation. 201 with its address (the token in
 * it is shown this once; only its SHA-256 is kept) and `Location` naming the feed, which
 * `DELETE /calendar-feeds/{id}` revokes.
 */
export const handler = httpHandler(
  { body: createCalendarFeedSchema },
  idempotent(async ({ caller, body, headers }) => {
    const token = newFeedToken();
    const feed: CalendarFeed = {
      id: randomUUID(),
      ...(body.name ? { name: body.name } : {}),
      createdAt: now().toISOString(),
      createdBy: actorOf(caller),
    };
    await createFeed({ ...feed, orgNumber: caller.orgNumber, tokenHash: feedTokenHash(token) });
    const path = feedPath(token);
    const created: CreatedCalendarFeed = { ...feed, path, url: `${baseUrlOf(headers)}${path}` };
    return {
      status: 201,
      // Bytes rather than `body`: an Idempotency-Key's record keeps a JSON body to answer a retry with,
      // and the token must never be stored. A retry gets the 201 and the Location, not the address.
      file: { contentType: 'application/json', bytes: Buffer.from(JSON.stringify(created), 'utf8') },
      headers: { location: `/calendar-feeds/${feed.id}` },
    };
  }),
);
