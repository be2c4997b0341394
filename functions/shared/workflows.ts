import { SendTaskFailureCommand, SendTaskSuccessCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { sfnClient } from './clients.ts';
import { config } from './config.ts';
import { logError } from './observability.ts';

export interface SigningInput {
  agreementId: string;
}

/** Execution names are unique per submission, so a retried StartExecution is idempotent. */
export async function startSigningWorkflow(agreementId: string, submittedVersion: number): Promise<string> {
  const input: SigningInput = { agreementId };
  const result = await sfnClient().send(
    new StartExecutionCommand({
      stateMachineArn: config.signingStateMachineArn(),
      name: `${agreementId}-v${submittedVersion}`,
      input: JSON.stringify(input),
    }),
  );
  return result.executionArn!;
}

/** One amendment workflow per amendment, named after it, so a retried start is idempotent. */
export async function startAmendmentWorkflow(agreementId: string, amendmentId: string): Promise<string> {
  const result = await sfnClient().send(
    new StartExecutionCommand({
      stateMachineArn: config.amendmentStateMachineArn(),
      name: `amendment-${amendmentId}`,
      input: JSON.stringify({ agreementId, amendmentId }),
    }),
  );
  return result.executionArn!;
}

/**
 * Named per notice (its version), like signing per submission: a notice rolled back because its start
 * failed can be given again without hitting the name of an execution that did start after all.
 */
export async function startTerminationWorkflow(agreementId: string, noticeVersion: number): Promise<string> {
  const input = { agreementId };
  const result = await sfnClient().send(
    new StartExecutionCommand({
      stateMachineArn: config.terminationStateMachineArn(),
      name: `${agreementId}-termination-v${noticeVersion}`,
      input: JSON.stringify(input),
    }),
  );
  return result.executionArn!;
}

export interface SubProcessorApprovalInput {
  agreementId: string;
  subProcessorId: string;
}

/** One approval workflow per sub-processor request, named after it, so a retried start is idempotent. */
export async function startSubProcessorApprovalWorkflow(
  agreementId: string,
  subProcessorId: string,
): Promise<string> {
  const input: SubProcessorApprovalInput = { agreementId, subProcessorId };
  const result = await sfnClient().send(
    new StartExecutionCommand({
      stateMachineArn: config.subProcessorApprovalStateMachineArn(),
      name: `${agreementId}-${subProcessorId}`,
      input: JSON.stringify(input),
    }),
  );
  return result.executionArn!;
}

/**
 * Tokens outlive their tasks: a workflow may have timed out, been re-driven after a restart (new tokens)
 * or finished. The record in DynamoDB is the truth, so such a stale token is not an error for the caller.
 */
const STALE_TOKEN_ERRORS = new Set(['TaskDoesNotExist', 'InvalidToken', 'TaskTimedOut']);

async function ignoringStaleToken(send: () => Promise<unknown>): Promise<boolean> {
  try {
    await send();
    return true;
  } catch (error) {
    if (error instanceof Error && STALE_TOKEN_ERRORS.has(error.name)) return false;
    throw error;
  }
}

/**
 * After a change has been committed, telling the workflow is best effort: the workflow reads the
 * record when it next resumes (await-signature finds the signature, a timeout re-checks the state).
 * A failure here is logged, never reported as a failed request that in fact succeeded.
 */
export async function notifyWorkflow(description: string, send: () => Promise<boolean>): Promise<void> {
  try {
    await send();
  } catch (error) {
    logError(`Could not ${description}; the workflow will pick the change up from the table`, error);
  }
}

export function completeTask(token: string, output: unknown): Promise<boolean> {
  return ignoringStaleToken(() =>
    sfnClient().send(new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify(output) })),
  );
}

export function failTask(token: string, error: string, cause: string): Promise<boolean> {
  return ignoringStaleToken(() =>
    sfnClient().send(new SendTaskFailureCommand({ taskToken: token, error, cause })),
  );
}

export interface DeliveryRetryInput {
  notification: { pk: string; sk: string };
  channel: string;
  /** When to try next (ISO 8601): the workflow waits until then. */
  retryAt: string;
}

/**
 * One retry series per notification and channel, named after both (hashed to fit Step Functions'
 * 80 characters), so a start repeated after a crash finds the series already under way.
 */
export async function startDeliveryRetries(input: DeliveryRetryInput, seriesName: string): Promise<void> {
  try {
    await sfnClient().send(
      new StartExecutionCommand({
        stateMachineArn: config.notificationDeliveryStateMachineArn(),
        name: seriesName,
        input: JSON.stringify(input),
      }),
    );
  } catch (error) {
    if ((error as { name?: string }).name !== 'ExecutionAlreadyExists') throw error;
  }
}

/**
 * One deadline workflow per breach, named after it, so a retried start is idempotent; it waits for
 * the marks of the controller's 72 hours, counted from `controllerAwareAt`.
 */
export async function startBreachDeadlineWorkflow(
  agreementId: string,
  breachId: string,
  marks: { reminder24: string; reminder48: string; escalation: string; deadline: string },
): Promise<string> {
  const result = await sfnClient().send(
    new StartExecutionCommand({
      stateMachineArn: config.breachDeadlineStateMachineArn(),
      name: `breach-${breachId}`,
      input: JSON.stringify({ agreementId, breachId, marks }),
    }),
  );
  return result.executionArn!;
}
