import { completeTask } from '../shared/workflows.ts';

/**
 * Registers a workflow's callback wait (house style 13): read what is awaited; if it has happened
 * already (the outcome came before the wait), complete the wait at once with it; otherwise store the
 * token where the request that brings the outcome will find it, conditionally on it still being
 * awaited, so an outcome landing in between is read again here rather than lost.
 */
export async function registerCallbackWait<T>(wait: {
  taskToken: string;
  /** What the wait is for, for the error when it keeps changing. */
  what: string;
  read: () => Promise<T>;
  /** The output to complete the wait with when it is no longer awaited; undefined while it is. */
  outcome: (read: T) => unknown;
  /** Stores the token; false when the condition that it is still awaited failed. */
  store: () => Promise<boolean>;
}): Promise<{ waiting: boolean }> {
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const output = wait.outcome(await wait.read());
    if (output !== undefined) {
      await completeTask(wait.taskToken, output);
      return { waiting: false };
    }
    if (await wait.store()) return { waiting: true };
  }
  throw new Error(`${wait.what} kept changing while its wait was registered`);
}
