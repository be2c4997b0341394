import { notFound } from '../../domain/errors.ts';
import { httpHandler } from '../../shared/http.ts';
import { deleteFeed } from '../../store/calendar-feeds-store.ts';

/**
 * Rule 15: revokes one of the caller's organisation's calendar feeds; its address answers 404 from
 * then on. Another organisation's feed is not found, as one that never existed.
 */
export const handler = httpHandler({}, async ({ caller, params }) => {
  if (!(await deleteFeed(caller.orgNumber, params.id ?? ''))) {
    throw notFound('No calendar feed with that id exists for your organisation');
  }
  return { status: 204 };
});
