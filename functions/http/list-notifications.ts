import { pagingQuerySchema } from '../domain/schemas.ts';
import { httpHandler } from '../shared/http.ts';
import { listNotifications } from '../store/notifications-store.ts';

export const handler = httpHandler({ query: pagingQuerySchema }, async ({ caller, query }) => ({
  status: 200,
  body: await listNotifications(caller.orgNumber, query),
}));
