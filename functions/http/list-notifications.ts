import { notificationsQuerySchema } from '../domain/schemas.ts';
import { httpHandler } from '../shared/http.ts';
import { listNotifications } from '../store/notifications-store.ts';

export const handler = httpHandler({ query: notificationsQuerySchema }, async ({ caller, query }) => ({
  status: 200,
  body: await listNotifications(caller.orgNumber, {
    limit: query.limit,
    ...(query.cursor ? { cursor: query.cursor } : {}),
    ...(query.since ? { since: query.since } : {}),
    ...(query.type ? { types: query.type.split(',') } : {}),
  }),
}));
