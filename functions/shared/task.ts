import type * as z from '../domain/zod.ts';
import { observedTask } from './observability.ts';

/**
 * Handlers invoked by state machines: their input is validated like any edge, and an invalid input is a
 * named error that the workflow's Catch records. They run in the one middy stack of tasks (JSON logs
 * with the agreement id of the input, the error logged once, metrics flushed at the end).
 */
export function taskHandler<Input, Output>(
  schema: z.ZodMiniType<Input>,
  handle: (input: Input) => Promise<Output>,
) {
  return observedTask(async (event: unknown): Promise<Output> => {
    const parsed = schema.safeParse(event);
    if (!parsed.success) {
      const error = new Error(`Invalid task input: ${parsed.error.message}`);
      error.name = 'InvalidTaskInput';
      throw error;
    }
    return handle(parsed.data);
  });
}

/** Actor recorded for changes the workflows make on their own. */
export const workflowActor = (workflow: string) => ({
  orgNumber: 'system',
  clientId: `${workflow}-workflow`,
});
