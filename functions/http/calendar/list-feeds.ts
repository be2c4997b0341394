import { httpHandler } from '../../shared/http.ts';
import { listFeeds } from '../../store/calendar-feeds-store.ts';

/** Rule 15: the caller's organisation's calendar feeds, newest first, without their secret addresses. */
export const handler = httpHandler({}, async ({ caller }) => ({
  status: 200,
  body: { items: await listFeeds(caller.orgNumber) },
}));
