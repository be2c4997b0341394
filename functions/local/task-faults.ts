/**
 * Fault injection for the workflows' task functions on the local stack (`LOCAL_TASK_FAULT_RATE`):
 * a seeded fraction of the invocations a state machine makes fails as Lambda and Step Functions fail
 * under trouble, so the Retry policies in workflows/*.asl.json and the idempotency of the tasks are
 * exercised the way AWS would exercise them. HTTP handlers and the daily run are never touched.
 *
 * The kinds, drawn with equal odds:
 * - `Lambda.ServiceException`, `Lambda.TooManyRequestsException`: the Invoke call failed, the
 *   function never ran (Lambda refuses or loses the request before the handler starts).
 * - a timeout, half of the time before the handler ran and half of the time after it ran to the end
 *   with its result lost (the nasty case: the retry runs an idempotent task a second time). For a
 *   request-response task this is `States.Timeout`, the task exceeding its TimeoutSeconds. For a
 *   `.waitForTaskToken` task TimeoutSeconds bounds the human wait, not the invocation, and a
 *   States.Timeout there would claim the deadline had passed; its invocation times out as
 *   `Lambda.ClientExecutionTimeoutException` instead (Step Functions gave up waiting for Invoke).
 *
 * One seeded PRNG draws for every invocation in the order they happen, so a run whose invocations
 * come in the same order (e.g. lifecycles driven one after another) meets the same faults.
 */

export interface TaskFaultSettings {
  /** Fraction of task invocations that fail, 0..1. */
  rate: number;
  /** Seed of the PRNG that picks the failing invocations and their kinds. */
  seed: number;
}

export interface TaskFaultOptions extends Partial<Pick<TaskFaultSettings, 'seed'>> {
  rate: number;
  /** Where the one line per fault goes (default: console.warn). */
  log?: (line: string) => void;
}

/** One invocation of a task function by a state machine, as the local engine reports it. */
export interface TaskInvocation {
  taskId: string;
  executionArn: string;
  stateName: string;
  /** `lambda:invoke.waitForTaskToken`: the task then waits for a callback. */
  callback: boolean;
}

export type TaskFaultError =
  | 'Lambda.ServiceException'
  | 'Lambda.TooManyRequestsException'
  | 'States.Timeout'
  | 'Lambda.ClientExecutionTimeoutException';

export interface InjectedFault {
  taskId: string;
  stateName: string;
  executionArn: string;
  /** 1 for the first invocation of the state, 2 for its first retry... */
  attempt: number;
  error: TaskFaultError;
  /** The handler ran to the end and its result was lost (timeouts only). */
  handlerRan: boolean;
  seed: number;
}

export interface TaskFaults {
  readonly settings: TaskFaultSettings;
  /** Runs `invoke` (the real handler), or fails in its place or after it as the PRNG decides. */
  run(invocation: TaskInvocation, invoke: () => Promise<unknown>): Promise<unknown>;
}

export const DEFAULT_TASK_FAULT_SEED = 1;

const MESSAGES: Record<TaskFaultError, string> = {
  'Lambda.ServiceException': 'Lambda was unable to process the request',
  'Lambda.TooManyRequestsException': 'Rate Exceeded.',
  'States.Timeout': 'The task exceeded its TimeoutSeconds',
  'Lambda.ClientExecutionTimeoutException': 'The Invoke call timed out',
};

export function createTaskFaults(options: TaskFaultOptions): TaskFaults {
  const settings = checkSettings(options.rate, options.seed ?? DEFAULT_TASK_FAULT_SEED);
  const log = options.log ?? ((line: string) => console.warn(line));
  const random = mulberry32(settings.seed);
  // Consecutive failed invocations per execution and state: the attempt number Retry is on.
  const failures = new Map<string, number>();

  return {
    settings,
    async run(invocation, invoke) {
      const key = `${invocation.executionArn}\u0000${invocation.stateName}`;
      const attempt = (failures.get(key) ?? 0) + 1;
      const fault = draw(random, settings.rate, invocation.callback);
      try {
        const result = fault && !fault.handlerRan ? undefined : await invoke();
        if (fault) {
          log(faultLine({ ...invocation, attempt, ...fault, seed: settings.seed }));
          throw lambdaError(fault.error);
        }
        failures.delete(key);
        return result;
      } catch (error) {
        failures.set(key, attempt);
        throw error;
      }
    },
  };
}

/** `LOCAL_TASK_FAULT_RATE` (0..1, default 0) and `LOCAL_TASK_FAULT_SEED` (an integer, default 1). */
export function taskFaultSettingsFromEnv(env: Record<string, string | undefined>): TaskFaultSettings {
  const rateText = env.LOCAL_TASK_FAULT_RATE?.trim() || '0';
  const seedText = env.LOCAL_TASK_FAULT_SEED?.trim() || String(DEFAULT_TASK_FAULT_SEED);
  const rate = Number(rateText);
  const seed = Number(seedText);
  if (!/^\d*\.?\d+$/.test(rateText) || !(rate >= 0 && rate <= 1)) {
    throw new Error(`LOCAL_TASK_FAULT_RATE must be a number from 0 to 1, got "${rateText}"`);
  }
  if (!/^-?\d+$/.test(seedText) || !Number.isSafeInteger(seed)) {
    throw new Error(`LOCAL_TASK_FAULT_SEED must be an integer, got "${seedText}"`);
  }
  return checkSettings(rate, seed);
}

/** One line per fault: what failed, on which attempt, how, and the seed that reproduces it. */
export function faultLine(fault: InjectedFault): string {
  const execution = fault.executionArn.split(':').pop();
  return (
    `task-fault seed=${fault.seed} task=${fault.taskId} state=${fault.stateName} attempt=${fault.attempt} ` +
    `fault=${fault.error}${fault.handlerRan ? ' after-handler-ran' : ''} execution=${execution}`
  );
}

function checkSettings(rate: number, seed: number): TaskFaultSettings {
  if (!(rate >= 0 && rate <= 1)) throw new Error(`The task fault rate must be from 0 to 1, got ${rate}`);
  if (!Number.isSafeInteger(seed)) throw new Error(`The task fault seed must be an integer, got ${seed}`);
  return { rate, seed };
}

function draw(
  random: () => number,
  rate: number,
  callback: boolean,
): { error: TaskFaultError; handlerRan: boolean } | undefined {
  if (random() >= rate) return undefined;
  const kind = Math.floor(random() * 3);
  if (kind === 0) return { error: 'Lambda.ServiceException', handlerRan: false };
  if (kind === 1) return { error: 'Lambda.TooManyRequestsException', handlerRan: false };
  return {
    error: callback ? 'Lambda.ClientExecutionTimeoutException' : 'States.Timeout',
    handlerRan: random() < 0.5,
  };
}

/** As Step Functions reports it: the error's name is what Retry and Catch match. */
function lambdaError(name: TaskFaultError): Error {
  const error = new Error(`${MESSAGES[name]} (injected: LOCAL_TASK_FAULT_RATE)`);
  error.name = name;
  return error;
}

/** A small, well-known 32-bit PRNG: the same seed gives the same sequence on every platform. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
