import type { Notification } from '../domain/schemas.ts';
import { logError } from '../shared/observability.ts';
import { publishEvents } from '../store/notifications-store.ts';

/**
 * A change that only stands with its workflow: it is committed first (the workflow reads it), with
 * its notifications in the same transaction, then the workflow is started. If the start fails, the
 * change is undone and its notifications taken back in the undo's transaction; their events (for
 * integrations, on AWS) are published only once the workflow runs.
 */
export async function startWorkflowOrUndo(options: {
  description: string;
  start: () => Promise<unknown>;
  undo: () => Promise<unknown>;
  notifications: Notification[];
}): Promise<void> {
  try {
    await options.start();
  } catch (error) {
    // If the undo fails too (e.g. a party acted in between), the change stands and the failed start is
    // the error to report.
    await options
      .undo()
      .catch((undoError: unknown) => logError(`Undoing ${options.description} failed`, undoError));
    throw error;
  }
  await publishEvents(options.notifications);
}
