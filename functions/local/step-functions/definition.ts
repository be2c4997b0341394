import type { StateMachineDefinition } from 'aws-local-stepfunctions';

/**
 * Turns a deployed (JSONPath) state machine definition into what the local engine runs on
 * aws-local-stepfunctions, and records what the engine must drive itself:
 *
 * - JSONata (`QueryLanguage`, `Output`, `Arguments`, `Condition`, `Items`), `Assign` variables and
 *   Distributed Map are refused: the library silently ignores them, which would run a different workflow.
 * - Every `Wait` becomes a Task resolved through the virtual clock (the library sleeps with
 *   `setTimeout`, which fires a wait longer than 24.8 days at once).
 * - Task `TimeoutSeconds`/`TimeoutSecondsPath` are taken away from the library and enforced by the
 *   engine: callback tasks on the virtual clock, other tasks in real time. `TimeoutSecondsPath` is made
 *   available to the engine by an extra `Parameters` key evaluated on the state's effective input.
 * - The library applies its own 60 s default (and any value) with a real `setTimeout`, so every Task it
 *   sees gets `TimeoutSeconds: 2147483`, the largest delay `setTimeout` honours (24.8 days of real time).
 * - `$$.Execution.StartTime` and `$$.Execution.Input` are redirected to context fields the engine fills
 *   (the library overwrites them with the real start time, and with the branch input inside Parallel/Map).
 */

export const LAMBDA_INVOKE = 'arn:aws:states:::lambda:invoke';
export const LAMBDA_INVOKE_CALLBACK = 'arn:aws:states:::lambda:invoke.waitForTaskToken';
/** Resource of the Task states that replace `Wait` states. */
export const LOCAL_WAIT_RESOURCE = 'arn:aws:states:::local:wait';
/** floor((2^31 - 1) / 1000): above this, `setTimeout` fires after 1 ms. */
export const MAX_LIBRARY_TIMEOUT_SECONDS = 2_147_483;

/** Keys the engine adds to `Parameters` and strips again before anything else sees the payload. */
export const INJECTED = {
  input: '__localInput',
  timeoutSeconds: '__localTimeoutSeconds',
  waitSeconds: '__localWaitSeconds',
  waitTimestamp: '__localWaitTimestamp',
} as const;

const LAMBDA_FUNCTION_ARN =
  /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]+(:[A-Za-z0-9_$-]+)?$/;

export type TaskPlan = WaitPlan | LambdaPlan;

export interface WaitPlan {
  kind: 'wait';
  stateName: string;
  seconds?: number;
  timestamp?: string;
  /** `SecondsPath`/`TimestampPath`: the value arrives in an injected Parameters key. */
  fromPath?: 'seconds' | 'timestamp';
}

export interface LambdaPlan {
  /** `lambda:invoke` (result wrapped in `{StatusCode, Payload}`), its `.waitForTaskToken` form, or a plain function ARN. */
  kind: 'lambda-invoke' | 'lambda-callback' | 'lambda-function';
  stateName: string;
  resource: string;
  timeoutSeconds?: number;
  /** `TimeoutSecondsPath`: the value arrives in the injected `__localTimeoutSeconds` key. */
  timeoutFromPath: boolean;
  /** The state had no Parameters: its input was wrapped in `__localInput` next to the injected key. */
  wrappedInput: boolean;
  hasRetry: boolean;
}

export interface PreparedDefinition {
  /** What the library runs. */
  definition: StateMachineDefinition;
  /** Every Task state (including rewritten Waits) by name; the engine overrides each one. */
  tasks: Map<string, TaskPlan>;
  /** States with a Retry: the library's real-time pause between attempts is overridden. */
  retryStates: string[];
  /** The state machine's own `TimeoutSeconds`, enforced by the engine on the virtual clock. */
  timeoutSeconds?: number;
}

type Json = Record<string, unknown>;

const REFUSED_FIELDS: Record<string, string> = {
  QueryLanguage: 'JSONata',
  Output: 'JSONata',
  Arguments: 'JSONata',
  Items: 'JSONata',
  Assign: 'variables (Assign)',
};

export function prepareDefinition(asl: object): PreparedDefinition {
  const definition = structuredClone(asl) as Json;
  const prepared: PreparedDefinition = {
    definition: definition as unknown as StateMachineDefinition,
    tasks: new Map(),
    retryStates: [],
  };
  const seen = new Set<string>();
  if (definition.QueryLanguage !== undefined) refuse('The state machine', 'QueryLanguage', 'JSONata');
  if (typeof definition.TimeoutSeconds === 'number') {
    prepared.timeoutSeconds = definition.TimeoutSeconds;
    delete definition.TimeoutSeconds;
  }
  prepareStates(definition, prepared, seen);
  redirectContextPaths(definition);
  return prepared;
}

function prepareStates(machine: Json, prepared: PreparedDefinition, seen: Set<string>): void {
  const states = machine.States;
  if (!isObject(states) || typeof machine.StartAt !== 'string') {
    throw new Error('A state machine definition needs StartAt and States');
  }
  for (const [name, value] of Object.entries(states)) {
    if (!isObject(value)) throw new Error(`State "${name}" is not an object`);
    if (seen.has(name)) {
      throw new Error(
        `State name "${name}" is used twice; the local engine needs unique state names across branches`,
      );
    }
    seen.add(name);
    for (const [field, feature] of Object.entries(REFUSED_FIELDS)) {
      if (value[field] !== undefined) refuse(`State "${name}"`, field, feature);
    }
    if (Array.isArray(value.Retry) && value.Retry.length > 0) prepared.retryStates.push(name);
    switch (value.Type) {
      case 'Wait':
        states[name] = rewriteWait(name, value, prepared);
        break;
      case 'Task':
        prepareTask(name, value, prepared);
        break;
      case 'Choice':
        for (const rule of Array.isArray(value.Choices) ? value.Choices : []) {
          if (isObject(rule) && rule.Condition !== undefined)
            refuse(`Choice state "${name}"`, 'Condition', 'JSONata');
        }
        break;
      case 'Parallel':
        for (const branch of Array.isArray(value.Branches) ? value.Branches : []) {
          prepareStates(branch as Json, prepared, seen);
        }
        break;
      case 'Map': {
        const processor = (value.ItemProcessor ?? value.Iterator) as Json | undefined;
        const config = isObject(processor?.ProcessorConfig) ? processor.ProcessorConfig : {};
        if (config.Mode === 'DISTRIBUTED' || value.ItemReader || value.ResultWriter || value.ItemBatcher) {
          throw new Error(
            `Map state "${name}" is a Distributed Map, which the local engine does not support; use an inline Map`,
          );
        }
        if (processor) prepareStates(processor, prepared, seen);
        break;
      }
    }
  }
}

function refuse(where: string, field: string, feature: string): never {
  throw new Error(
    `${where} uses ${field}: the local Step Functions engine (aws-local-stepfunctions) does not support ${feature} ` +
      'and would silently run something else. Author workflows in JSONPath with intrinsic functions.',
  );
}

function rewriteWait(name: string, wait: Json, prepared: PreparedDefinition): Json {
  const plan: WaitPlan = { kind: 'wait', stateName: name };
  const task: Json = {
    Type: 'Task',
    Resource: LOCAL_WAIT_RESOURCE,
    TimeoutSeconds: MAX_LIBRARY_TIMEOUT_SECONDS,
  };
  for (const field of ['Comment', 'InputPath', 'OutputPath', 'Next', 'End']) {
    if (field in wait) task[field] = wait[field];
  }
  if (typeof wait.Seconds === 'number') plan.seconds = wait.Seconds;
  else if (typeof wait.Timestamp === 'string') plan.timestamp = wait.Timestamp;
  else if (typeof wait.SecondsPath === 'string') {
    plan.fromPath = 'seconds';
    task.Parameters = { [`${INJECTED.input}.$`]: '$', [`${INJECTED.waitSeconds}.$`]: wait.SecondsPath };
  } else if (typeof wait.TimestampPath === 'string') {
    plan.fromPath = 'timestamp';
    task.Parameters = { [`${INJECTED.input}.$`]: '$', [`${INJECTED.waitTimestamp}.$`]: wait.TimestampPath };
  } else {
    throw new Error(`Wait state "${name}" needs one of Seconds, Timestamp, SecondsPath or TimestampPath`);
  }
  prepared.tasks.set(name, plan);
  return task;
}

function prepareTask(name: string, task: Json, prepared: PreparedDefinition): void {
  const resource = String(task.Resource);
  let kind: LambdaPlan['kind'];
  if (resource === LAMBDA_INVOKE) kind = 'lambda-invoke';
  else if (resource === LAMBDA_INVOKE_CALLBACK) kind = 'lambda-callback';
  else if (LAMBDA_FUNCTION_ARN.test(resource)) kind = 'lambda-function';
  else {
    throw new Error(
      `Task state "${name}" uses resource ${resource}; the local engine supports ${LAMBDA_INVOKE}, ` +
        `${LAMBDA_INVOKE_CALLBACK} and Lambda function ARNs`,
    );
  }
  if (kind !== 'lambda-function' && !isObject(task.Parameters)) {
    throw new Error(`Task state "${name}" (${resource}) needs Parameters with FunctionName and Payload`);
  }
  const plan: LambdaPlan = {
    kind,
    stateName: name,
    resource,
    timeoutFromPath: false,
    wrappedInput: false,
    hasRetry: Array.isArray(task.Retry) && task.Retry.length > 0,
  };
  if (typeof task.TimeoutSeconds === 'number') plan.timeoutSeconds = task.TimeoutSeconds;
  else if (typeof task.TimeoutSecondsPath === 'string') {
    plan.timeoutFromPath = true;
    const injected = { [`${INJECTED.timeoutSeconds}.$`]: task.TimeoutSecondsPath };
    if (task.Parameters === undefined) {
      plan.wrappedInput = true;
      task.Parameters = { [`${INJECTED.input}.$`]: '$', ...injected };
    } else if (isObject(task.Parameters)) {
      task.Parameters = { ...task.Parameters, ...injected };
    } else {
      throw new Error(
        `Task state "${name}" has TimeoutSecondsPath and non-object Parameters, which the local engine cannot combine`,
      );
    }
  }
  delete task.TimeoutSecondsPath;
  task.TimeoutSeconds = MAX_LIBRARY_TIMEOUT_SECONDS;
  prepared.tasks.set(name, plan);
}

const CONTEXT_FIELD = /\$\$\.Execution\.(StartTime|Input)\b/g;

/** Redirects `$$.Execution.StartTime`/`Input` in every path and `.$` template value to the engine's own fields. */
function redirectContextPaths(value: unknown, key = ''): unknown {
  if (typeof value === 'string') {
    const isPath = key.endsWith('.$') || key.endsWith('Path') || key === 'Variable';
    return isPath ? value.replace(CONTEXT_FIELD, (_, field: string) => `$$.Execution.Local${field}`) : value;
  }
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) value[index] = redirectContextPaths(value[index], key);
    return value;
  }
  if (isObject(value)) {
    for (const [childKey, child] of Object.entries(value))
      value[childKey] = redirectContextPaths(child, childKey);
  }
  return value;
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
