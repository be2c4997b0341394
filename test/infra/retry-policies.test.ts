import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { workflows } from '../../functions/catalogue.ts';
import { fromRepoRoot } from '../../infra/paths.ts';

/**
 * The Retry policies of every workflow task, held to what the fault test (test/workflows/faults.test.ts)
 * relies on and to what a real account can afford: transient Lambda errors retried with full jitter, a
 * timed-out task retried only where re-running it is harmless, the deadline of a callback never retried,
 * and the retries of a whole execution far inside Step Functions' one year and 25,000 history events.
 */

interface Retrier {
  ErrorEquals: string[];
  IntervalSeconds?: number;
  MaxAttempts?: number;
  BackoffRate?: number;
  MaxDelaySeconds?: number;
  JitterStrategy?: string;
}

interface TaskState {
  Type: 'Task';
  Resource: string;
  Parameters?: { FunctionName?: string };
  TimeoutSeconds?: number;
  TimeoutSecondsPath?: string;
  Retry?: Retrier[];
  Catch?: { ErrorEquals: string[] }[];
}

const LAMBDA_TRANSIENT = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
  'Lambda.ClientExecutionTimeoutException',
];

/** Tasks whose every run adds something (a WORKFLOW_FAILED entry): a timeout may hide a run that worked. */
const NOT_IDEMPOTENT = new Set(['recordWorkflowFailure']);

/** task-faults.ts at LOCAL_TASK_FAULT_RATE=0.3: three kinds of fault, equally likely. */
const FAULT_RATE = 0.3;

const isCallback = (task: TaskState) => task.Resource.endsWith('.waitForTaskToken');
const functionOf = (task: TaskState) => /^\$\{(\w+)\}$/.exec(task.Parameters?.FunctionName ?? '')?.[1] ?? '';
const retrierFor = (task: TaskState, error: string) =>
  task.Retry?.find((retrier) => retrier.ErrorEquals.includes(error));

/** Every Task state, with the Catch that handles its errors (a Parallel branch's is the Parallel's). */
function tasksOf(
  states: Record<string, Record<string, unknown>>,
  enclosingCatch?: TaskState['Catch'],
): [string, TaskState][] {
  return Object.entries(states).flatMap(([name, state]) => {
    const branches =
      (state.Branches as { States: Record<string, Record<string, unknown>> }[] | undefined) ?? [];
    const own = state as unknown as TaskState;
    return [
      ...(state.Type === 'Task'
        ? [[name, { ...own, Catch: own.Catch ?? enclosingCatch }] as [string, TaskState]]
        : []),
      ...branches.flatMap((branch) => tasksOf(branch.States, own.Catch)),
    ];
  });
}

const definitions = workflows.map((workflow) => {
  const asl = JSON.parse(readFileSync(fromRepoRoot(workflow.definition), 'utf8')) as {
    States: Record<string, Record<string, unknown>>;
  };
  return { id: workflow.id, asl, tasks: tasksOf(asl.States) };
});

const allTasks = definitions.flatMap(({ id, tasks }) =>
  tasks.map(([name, task]) => [`${id}.${name}`, task] as const),
);

/** Attempts after the first that a retrier allows, and the longest it sleeps before them. */
function retries(retrier: Retrier | undefined): { attempts: number; sleepSeconds: number } {
  if (!retrier) return { attempts: 0, sleepSeconds: 0 };
  const attempts = retrier.MaxAttempts ?? 3;
  let sleepSeconds = 0;
  for (let retry = 0; retry < attempts; retry++) {
    const interval = (retrier.IntervalSeconds ?? 1) * (retrier.BackoffRate ?? 2) ** retry;
    sleepSeconds += Math.min(interval, retrier.MaxDelaySeconds ?? Number.POSITIVE_INFINITY);
  }
  return { attempts, sleepSeconds };
}

/**
 * The probability that one entry into `task` ends in its Catch when each invocation fails
 * independently with FAULT_RATE / 3 for each of `kinds` (task-faults.ts draws a service error,
 * throttling or a timeout with equal odds; a kind left out is counted as a success).
 */
function exhaustionProbability(task: TaskState, kinds: string[]): number {
  const retriers = task.Retry ?? [];
  const memo = new Map<string, number>();
  // used[i]: retries retrier i has spent so far.
  const fails = (used: number[]): number => {
    const key = used.join(',');
    const known = memo.get(key);
    if (known !== undefined) return known;
    let probability = 0;
    for (const kind of kinds) {
      const index = retriers.findIndex((retrier) => retrier.ErrorEquals.includes(kind));
      const spent = index < 0 || used[index]! >= (retriers[index]!.MaxAttempts ?? 3);
      probability +=
        (FAULT_RATE / 3) * (spent ? 1 : fails(used.map((count, i) => (i === index ? count + 1 : count))));
    }
    memo.set(key, probability);
    return probability;
  };
  return fails(retriers.map(() => 0));
}

describe.each(allTasks)('the %s task', (_name, task) => {
  it('retries every transient Lambda error with full jitter and a bounded delay', () => {
    const retrier = task.Retry?.[0];
    expect(retrier?.ErrorEquals).toEqual(expect.arrayContaining(LAMBDA_TRANSIENT));
    expect(retrier?.JitterStrategy).toBe('FULL');
    expect(retrier?.MaxDelaySeconds).toBeLessThanOrEqual(60);
    expect(retrier?.BackoffRate).toBeGreaterThanOrEqual(1.5);
  });

  it('never retries an error of the handler itself, and catches whatever its retries leave', () => {
    const retried = (task.Retry ?? []).flatMap((retrier) => retrier.ErrorEquals);
    expect(retried).not.toContain('States.ALL');
    expect(retried).not.toContain('States.TaskFailed');
    expect(task.Catch?.at(-1)?.ErrorEquals).toEqual(['States.ALL']);
  });

  it('retries a timeout only where re-running the task is harmless and the timeout is not a deadline', () => {
    const mayRetryTimeout = !isCallback(task) && !NOT_IDEMPOTENT.has(functionOf(task));
    expect(Boolean(retrierFor(task, 'States.Timeout'))).toBe(mayRetryTimeout);
    if (mayRetryTimeout) expect(retrierFor(task, 'States.Timeout')?.JitterStrategy).toBe('FULL');
  });

  it('gives up less than once in a million entries at 30% faults (a task that must not re-run: its Lambda errors)', () => {
    const timeout = isCallback(task) ? 'Lambda.ClientExecutionTimeoutException' : 'States.Timeout';
    const kinds = NOT_IDEMPOTENT.has(functionOf(task))
      ? ['Lambda.ServiceException', 'Lambda.TooManyRequestsException']
      : ['Lambda.ServiceException', 'Lambda.TooManyRequestsException', timeout];
    expect(exhaustionProbability(task, kinds)).toBeLessThan(1e-6);
  });
});

describe('retries within the limits of a Standard execution', () => {
  /**
   * What retries can add to one entry into a task at worst: every back-off sleep, and a full
   * TimeoutSeconds for each retried timeout (a Lambda error fails at once; a callback's retries fail at
   * the invocation, never after its wait). And the entry's history events, all attempts failing.
   */
  function worstCase(task: TaskState): { seconds: number; events: number } {
    const lambda = retries(task.Retry?.[0]);
    const timeout = retries(retrierFor(task, 'States.Timeout'));
    const attempts = 1 + lambda.attempts + timeout.attempts;
    return {
      seconds: lambda.sleepSeconds + timeout.sleepSeconds + timeout.attempts * (task.TimeoutSeconds ?? 0),
      // Scheduled, started and failed (or timed out) per attempt; entered and exited once.
      events: 3 * attempts + 2,
    };
  }

  it('adds at most 10 minutes and 100 history events to any task entry', () => {
    for (const [name, task] of allTasks) {
      const worst = worstCase(task);
      expect(worst.seconds, name).toBeLessThan(600);
      expect(worst.events, name).toBeLessThan(100);
    }
  });

  it('keeps the longest termination within its day of slack and far under 25,000 events', () => {
    // The termination workflow enters at most: PrepareTermination, TerminateAgreement, 7 waits and
    // 6 escalations per human step, RecordFailure (an early wake-up adds a Prepare/Terminate pair).
    const termination = definitions.find((definition) => definition.id === 'termination')!;
    const task = (name: string) => termination.tasks.find(([stateName]) => stateName === name)![1];
    const entries: [string, number][] = [
      ['PrepareTermination', 2],
      ['TerminateAgreement', 2],
      ['AwaitDisposition', 7],
      ['EscalateDisposition', 6],
      ['AwaitAttestation', 7],
      ['EscalateAttestation', 6],
      ['RecordFailure', 1],
    ];
    const total = entries.reduce(
      (sum, [name, count]) => {
        const worst = worstCase(task(name));
        return { seconds: sum.seconds + count * worst.seconds, events: sum.events + count * worst.events };
      },
      { seconds: 0, events: 0 },
    );
    expect(total.seconds).toBeLessThan(86_400 / 2);
    expect(total.events).toBeLessThan(25_000 / 10);
  });
});
