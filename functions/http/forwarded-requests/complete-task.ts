import {
  completeRequestTask,
  taskDoneHistory,
  taskDoneNotifications,
} from '../../domain/forwarded-requests/rules.ts';
import { taskDoneRequestSchema } from '../../domain/forwarded-requests/schemas.ts';
import { actorOf } from '../../shared/caller.ts';
import { now } from '../../shared/clock.ts';
import { httpHandler } from '../../shared/http.ts';
import { saveRequestTaskDone } from '../../store/forwarded-requests-store.ts';
import { auditEntry } from '../agreement-access.ts';
import { idempotent } from '../idempotency.ts';
import { loadRequestTaskForParty } from './access.ts';

/**
 * Rule 16: the processor marks an assistance task done, once, with a note of what it did. The
 * agreement, the request and the task are read in one round trip, the change written in the second;
 * 200 with the task, and the controller is told.
 */
export const handler = httpHandler(
  { body: taskDoneRequestSchema },
  idempotent(async ({ caller, body, params, route }) => {
    const { agreement, role, request, task: before } = await loadRequestTaskForParty(params, caller);
    const at = now();
    const task = completeRequestTask({ task: before, role, done: body, actor: actorOf(caller), now: at });
    await saveRequestTaskDone({
      agreement,
      request,
      before,
      task,
      history: [taskDoneHistory(request, task)],
      audit: {
        ...auditEntry(caller, 'request.task-done', route, at),
        details: { requestId: request.id, task: task.number },
      },
      notifications: taskDoneNotifications(agreement, request, task, at),
    });
    return { status: 200, body: task };
  }),
);
