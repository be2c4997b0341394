import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { isDeepStrictEqual } from 'node:util';
import { ExecutionError, type RunOptions, StateMachine } from 'aws-local-stepfunctions';
import type { TimerHandle, VirtualClock } from '../virtual-clock.ts';
import {
  INJECTED,
  type LambdaPlan,
  type PreparedDefinition,
  prepareDefinition,
  type TaskPlan,
  type WaitPlan,
} from './definition.ts';
import { StepFunctionsError } from './errors.ts';
import { ExecutionJournal, type ExecutionRecord, type ExecutionStatus } from './journal.ts';

export type { ExecutionStatus } from './journal.ts';

/**
 * Step Functions on one machine: the deployed definitions run on aws-local-stepfunctions, with what
 * the library lacks supplied here: `.waitForTaskToken` with real task tokens, Wait states and task
 * timeouts on the virtual clock, AWS's error names for failing Lambda handlers, executions addressed by
 * ARN with AWS's idempotency rules, and a journal that survives restarts.
 *
 * Durability: `<dataDir>/executions.jsonl` records every execution, an appended line per start and per
 * end, on disk before the start or end is reported (journal.ts; compacted at start-up, when closed
 * executions older than AWS's 90-day retention are forgotten). The library keeps an execution's
 * progress in memory only, so after a restart `resumeInFlight()` starts every execution that was
 * RUNNING again from its original input, under the same ARN. That is correct because the
 * workflows' tasks are idempotent by design and DynamoDB is the source of truth: re-running the early
 * steps finds the work done and routes to where the agreement really is (a callback task re-invokes
 * its function, which stores the newly issued token).
 */

/** Which execution and state an invocation serves; `callback` for `.waitForTaskToken` tasks. */
export interface InvocationContext {
  executionArn: string;
  stateName: string;
  callback: boolean;
}

export type InvokeFunction = (
  functionArn: string,
  payload: unknown,
  context: InvocationContext,
) => Promise<unknown>;

export interface LocalStepFunctionsOptions {
  clock: VirtualClock;
  dataDir: string;
  /**
   * Real-time pause before a failed Lambda invocation may be retried (default 100 ms). The library's
   * own pause (IntervalSeconds, BackoffRate...) is switched off: it sleeps in real time, unseen by `idle()`.
   */
  retryPauseMs?: number;
}

export interface StateMachineRegistration {
  arn: string;
  name: string;
  /** Resolved ASL (JSONPath); Lambda tasks name function ARNs. */
  definition: object;
  /** Calls the real handler of `functionArn` with `payload` and returns its result. */
  invokeFunction: InvokeFunction;
}

export interface StartExecutionRequest {
  stateMachineArn: string;
  name?: string;
  /** JSON text, as in the API (default `{}`). */
  input?: string;
}

export interface ExecutionDescription {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: ExecutionStatus;
  input: string;
  output?: string;
  error?: string;
  cause?: string;
  startDate: Date;
  stopDate?: Date;
}

export type ExecutionListItem = Omit<ExecutionDescription, 'input' | 'output' | 'error' | 'cause'>;

type Outcome = Pick<ExecutionRecord, 'status' | 'output' | 'error' | 'cause'>;

interface RegisteredMachine {
  arn: string;
  name: string;
  prepared: PreparedDefinition;
  machine: StateMachine;
  invokeFunction: InvokeFunction;
}

/** Something a running execution waits on: failed when the execution ends, so the library lets go. */
interface Pending {
  fail(error: Error): void;
  cancel(): void;
}

interface LiveExecution {
  record: ExecutionRecord;
  machine: RegisteredMachine;
  ended: boolean;
  pending: Set<Pending>;
  abort: () => void;
  timeout?: TimerHandle;
}

interface TaskToken {
  status: 'waiting' | 'succeeded' | 'failed' | 'timed-out' | 'closed';
  resolve(output: unknown): void;
  reject(error: Error): void;
}

type TaskHandlers = NonNullable<NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers']>;
type TaskHandler = TaskHandlers[string];
type JsonValue = Awaited<ReturnType<TaskHandler>>;

const TASK_TOKEN_PLACEHOLDER = '__LOCAL_TASK_TOKEN__';
const TOKEN_FORMAT = /^lsf1\.[A-Za-z0-9_-]{43}$/;
const MAX_TIMER_MS = 2_147_483_647;
const EXECUTION_NAME = /^[^\s<>{}[\]?*"#%\\^|~`$&,;:/\p{Cc}]{1,80}$/u;
const STATES_ARN = /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:(stateMachine|execution):/;

/** A handler's failure as Step Functions reports a Lambda function error: Error = errorType. */
class TaskFailure extends Error {
  constructor(error: string, cause: string) {
    super(cause);
    this.name = error;
  }
}

/** Ends an execution: neither Retry nor Catch may intercept it (the library reads these getters). */
class LocalRuntimeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'States.Runtime';
  }
  get isRetryable(): boolean {
    return false;
  }
  get isCatchable(): boolean {
    return false;
  }
}

export class LocalStepFunctions {
  private readonly clock: VirtualClock;
  private readonly journal: ExecutionJournal;
  private readonly retryPauseMs: number;
  private readonly machines = new Map<string, RegisteredMachine>();
  private readonly records: Map<string, ExecutionRecord>;
  private readonly live = new Map<string, LiveExecution>();
  private readonly tokens = new Map<string, TaskToken>();
  private inFlight = 0;
  private pendingWrites = 0;
  private activity = 0;
  private changeListeners: Array<() => void> = [];
  private closed = false;

  constructor(options: LocalStepFunctionsOptions) {
    this.clock = options.clock;
    this.retryPauseMs = options.retryPauseMs ?? 100;
    mkdirSync(options.dataDir, { recursive: true });
    const opened = ExecutionJournal.open(options.dataDir, this.clock.now());
    this.journal = opened.journal;
    this.records = opened.records;
  }

  /** Makes a state machine runnable; executions already running keep the definition they started with. */
  registerStateMachine(registration: StateMachineRegistration): void {
    const prepared = prepareDefinition(registration.definition);
    let machine: StateMachine;
    try {
      machine = new StateMachine(prepared.definition, {
        validationOptions: { checkArn: true, checkPaths: true },
      });
    } catch (error) {
      throw new Error(`State machine ${registration.name}: ${(error as Error).message}`);
    }
    this.machines.set(registration.arn, { ...registration, prepared, machine });
  }

  /**
   * Starts an execution. As on AWS for Standard workflows, repeating a name with the same input while
   * that execution runs returns it again; a different input, or a name whose execution has closed,
   * is refused with `ExecutionAlreadyExists`.
   */
  async startExecution(request: StartExecutionRequest): Promise<{ executionArn: string; startDate: Date }> {
    this.assertOpen();
    const machine = this.machines.get(request.stateMachineArn);
    if (!machine) {
      assertArn(request.stateMachineArn, 'stateMachine');
      throw new StepFunctionsError(
        'StateMachineDoesNotExist',
        `State Machine Does Not Exist: '${request.stateMachineArn}'`,
      );
    }
    const name = request.name ?? randomUUID();
    if (!EXECUTION_NAME.test(name)) throw new StepFunctionsError('InvalidName', `Invalid Name: '${name}'`);
    const input = request.input ?? '{}';
    let parsedInput: unknown;
    try {
      parsedInput = JSON.parse(input);
    } catch {
      throw new StepFunctionsError(
        'InvalidExecutionInput',
        'Invalid State Machine Execution Input: the input is not JSON',
      );
    }
    const executionArn = `${machine.arn.replace(':stateMachine:', ':execution:')}:${name}`;
    const existing = this.records.get(executionArn);
    if (existing) {
      if (existing.status === 'RUNNING' && isDeepStrictEqual(JSON.parse(existing.input), parsedInput)) {
        return { executionArn, startDate: new Date(existing.startDate) };
      }
      throw new StepFunctionsError('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);
    }
    const record: ExecutionRecord = {
      executionArn,
      stateMachineArn: machine.arn,
      name,
      input,
      status: 'RUNNING',
      startDate: this.clock.now().toISOString(),
    };
    this.records.set(executionArn, record);
    try {
      await this.record(() => this.journal.started(record));
    } catch (error) {
      this.records.delete(executionArn);
      throw error;
    }
    this.launch(record, machine);
    return { executionArn, startDate: new Date(record.startDate) };
  }

  describeExecution(executionArn: string): ExecutionDescription {
    const record = this.recordOf(executionArn);
    return {
      ...this.listItem(record),
      input: record.input,
      ...(record.output !== undefined && { output: record.output }),
      ...(record.error !== undefined && { error: record.error }),
      ...(record.cause !== undefined && { cause: record.cause }),
    };
  }

  /** Newest first, like the API. */
  listExecutions(stateMachineArn: string, statusFilter?: ExecutionStatus): ExecutionListItem[] {
    const records = [...this.records.values()].filter((record) => record.stateMachineArn === stateMachineArn);
    if (!this.machines.has(stateMachineArn) && records.length === 0) {
      assertArn(stateMachineArn, 'stateMachine');
      throw new StepFunctionsError(
        'StateMachineDoesNotExist',
        `State Machine Does Not Exist: '${stateMachineArn}'`,
      );
    }
    return records
      .filter((record) => !statusFilter || record.status === statusFilter)
      .sort((a, b) => b.startDate.localeCompare(a.startDate))
      .map((record) => this.listItem(record));
  }

  async stopExecution(
    executionArn: string,
    options: { error?: string; cause?: string } = {},
  ): Promise<{ stopDate: Date }> {
    const record = this.recordOf(executionArn);
    const outcome: Outcome = { status: 'ABORTED', error: options.error, cause: options.cause };
    const live = this.live.get(executionArn);
    if (live) await this.terminate(live, outcome);
    else if (record.status === 'RUNNING') await this.close(record, outcome);
    return { stopDate: new Date(record.stopDate ?? this.clock.now()) };
  }

  /** Completes the callback task holding `token` with `output` (JSON text). */
  async sendTaskSuccess(token: string, output: string): Promise<void> {
    const task = this.waitingTask(token);
    let parsed: unknown;
    try {
      parsed = JSON.parse(output);
    } catch {
      throw new StepFunctionsError('InvalidOutput', 'Invalid Output: the output is not JSON');
    }
    task.status = 'succeeded';
    task.resolve(parsed);
    this.touch();
  }

  /** Fails the callback task holding `token`; Retry and Catch see `error` as the error name. */
  async sendTaskFailure(token: string, error?: string, cause?: string): Promise<void> {
    const task = this.waitingTask(token);
    task.status = 'failed';
    task.reject(new TaskFailure(error ?? '', cause ?? ''));
    this.touch();
  }

  /** Accepted for a waiting task (HeartbeatSeconds is not enforced locally). */
  async sendTaskHeartbeat(token: string): Promise<void> {
    this.waitingTask(token);
  }

  /**
   * Starts again every execution the journal shows RUNNING that is not running in this process
   * (see the class comment for why re-running from the original input is correct). Returns their ARNs.
   */
  async resumeInFlight(): Promise<string[]> {
    this.assertOpen();
    const resumed: string[] = [];
    for (const record of this.records.values()) {
      if (record.status !== 'RUNNING' || this.live.has(record.executionArn)) continue;
      const machine = this.machines.get(record.stateMachineArn);
      if (!machine) {
        console.warn(
          `Not resuming ${record.executionArn}: state machine ${record.stateMachineArn} is not registered`,
        );
        continue;
      }
      this.launch(record, machine);
      resumed.push(record.executionArn);
    }
    return resumed;
  }

  /**
   * Resolves once nothing makes progress: every running execution waits on a task token or a virtual
   * clock timer, no handler invocation or journal write is in flight, and that stays so over a few
   * event-loop turns (the library moves between states in promise callbacks).
   */
  async idle(): Promise<void> {
    for (;;) {
      if (this.inFlight > 0 || this.pendingWrites > 0) {
        await new Promise<void>((resolve) => this.changeListeners.push(resolve));
        continue;
      }
      const seen = this.activity;
      for (let turn = 0; turn < 3; turn++) await new Promise<void>((resolve) => setImmediate(resolve));
      if (this.inFlight === 0 && this.pendingWrites === 0 && this.activity === seen) return;
    }
  }

  /**
   * Stops all in-process work without touching the journal, as if the process were killed: running
   * executions stay RUNNING there and `resumeInFlight()` of the next engine starts them again.
   */
  async shutdown(): Promise<void> {
    this.closed = true;
    const error = new LocalRuntimeError('The local Step Functions engine shut down');
    for (const live of this.live.values()) this.release(live, error);
    this.live.clear();
    await this.journal.close();
  }

  private launch(record: ExecutionRecord, machine: RegisteredMachine): void {
    const live: LiveExecution = { record, machine, ended: false, pending: new Set(), abort: () => undefined };
    this.live.set(record.executionArn, live);
    const taskResourceLocalHandlers: TaskHandlers = {};
    for (const [stateName, plan] of machine.prepared.tasks) {
      taskResourceLocalHandlers[stateName] = (input) => this.runTask(live, plan, input) as Promise<JsonValue>;
    }
    const input = JSON.parse(record.input) as JsonValue;
    const run = machine.machine.run(input, {
      overrides: {
        taskResourceLocalHandlers,
        retryIntervalOverrides: Object.fromEntries(machine.prepared.retryStates.map((name) => [name, 0])),
      },
      noThrowOnAbort: true,
      context: {
        Execution: {
          Id: record.executionArn,
          Name: record.name,
          RoleArn: `arn:aws:iam::${record.executionArn.split(':')[4]}:role/local-step-functions`,
          RedriveCount: 0,
          LocalStartTime: record.startDate,
          LocalInput: input,
        },
        StateMachine: { Id: machine.arn, Name: machine.name },
        Task: { Token: TASK_TOKEN_PLACEHOLDER },
      },
    });
    live.abort = run.abort;
    void drain(run.eventLogs);
    const timeoutSeconds = machine.prepared.timeoutSeconds;
    if (timeoutSeconds !== undefined) {
      const deadline = new Date(Date.parse(record.startDate) + timeoutSeconds * 1000);
      live.timeout = this.clock.at(deadline, () =>
        this.terminate(live, {
          status: 'TIMED_OUT',
          error: 'States.Timeout',
          cause: 'The execution ran longer than its TimeoutSeconds',
        }),
      );
    }
    run.result
      .then(
        (output) => this.end(live, { status: 'SUCCEEDED', output: JSON.stringify(output) }),
        (error: unknown) => this.end(live, { status: 'FAILED', ...failureOf(error) }),
      )
      .catch((error: unknown) => console.error(`Could not record the end of ${record.executionArn}`, error));
    this.touch();
  }

  private async runTask(live: LiveExecution, plan: TaskPlan, input: unknown): Promise<unknown> {
    if (live.ended || this.closed)
      throw new LocalRuntimeError(`Execution ${live.record.executionArn} has ended`);
    if (plan.kind === 'wait') return this.runWait(live, plan, input);
    const { payload, timeoutSeconds } = unwrapTaskInput(plan, input);
    if (plan.kind === 'lambda-callback') return this.runCallback(live, plan, payload, timeoutSeconds);
    if (plan.kind === 'lambda-function') {
      return withRealTimeout(timeoutSeconds, this.invoke(live, plan, plan.resource, payload));
    }
    const { functionName, functionPayload } = invokeParameters(plan, payload);
    const result = await withRealTimeout(
      timeoutSeconds,
      this.invoke(live, plan, functionName, functionPayload),
    );
    return { ExecutedVersion: '$LATEST', Payload: result, StatusCode: 200 };
  }

  private async runWait(live: LiveExecution, plan: WaitPlan, input: unknown): Promise<unknown> {
    let passThrough = input;
    let seconds = plan.seconds;
    let timestamp = plan.timestamp;
    if (plan.fromPath) {
      const injected = input as Record<string, unknown>;
      passThrough = injected[INJECTED.input];
      const value = injected[plan.fromPath === 'seconds' ? INJECTED.waitSeconds : INJECTED.waitTimestamp];
      if (plan.fromPath === 'seconds') {
        if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
          throw new LocalRuntimeError(
            `Wait state ${plan.stateName}: SecondsPath must select a non-negative integer`,
          );
        }
        seconds = value;
      } else {
        if (typeof value !== 'string')
          throw new LocalRuntimeError(`Wait state ${plan.stateName}: TimestampPath must select a timestamp`);
        timestamp = value;
      }
    }
    const due =
      seconds !== undefined ? this.clock.now().getTime() + seconds * 1000 : Date.parse(timestamp ?? '');
    if (Number.isNaN(due))
      throw new LocalRuntimeError(`Wait state ${plan.stateName}: invalid timestamp "${timestamp}"`);
    const { promise, resolve, reject } = Promise.withResolvers<void>();
    const timer = this.clock.at(new Date(due), () => {
      resolve();
      this.touch();
    });
    const pending: Pending = { fail: reject, cancel: () => timer.cancel() };
    live.pending.add(pending);
    try {
      await promise;
    } finally {
      timer.cancel();
      live.pending.delete(pending);
    }
    return passThrough;
  }

  /**
   * `.waitForTaskToken`: a fresh token per attempt replaces the `$$.Task.Token` placeholder, the function
   * is invoked, and the task then waits for SendTaskSuccess/SendTaskFailure or its virtual-clock timeout.
   */
  private async runCallback(
    live: LiveExecution,
    plan: LambdaPlan,
    payload: unknown,
    timeoutSeconds: number | undefined,
  ): Promise<unknown> {
    const { functionName, functionPayload } = invokeParameters(plan, payload);
    const token = `lsf1.${randomBytes(32).toString('base64url')}`;
    const { promise, resolve, reject } = Promise.withResolvers<unknown>();
    promise.catch(() => undefined); // may fail while the invocation is still running; awaited below
    const task: TaskToken = { status: 'waiting', resolve, reject };
    this.tokens.set(token, task);
    const pending: Pending = {
      fail: (error) => {
        if (task.status !== 'waiting') return;
        task.status = 'closed';
        reject(error);
      },
      cancel: () => undefined,
    };
    live.pending.add(pending);
    const timer =
      timeoutSeconds === undefined
        ? undefined
        : this.clock.at(new Date(this.clock.now().getTime() + timeoutSeconds * 1000), async () => {
            if (task.status !== 'waiting') return;
            task.status = 'timed-out';
            reject(await statesTimeoutError());
            this.touch();
          });
    try {
      await this.invoke(live, plan, functionName, withToken(functionPayload, token));
      return await promise;
    } catch (error) {
      if (task.status === 'waiting') task.status = 'closed';
      throw error;
    } finally {
      timer?.cancel();
      live.pending.delete(pending);
    }
  }

  private async invoke(
    live: LiveExecution,
    plan: LambdaPlan,
    functionArn: string,
    payload: unknown,
  ): Promise<unknown> {
    this.inFlight++;
    this.touch();
    try {
      const context: InvocationContext = {
        executionArn: live.record.executionArn,
        stateName: plan.stateName,
        callback: plan.kind === 'lambda-callback',
      };
      return toJson(await live.machine.invokeFunction(functionArn, toJson(payload), context));
    } catch (error) {
      if (plan.hasRetry && this.retryPauseMs > 0) await sleep(this.retryPauseMs);
      // A task that exceeded its TimeoutSeconds (e.g. injected by task-faults.ts) must be the library's
      // own timeout error, or States.TaskFailed would match it, which it never does on AWS.
      if (error instanceof Error && error.name === 'States.Timeout') throw await statesTimeoutError();
      throw taskFailureOf(error);
    } finally {
      this.inFlight--;
      this.touch();
    }
  }

  private waitingTask(token: string): TaskToken {
    if (typeof token !== 'string' || !TOKEN_FORMAT.test(token)) {
      throw new StepFunctionsError('InvalidToken', 'Invalid token');
    }
    const task = this.tokens.get(token);
    if (!task) throw new StepFunctionsError('TaskDoesNotExist', 'Task does not exist');
    if (task.status !== 'waiting') {
      throw new StepFunctionsError('TaskTimedOut', "Task Timed Out: 'Provided task does not exist anymore'");
    }
    return task;
  }

  /** Ends a running execution from outside (StopExecution, execution timeout) and stops the library's run. */
  private async terminate(live: LiveExecution, outcome: Outcome): Promise<void> {
    const ended = this.end(live, outcome);
    live.abort();
    await ended;
  }

  private async end(live: LiveExecution, outcome: Outcome): Promise<void> {
    if (live.ended) return;
    this.release(live, new LocalRuntimeError(`Execution ${live.record.executionArn} has ended`));
    this.live.delete(live.record.executionArn);
    await this.close(live.record, outcome);
  }

  /** Lets go of everything the execution waits on, so the library's run (and its timers) can finish. */
  private release(live: LiveExecution, error: Error): void {
    live.ended = true;
    live.timeout?.cancel();
    for (const pending of live.pending) {
      pending.cancel();
      pending.fail(error);
    }
    live.pending.clear();
    if (this.closed) live.abort();
  }

  private async close(record: ExecutionRecord, outcome: Outcome): Promise<void> {
    record.status = outcome.status;
    record.stopDate = this.clock.now().toISOString();
    for (const field of ['output', 'error', 'cause'] as const) {
      const value = outcome[field];
      if (value === undefined || value === '') delete record[field];
      else record[field] = value;
    }
    this.touch();
    await this.record(() => this.journal.closedExecution(record));
  }

  /** Appends to the journal (not after shutdown, as if killed), counted as work in progress for `idle()`. */
  private async record(append: () => Promise<void>): Promise<void> {
    if (this.closed) return;
    this.pendingWrites++;
    try {
      await append();
    } catch (error) {
      console.error('Could not write the Step Functions journal', error);
      throw error;
    } finally {
      this.pendingWrites--;
      this.touch();
    }
  }

  private touch(): void {
    this.activity++;
    const listeners = this.changeListeners;
    this.changeListeners = [];
    for (const listener of listeners) listener();
  }

  private recordOf(executionArn: string): ExecutionRecord {
    const record = this.records.get(executionArn);
    if (record) return record;
    assertArn(executionArn, 'execution');
    throw new StepFunctionsError('ExecutionDoesNotExist', `Execution Does Not Exist: '${executionArn}'`);
  }

  private listItem(record: ExecutionRecord): ExecutionListItem {
    return {
      executionArn: record.executionArn,
      stateMachineArn: record.stateMachineArn,
      name: record.name,
      status: record.status,
      startDate: new Date(record.startDate),
      ...(record.stopDate !== undefined && { stopDate: new Date(record.stopDate) }),
    };
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('The local Step Functions engine has shut down');
  }
}

function assertArn(arn: string, kind: 'stateMachine' | 'execution'): void {
  const match = STATES_ARN.exec(String(arn));
  if (!match || match[1] !== kind) throw new StepFunctionsError('InvalidArn', `Invalid Arn: '${arn}'`);
}

/** Strips what prepareDefinition injected: the `TimeoutSecondsPath` value, and the input wrapper. */
function unwrapTaskInput(
  plan: LambdaPlan,
  input: unknown,
): { payload: unknown; timeoutSeconds: number | undefined } {
  if (!plan.timeoutFromPath) return { payload: input, timeoutSeconds: plan.timeoutSeconds };
  const { [INJECTED.timeoutSeconds]: timeout, ...rest } = input as Record<string, unknown>;
  if (typeof timeout !== 'number' || !Number.isInteger(timeout) || timeout < 1) {
    throw new LocalRuntimeError(
      `Task state ${plan.stateName}: TimeoutSecondsPath must select a positive integer, got ${JSON.stringify(timeout)}`,
    );
  }
  return { payload: plan.wrappedInput ? rest[INJECTED.input] : rest, timeoutSeconds: timeout };
}

function invokeParameters(
  plan: LambdaPlan,
  parameters: unknown,
): { functionName: string; functionPayload: unknown } {
  const { FunctionName, Payload } = (parameters ?? {}) as { FunctionName?: unknown; Payload?: unknown };
  if (typeof FunctionName !== 'string') {
    throw new LocalRuntimeError(
      `Task state ${plan.stateName}: Parameters.FunctionName must be a function ARN`,
    );
  }
  return { functionName: FunctionName, functionPayload: Payload ?? {} };
}

function withToken(value: unknown, token: string): unknown {
  if (typeof value === 'string') return value.replaceAll(TASK_TOKEN_PLACEHOLDER, token);
  if (Array.isArray(value)) return value.map((item) => withToken(item, token));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, withToken(item, token)]));
  }
  return value;
}

function withRealTimeout<T>(timeoutSeconds: number | undefined, work: Promise<T>): Promise<T> {
  if (timeoutSeconds === undefined) return work;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => void statesTimeoutError().then(reject),
      Math.min(timeoutSeconds * 1000, MAX_TIMER_MS),
    );
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** Lambda reports a thrown error as errorType = its name; Step Functions uses that as the task's Error. */
function taskFailureOf(error: unknown): TaskFailure {
  const errorType = error instanceof Error ? error.name : 'Error';
  const errorMessage = error instanceof Error ? error.message : String(error);
  return new TaskFailure(errorType, JSON.stringify({ errorType, errorMessage }));
}

function failureOf(error: unknown): Pick<Outcome, 'error' | 'cause'> {
  const cause = error instanceof ExecutionError ? error.cause : error;
  if (!(cause instanceof Error)) return { error: 'States.Runtime', cause: String(cause) };
  // The library names a Fail state without Error "FailStateError"; AWS leaves the error empty.
  return { error: cause.name === 'FailStateError' ? undefined : cause.name, cause: cause.message };
}

/** JSON in, JSON out, as across the Lambda boundary (undefined becomes null, Dates strings...). */
function toJson(value: unknown): JsonValue {
  return value === undefined ? null : (JSON.parse(JSON.stringify(value)) as JsonValue);
}

async function drain(events: AsyncGenerator<unknown>): Promise<void> {
  for await (const _ of events) {
    // The library queues every event until read; reading them keeps long executions from growing memory.
  }
}

/**
 * `States.TaskFailed` in Retry/Catch matches every error except the library's own StatesTimeoutError
 * class (an `instanceof` check), which it does not export. A timeout raised by this engine must be an
 * instance of that class, so the class is taken once from a probe Task that times out after 1 ms.
 */
let timeoutErrorClass: Promise<new () => Error> | undefined;

function statesTimeoutError(): Promise<Error> {
  timeoutErrorClass ??= (async () => {
    const probe = new StateMachine(
      {
        StartAt: 'Probe',
        States: {
          Probe: {
            Type: 'Task',
            Resource: 'arn:aws:lambda:eu-north-1:000000000000:function:probe',
            TimeoutSeconds: 0.001,
            End: true,
          },
        },
      },
      { validationOptions: { noValidate: true } },
    );
    try {
      await probe.run(
        {},
        { overrides: { taskResourceLocalHandlers: { Probe: () => new Promise(() => undefined) } } },
      ).result;
    } catch (error) {
      const cause = (error as Error).cause;
      if (cause instanceof Error && cause.name === 'States.Timeout')
        return cause.constructor as new () => Error;
    }
    throw new Error("Could not obtain aws-local-stepfunctions' States.Timeout error class");
  })();
  return timeoutErrorClass.then((ErrorClass) => new ErrorClass());
}
