import {
  newRequestTask,
  taskAssignedHistory,
  taskAssignedNotifications,
} from '../../domain/forwarded-requests/rules.ts';
import { taskRequestSchema } from '../../domain/forwarded-requests/schemas.ts';
import { actorOf } from '../../shared/caller.ts';
import { now } from '../../shared/clock.ts';
import { httpHandler } from '../../shared/http.ts';
import { saveRequestTask } from '../../store/forwarded-requests-store.ts';
import { auditEntry } from '../agreement-access.ts';
import { idempotent } from '../idempotency.ts';
import { loadRequestForParty } from './access.ts';

/**
 * Rule 16 (003 §5): the controller asks the processor for assistance with a forwarded request, by a
 * day. 201 with the task, numbered in the order asked; the processor is told, reminded weekly once the
 * day has passed, and the day is in both calendar feeds.
 */
export const handler = httpHandler(
  { body: taskRequestSchema },
  idempotent(async ({ caller, body, params, route }) => {
    const { agreement, role, request } = await loadRequestForParty(params, caller);
    const at = now();
    const task = newRequestTask({ request, role, task: body, actor: actorOf(caller), now: at });
    await saveRequestTask({
      agreement,
      request,
      task,
      history: [taskAssignedHistory(request, task)],
      audit: {
        ...auditEntry(caller, 'request.task', route, at),
        details: { requestId: request.id, task: task.number },
      },
      notifications: taskAssignedNotifications(agreement, request, task, at),
    });
    return {
      status: 201,
      body: task,
      headers: { location: `/agreements/${agreement.id}/requests/${request.id}` },
    };
  }),
);
