import { afterEach, describe, expect, it } from 'vitest';
import { StepFunctionsError } from '../../../functions/local/step-functions/errors.ts';
import {
  callbackTask,
  DAY_MS,
  functionArn,
  type Harness,
  invokeTask,
  openHarness,
  realDelay,
  removeDir,
  START,
  stateMachineArn,
} from './engine-fixture.ts';

const harnesses: Harness[] = [];

async function harness(): Promise<Harness> {
  const opened = await openHarness();
  harnesses.push(opened);
  return opened;
}

afterEach(async () => {
  for (const opened of harnesses.splice(0)) {
    await opened.close();
    await removeDir(opened.dir);
  }
});

/** Records the virtual time each call happens at, and what it was called with. */
function recorder() {
  const calls: Array<{ at: string; payload: unknown }> = [];
  return {
    calls,
    handler: (clock: Harness['clock']) => (payload: unknown) =>
      calls.push({ at: clock.now().toISOString(), payload }),
  };
}

const days = (count: number) => new Date(START.getTime() + count * DAY_MS).toISOString();

/** Virtual time `count` days after the execution started. */
const daysAfterStart = (h: Harness, executionArn: string, count: number) =>
  h.engine.describeExecution(executionArn).startDate.getTime() + count * DAY_MS;

/**
 * The clock ticks with real time until an advance, so a state entered a few milliseconds after the
 * execution started waits from then: expect the instant within the second the test takes.
 */
function expectAround(actual: string | Date | undefined, expectedMs: number): void {
  const drift = new Date(actual ?? Number.NaN).getTime() - expectedMs;
  expect(drift).toBeGreaterThanOrEqual(0);
  expect(drift).toBeLessThan(1000);
}

async function errorOf(work: Promise<unknown>): Promise<Error> {
  try {
    await work;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

describe('LocalStepFunctions: Wait states on the virtual clock', () => {
  it('holds a 92-day Wait (Seconds) until the clock is advanced past it', async () => {
    const h = await harness();
    const { calls, handler } = recorder();
    h.register(
      'wait-seconds',
      {
        StartAt: 'Hold',
        States: {
          Hold: { Type: 'Wait', Seconds: 92 * 86_400, Next: 'Record' },
          Record: invokeTask('record', { 'id.$': '$.id' }, { End: true }),
        },
      },
      { record: handler(h.clock) },
    );
    const arn = await h.start('wait-seconds', { id: 'a-1' });

    await realDelay(100);
    expect(h.status(arn)).toBe('RUNNING');
    await h.advanceBy('P91D');
    expect(h.status(arn)).toBe('RUNNING');
    expect(calls).toEqual([]);
    await h.advanceBy('P2D');

    expect(h.status(arn)).toBe('SUCCEEDED');
    expect(calls.map((call) => call.payload)).toEqual([{ id: 'a-1' }]);
    expectAround(calls[0]?.at, daysAfterStart(h, arn, 92));
  });

  it('holds a Wait until a Timestamp 92 days ahead and passes its input through', async () => {
    const h = await harness();
    h.register(
      'wait-timestamp',
      { StartAt: 'Hold', States: { Hold: { Type: 'Wait', Timestamp: days(92), End: true } } },
      {},
    );
    const arn = await h.start('wait-timestamp', { id: 'a-2', nested: { keep: true } });

    await realDelay(100);
    await h.advanceBy('P91DT23H');
    expect(h.status(arn)).toBe('RUNNING');
    await h.advanceBy('PT1H');

    expect(h.status(arn)).toBe('SUCCEEDED');
    expect(h.output(arn)).toEqual({ id: 'a-2', nested: { keep: true } });
  });

  it('reads SecondsPath and TimestampPath from the input and applies InputPath and OutputPath like a Wait', async () => {
    const h = await harness();
    h.register(
      'wait-paths',
      {
        StartAt: 'BySeconds',
        States: {
          BySeconds: { Type: 'Wait', SecondsPath: '$.seconds', Next: 'ByTimestamp' },
          ByTimestamp: {
            Type: 'Wait',
            TimestampPath: '$.until',
            InputPath: '$',
            OutputPath: '$.agreement',
            End: true,
          },
        },
      },
      {},
    );
    const arn = await h.start('wait-paths', { seconds: 86_400, until: days(3), agreement: { id: 'a-3' } });

    await h.advanceBy('P2D');
    expect(h.status(arn)).toBe('RUNNING');
    await h.advanceBy('P1D');

    expect(h.status(arn)).toBe('SUCCEEDED');
    expect(h.output(arn)).toEqual({ id: 'a-3' });
  });

  it('runs the timers of several executions in time order within one advance', async () => {
    const h = await harness();
    const { calls, handler } = recorder();
    h.register(
      'two-waits',
      {
        StartAt: 'First',
        States: {
          First: { Type: 'Wait', SecondsPath: '$.first', Next: 'RecordFirst' },
          RecordFirst: invokeTask(
            'record',
            { 'label.$': "States.Format('{} first', $.label)" },
            { ResultPath: null, Next: 'Second' },
          ),
          Second: { Type: 'Wait', Seconds: 86_400, Next: 'RecordSecond' },
          RecordSecond: invokeTask(
            'record',
            { 'label.$': "States.Format('{} second', $.label)" },
            { End: true },
          ),
        },
      },
      { record: handler(h.clock) },
    );
    const a = await h.start('two-waits', { label: 'A', first: 86_400 });
    const b = await h.start('two-waits', { label: 'B', first: 129_600 });

    await h.advanceBy('P5D');

    expect(calls.map((call) => call.payload)).toEqual([
      { label: 'A first' },
      { label: 'B first' },
      { label: 'A second' },
      { label: 'B second' },
    ]);
    expectAround(calls[0]?.at, daysAfterStart(h, a, 1));
    expectAround(calls[1]?.at, daysAfterStart(h, b, 1.5));
    expectAround(calls[2]?.at, daysAfterStart(h, a, 2));
    expectAround(calls[3]?.at, daysAfterStart(h, b, 2.5));
  });
});

describe('LocalStepFunctions: callback tasks', () => {
  it('completes a callback task with SendTaskSuccess, passing the issued token to the function', async () => {
    const h = await harness();
    const payloads: Array<{ id: string; token: string }> = [];
    h.register(
      'callback',
      {
        StartAt: 'Await',
        States: {
          Await: callbackTask(
            'await',
            { 'id.$': '$.id', 'token.$': '$$.Task.Token' },
            { ResultPath: '$.signed', End: true },
          ),
        },
      },
      { await: (payload) => void payloads.push(payload as { id: string; token: string }) },
    );
    const arn = await h.start('callback', { id: 'a-4' });
    expect(h.status(arn)).toBe('RUNNING');
    expect(payloads).toHaveLength(1);
    const token = payloads[0]!.token;
    expect(payloads[0]).toEqual({ id: 'a-4', token });

    await h.engine.sendTaskSuccess(token, JSON.stringify({ by: 'controller' }));
    await h.engine.idle();

    expect(h.status(arn)).toBe('SUCCEEDED');
    expect(h.output(arn)).toEqual({ id: 'a-4', signed: { by: 'controller' } });
  });

  it('gives each parallel branch its own token and waits for both', async () => {
    const h = await harness();
    const tokens: Record<string, string> = {};
    const branch = (party: string) => ({
      StartAt: `Await ${party}`,
      States: {
        [`Await ${party}`]: callbackTask('await', { party, 'token.$': '$$.Task.Token' }, { End: true }),
      },
    });
    h.register(
      'parallel-callbacks',
      {
        StartAt: 'Both',
        States: {
          Both: { Type: 'Parallel', Branches: [branch('controller'), branch('processor')], End: true },
        },
      },
      {
        await: (payload) => {
          const { party, token } = payload as { party: string; token: string };
          tokens[party] = token;
        },
      },
    );
    const arn = await h.start('parallel-callbacks');
    expect(Object.keys(tokens).sort()).toEqual(['controller', 'processor']);
    expect(tokens.controller).not.toBe(tokens.processor);

    await h.engine.sendTaskSuccess(tokens.processor!, '"processor signed"');
    await h.engine.idle();
    expect(h.status(arn)).toBe('RUNNING');
    await h.engine.sendTaskSuccess(tokens.controller!, '"controller signed"');
    await h.engine.idle();

    expect(h.status(arn)).toBe('SUCCEEDED');
    expect(h.output(arn)).toEqual(['controller signed', 'processor signed']);
  });

  it('times a callback out after 30 virtual days (TimeoutSecondsPath), caught as States.Timeout, never early in real time', async () => {
    const h = await harness();
    const { calls, handler } = recorder();
    let issued: { id: string; token: string } | undefined;
    h.register(
      'callback-timeout',
      {
        StartAt: 'Await',
        States: {
          Await: callbackTask(
            'await',
            { 'id.$': '$.id', 'token.$': '$$.Task.Token' },
            {
              TimeoutSecondsPath: '$.deadline.secondsLeft',
              Catch: [
                { ErrorEquals: ['States.TaskFailed'], ResultPath: '$.error', Next: 'Wrong' },
                { ErrorEquals: ['States.Timeout'], ResultPath: '$.error', Next: 'Expire' },
              ],
              End: true,
            },
          ),
          Wrong: { Type: 'Fail', Error: 'WrongCatcher' },
          Expire: invokeTask('record', { 'id.$': '$.id' }, { ResultPath: null, End: true }),
        },
      },
      {
        await: (payload) => {
          issued = payload as { id: string; token: string };
        },
        record: handler(h.clock),
      },
    );
    const arn = await h.start('callback-timeout', { id: 'a-5', deadline: { secondsLeft: 30 * 86_400 } });
    expect(issued).toEqual({ id: 'a-5', token: issued?.token });

    await realDelay(1200);
    expect(h.status(arn)).toBe('RUNNING');
    await h.advanceBy('P29D');
    expect(h.status(arn)).toBe('RUNNING');
    await h.advanceBy('P2D');

    expect(h.status(arn)).toBe('SUCCEEDED');
    expect(h.output(arn)).toMatchObject({ id: 'a-5', error: { Error: 'States.Timeout' } });
    expect(calls.map((call) => call.payload)).toEqual([{ id: 'a-5' }]);
    expectAround(calls[0]?.at, daysAfterStart(h, arn, 30));
    const late = await errorOf(h.engine.sendTaskSuccess(issued!.token, '{}'));
    expect(late).toBeInstanceOf(StepFunctionsError);
    expect(late.name).toBe('TaskTimedOut');
  });

  it('fails the task with the error SendTaskFailure names, for Catch to route', async () => {
    const h = await harness();
    let token = '';
    h.register(
      'callback-failure',
      {
        StartAt: 'Await',
        States: {
          Await: callbackTask(
            'await',
            { 'token.$': '$$.Task.Token' },
            {
              Catch: [{ ErrorEquals: ['SignatureRejected'], ResultPath: '$.error', Next: 'Rejected' }],
              End: true,
            },
          ),
          Rejected: { Type: 'Pass', End: true },
        },
      },
      {
        await: (payload) => {
          token = (payload as { token: string }).token;
        },
      },
    );
    const arn = await h.start('callback-failure');

    await h.engine.sendTaskFailure(token, 'SignatureRejected', 'the processor declined');
    await h.engine.idle();

    expect(h.output(arn)).toEqual({ error: { Error: 'SignatureRejected', Cause: 'the processor declined' } });
  });

  it('answers unknown and malformed tokens as AWS does', async () => {
    const h = await harness();

    const unknown = await errorOf(h.engine.sendTaskSuccess(`lsf1.${'A'.repeat(43)}`, '{}'));
    const malformed = await errorOf(h.engine.sendTaskHeartbeat('not-a-token'));

    expect(unknown.name).toBe('TaskDoesNotExist');
    expect(malformed.name).toBe('InvalidToken');
  });
});

describe('LocalStepFunctions: Lambda errors, Retry and Catch', () => {
  it('retries a transient Lambda.ServiceException without the real-time interval', async () => {
    const h = await harness();
    let attempts = 0;
    h.register(
      'retry',
      {
        StartAt: 'Flaky',
        States: {
          Flaky: invokeTask(
            'flaky',
            { 'id.$': '$.id' },
            {
              Retry: [
                {
                  ErrorEquals: ['Lambda.ServiceException'],
                  IntervalSeconds: 30,
                  MaxAttempts: 3,
                  BackoffRate: 2,
                },
              ],
              End: true,
            },
          ),
        },
      },
      {
        flaky: () => {
          attempts++;
          if (attempts === 1)
            throw Object.assign(new Error('Lambda was busy'), { name: 'Lambda.ServiceException' });
          return { ok: true };
        },
      },
    );
    const started = Date.now();

    const arn = await h.start('retry', { id: 'a-6' });

    expect(h.status(arn)).toBe('SUCCEEDED');
    expect(h.output(arn)).toEqual({ value: { ok: true } });
    expect(attempts).toBe(2);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('catches a handler error by its name, with the Lambda-style cause', async () => {
    class SigningClosed extends Error {
      override name = 'SigningClosed';
    }
    const h = await harness();
    h.register(
      'catch',
      {
        StartAt: 'Sign',
        States: {
          Sign: invokeTask(
            'sign',
            {},
            {
              Catch: [
                { ErrorEquals: ['Other'], Next: 'Unexpected' },
                { ErrorEquals: ['SigningClosed'], ResultPath: '$.error', Next: 'Closed' },
              ],
              End: true,
            },
          ),
          Unexpected: { Type: 'Fail' },
          Closed: { Type: 'Succeed' },
        },
      },
      {
        sign: () => {
          throw new SigningClosed('the agreement is no longer awaiting signatures');
        },
      },
    );

    const arn = await h.start('catch', { id: 'a-7' });

    expect(h.status(arn)).toBe('SUCCEEDED');
    expect(h.output(arn)).toEqual({
      id: 'a-7',
      error: {
        Error: 'SigningClosed',
        Cause: JSON.stringify({
          errorType: 'SigningClosed',
          errorMessage: 'the agreement is no longer awaiting signatures',
        }),
      },
    });
  });

  it('fails the execution with the error name and cause when nothing catches it', async () => {
    const h = await harness();
    h.register(
      'uncaught',
      { StartAt: 'Run', States: { Run: { Type: 'Task', Resource: functionArn('run'), End: true } } },
      {
        run: () => {
          throw new RangeError('out of range');
        },
      },
    );

    const arn = await h.start('uncaught');

    expect(h.engine.describeExecution(arn)).toMatchObject({
      status: 'FAILED',
      error: 'RangeError',
      cause: JSON.stringify({ errorType: 'RangeError', errorMessage: 'out of range' }),
    });
  });

  it('returns a plain Lambda ARN task’s result unwrapped and a lambda:invoke result wrapped in Payload', async () => {
    const h = await harness();
    h.register(
      'results',
      {
        StartAt: 'Plain',
        States: {
          Plain: { Type: 'Task', Resource: functionArn('double'), ResultPath: '$.plain', Next: 'Wrapped' },
          Wrapped: {
            Type: 'Task',
            Resource: 'arn:aws:states:::lambda:invoke',
            Parameters: { FunctionName: functionArn('double'), 'Payload.$': '$' },
            ResultSelector: { 'status.$': '$.StatusCode', 'value.$': '$.Payload' },
            ResultPath: '$.wrapped',
            End: true,
          },
        },
      },
      { double: (payload) => (payload as { n: number }).n * 2 },
    );

    const arn = await h.start('results', { n: 21 });

    expect(h.output(arn)).toEqual({ n: 21, plain: 42, wrapped: { status: 200, value: 42 } });
  });
});

describe('LocalStepFunctions: executions', () => {
  const waitForever = {
    StartAt: 'Hold',
    States: { Hold: { Type: 'Wait', Seconds: 365 * 86_400, End: true } },
  };

  it('returns the running execution for a repeated name and input, and refuses a different input', async () => {
    const h = await harness();
    h.register('idempotent', waitForever, {});
    const first = await h.engine.startExecution({
      stateMachineArn: stateMachineArn('idempotent'),
      name: 'agreement-1',
      input: '{"a":1}',
    });

    const again = await h.engine.startExecution({
      stateMachineArn: stateMachineArn('idempotent'),
      name: 'agreement-1',
      input: '{ "a": 1 }',
    });
    const conflict = await errorOf(
      h.engine.startExecution({
        stateMachineArn: stateMachineArn('idempotent'),
        name: 'agreement-1',
        input: '{"a":2}',
      }),
    );

    expect(again).toEqual(first);
    expect(first.executionArn).toBe(
      'arn:aws:states:eu-north-1:000000000000:execution:idempotent:agreement-1',
    );
    expect(conflict.name).toBe('ExecutionAlreadyExists');
    expect(h.engine.listExecutions(stateMachineArn('idempotent'))).toHaveLength(1);
  });

  it('refuses to reuse the name of a closed execution, as AWS does', async () => {
    const h = await harness();
    h.register('closed', { StartAt: 'Done', States: { Done: { Type: 'Pass', End: true } } }, {});
    const arn = await h.start('closed', { a: 1 }, 'once');
    expect(h.status(arn)).toBe('SUCCEEDED');

    const again = await errorOf(
      h.engine.startExecution({ stateMachineArn: stateMachineArn('closed'), name: 'once', input: '{"a":1}' }),
    );

    expect(again.name).toBe('ExecutionAlreadyExists');
  });

  it('stops an execution waiting on a callback, closing its token', async () => {
    const h = await harness();
    let token = '';
    let invocations = 0;
    h.register(
      'stoppable',
      {
        StartAt: 'Await',
        States: { Await: callbackTask('await', { 'token.$': '$$.Task.Token' }, { End: true }) },
      },
      {
        await: (payload) => {
          invocations++;
          token = (payload as { token: string }).token;
        },
      },
    );
    const arn = await h.start('stoppable');

    const { stopDate } = await h.engine.stopExecution(arn, {
      error: 'Cancelled',
      cause: 'the agreement was cancelled',
    });
    await h.engine.idle();

    expect(h.engine.describeExecution(arn)).toMatchObject({
      status: 'ABORTED',
      error: 'Cancelled',
      cause: 'the agreement was cancelled',
      stopDate,
    });
    expect((await errorOf(h.engine.sendTaskSuccess(token, '{}'))).name).toBe('TaskTimedOut');
    expect(invocations).toBe(1);
  });

  it('times out a whole execution on the virtual clock (state machine TimeoutSeconds)', async () => {
    const h = await harness();
    h.register('bounded', { ...waitForever, TimeoutSeconds: 7 * 86_400 }, {});
    const arn = await h.start('bounded');

    await h.advanceBy('P6D');
    expect(h.status(arn)).toBe('RUNNING');
    await h.advanceBy('P1D');

    const execution = h.engine.describeExecution(arn);
    expect(execution.status).toBe('TIMED_OUT');
    expect(execution.stopDate).toEqual(new Date(daysAfterStart(h, arn, 7)));
  });

  it('gives the context object the execution’s ARN, name and virtual start time', async () => {
    const h = await harness();
    await h.advanceBy('P3D');
    h.register(
      'context',
      {
        StartAt: 'Describe',
        States: {
          Describe: {
            Type: 'Pass',
            Parameters: {
              'id.$': '$$.Execution.Id',
              'name.$': '$$.Execution.Name',
              'started.$': '$$.Execution.StartTime',
              'input.$': '$$.Execution.Input',
            },
            End: true,
          },
        },
      },
      {},
    );

    const arn = await h.start('context', { x: 1 }, 'ctx');

    const output = h.output(arn) as { id: string; name: string; started: string; input: unknown };
    expect(output).toMatchObject({ id: arn, name: 'ctx', input: { x: 1 } });
    expect(Date.parse(output.started) - Date.parse(days(3))).toBeLessThan(2000);
    expect(Date.parse(output.started)).toBeGreaterThanOrEqual(Date.parse(days(3)));
  });

  it('lists executions newest first, filtered by status', async () => {
    const h = await harness();
    h.register('listed', waitForever, {});
    const older = await h.start('listed', {}, 'older');
    await h.advanceBy('PT1M');
    const newer = await h.start('listed', {}, 'newer');
    await h.engine.stopExecution(older);

    expect(h.engine.listExecutions(stateMachineArn('listed')).map((item) => item.executionArn)).toEqual([
      newer,
      older,
    ]);
    expect(h.engine.listExecutions(stateMachineArn('listed'), 'ABORTED').map((item) => item.name)).toEqual([
      'older',
    ]);
    expect(
      await errorOf(Promise.resolve().then(() => h.engine.listExecutions(stateMachineArn('nope')))),
    ).toMatchObject({
      name: 'StateMachineDoesNotExist',
    });
  });

  it('answers ExecutionDoesNotExist for an unknown execution', () => {
    return harness().then((h) => {
      expect(() =>
        h.engine.describeExecution('arn:aws:states:eu-north-1:000000000000:execution:x:y'),
      ).toThrow(expect.objectContaining({ name: 'ExecutionDoesNotExist' }));
    });
  });
});

describe('LocalStepFunctions: durability', () => {
  it('resumes a RUNNING execution after a crash under the same ARN, re-issuing its callback token', async () => {
    const dirOwner = await harness();
    const issued: string[] = [];
    const definition = {
      StartAt: 'Await',
      States: {
        Await: callbackTask(
          'await',
          { 'id.$': '$.id', 'token.$': '$$.Task.Token' },
          { ResultPath: '$.signed', End: true },
        ),
      },
    };
    const handlers = { await: (payload: unknown) => void issued.push((payload as { token: string }).token) };
    dirOwner.register('durable', definition, handlers);
    const arn = await dirOwner.start('durable', { id: 'a-8' }, 'a-8');
    expect(issued).toHaveLength(1);

    // Engine A is dropped as if killed: nothing is flushed or marked. Engine B opens the same data.
    const restarted = await openHarness(dirOwner.dir);
    restarted.register('durable', definition, handlers);
    const resumed = await restarted.engine.resumeInFlight();
    await restarted.engine.idle();
    try {
      expect(resumed).toEqual([arn]);
      expect(issued).toHaveLength(2);
      expect(issued[1]).not.toBe(issued[0]);
      expect((await errorOf(restarted.engine.sendTaskSuccess(issued[0]!, '{}'))).name).toBe(
        'TaskDoesNotExist',
      );

      await restarted.engine.sendTaskSuccess(issued[1]!, '{"by":"both"}');
      await restarted.engine.idle();

      expect(restarted.engine.describeExecution(arn)).toMatchObject({
        status: 'SUCCEEDED',
        output: JSON.stringify({ id: 'a-8', signed: { by: 'both' } }),
      });
    } finally {
      await restarted.close();
    }
  });

  it('keeps finished executions in the journal across a restart and does not run them again', async () => {
    const first = await harness();
    let runs = 0;
    const definition = {
      StartAt: 'Run',
      States: { Run: { Type: 'Task', Resource: functionArn('run'), End: true } },
    };
    first.register('journal', definition, { run: () => ++runs });
    const arn = await first.start('journal', {}, 'done');
    await first.engine.idle();

    const second = await openHarness(first.dir);
    second.register('journal', definition, { run: () => ++runs });
    try {
      expect(await second.engine.resumeInFlight()).toEqual([]);
      expect(second.engine.describeExecution(arn)).toMatchObject({ status: 'SUCCEEDED', output: '1' });
      expect(runs).toBe(1);
    } finally {
      await second.close();
    }
  });
});
