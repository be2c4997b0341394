import { afterEach, describe, expect, it } from 'vitest';
import {
  createTaskFaults,
  type TaskFaultOptions,
  type TaskInvocation,
  taskFaultSettingsFromEnv,
} from '../../../functions/local/task-faults.ts';
import { callbackTask, type Harness, invokeTask, openHarness, removeDir } from './engine-fixture.ts';

const requestResponse: TaskInvocation = {
  taskId: 'activateAgreement',
  executionArn: 'arn:aws:states:eu-north-1:000000000000:execution:signing:a-1-v2',
  stateName: 'ConfirmOutcome',
  callback: false,
};
const callback: TaskInvocation = {
  ...requestResponse,
  taskId: 'awaitSignature',
  stateName: 'Await',
  callback: true,
};

interface Outcome {
  ran: boolean;
  error?: string;
}

/** Runs `count` invocations through the faults and tells for each whether the handler ran and how it ended. */
async function outcomes(options: TaskFaultOptions, count: number, invocation = requestResponse) {
  const faults = createTaskFaults({ log: () => undefined, ...options });
  const results: Outcome[] = [];
  for (let index = 0; index < count; index++) {
    let ran = false;
    try {
      await faults.run({ ...invocation, stateName: `S${index}` }, async () => {
        ran = true;
        return { ok: true };
      });
      results.push({ ran });
    } catch (error) {
      results.push({ ran, error: (error as Error).name });
    }
  }
  return results;
}

describe('task faults', () => {
  it('never fails an invocation at rate 0, and fails every one at rate 1', async () => {
    expect((await outcomes({ rate: 0 }, 200)).every((outcome) => !outcome.error && outcome.ran)).toBe(true);
    expect((await outcomes({ rate: 1 }, 200)).every((outcome) => outcome.error)).toBe(true);
  });

  it('fails about `rate` of the invocations, with the three kinds about equally often', async () => {
    const results = await outcomes({ rate: 0.3, seed: 42 }, 30_000);
    const failed = results.filter((outcome) => outcome.error);

    expect(failed.length / results.length).toBeCloseTo(0.3, 1);
    for (const kind of ['Lambda.ServiceException', 'Lambda.TooManyRequestsException', 'States.Timeout']) {
      expect(failed.filter((outcome) => outcome.error === kind).length / failed.length).toBeCloseTo(1 / 3, 1);
    }
  });

  it('repeats the same faults for the same seed and others for another seed', async () => {
    const first = await outcomes({ rate: 0.3, seed: 7 }, 500);
    const again = await outcomes({ rate: 0.3, seed: 7 }, 500);
    const other = await outcomes({ rate: 0.3, seed: 8 }, 500);

    expect(again).toEqual(first);
    expect(other).not.toEqual(first);
  });

  it('fails a service error or throttling before the handler runs: the failed invocation did no work', async () => {
    const results = await outcomes({ rate: 1, seed: 3 }, 300);
    const refused = results.filter((outcome) => outcome.error?.startsWith('Lambda.'));

    expect(refused.length).toBeGreaterThan(0);
    expect(refused.every((outcome) => !outcome.ran)).toBe(true);
  });

  it('times out half the time after the handler ran, its result lost', async () => {
    const timeouts = (await outcomes({ rate: 1, seed: 5 }, 3000)).filter(
      (outcome) => outcome.error === 'States.Timeout',
    );
    const afterRun = timeouts.filter((outcome) => outcome.ran).length;

    expect(afterRun / timeouts.length).toBeCloseTo(0.5, 1);
  });

  it('times out a callback task as its Invoke call, never as States.Timeout, which is the callback deadline', async () => {
    const errors = new Set(
      (await outcomes({ rate: 1, seed: 9 }, 300, callback)).map((outcome) => outcome.error),
    );

    expect([...errors].sort()).toEqual([
      'Lambda.ClientExecutionTimeoutException',
      'Lambda.ServiceException',
      'Lambda.TooManyRequestsException',
    ]);
  });

  it('logs each fault on one line with the task, the attempt within its state, the kind and the seed', async () => {
    const lines: string[] = [];
    const faults = createTaskFaults({ rate: 1, seed: 11, log: (line) => lines.push(line) });
    const attempt = () => faults.run(requestResponse, async () => 'done').catch(() => undefined);

    await attempt();
    await attempt();
    await faults.run({ ...requestResponse, stateName: 'Other' }, async () => 'done').catch(() => undefined);

    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(
      /^task-fault seed=11 task=activateAgreement state=ConfirmOutcome attempt=1 fault=(Lambda\.ServiceException|Lambda\.TooManyRequestsException|States\.Timeout)( after-handler-ran)? execution=a-1-v2$/,
    );
    expect(lines[1]).toContain(' attempt=2 ');
    expect(lines[2]).toContain(' state=Other attempt=1 ');
  });

  it('counts attempts afresh once an invocation of the state succeeded', async () => {
    const lines: string[] = [];
    // Seed 2 at rate 0.5: find a fault, a success, and a fault again on one state.
    const faults = createTaskFaults({ rate: 0.5, seed: 2, log: (line) => lines.push(line) });
    const attempts: string[] = [];
    for (let index = 0; index < 40; index++) {
      const before = lines.length;
      await faults.run(requestResponse, async () => 'done').catch(() => undefined);
      attempts.push(lines.length > before ? /attempt=(\d+)/.exec(lines.at(-1)!)![1]! : 'ok');
    }

    const afterSuccess = attempts.findIndex(
      (value, index) => index > 0 && attempts[index - 1] === 'ok' && value !== 'ok',
    );
    expect(afterSuccess).toBeGreaterThan(0);
    expect(attempts[afterSuccess]).toBe('1');
    expect(attempts.some((value) => Number(value) >= 2)).toBe(true);
  });
});

describe('LOCAL_TASK_FAULT_RATE and LOCAL_TASK_FAULT_SEED', () => {
  it('default to no faults and seed 1', () => {
    expect(taskFaultSettingsFromEnv({})).toEqual({ rate: 0, seed: 1 });
    expect(taskFaultSettingsFromEnv({ LOCAL_TASK_FAULT_RATE: '', LOCAL_TASK_FAULT_SEED: ' ' })).toEqual({
      rate: 0,
      seed: 1,
    });
  });

  it('read a rate from 0 to 1 and an integer seed', () => {
    expect(taskFaultSettingsFromEnv({ LOCAL_TASK_FAULT_RATE: '0.3', LOCAL_TASK_FAULT_SEED: '7' })).toEqual({
      rate: 0.3,
      seed: 7,
    });
    expect(taskFaultSettingsFromEnv({ LOCAL_TASK_FAULT_RATE: '1' }).rate).toBe(1);
  });

  it.each([
    '1.5',
    '-0.1',
    'abc',
    '30%',
    '0x1',
    'Infinity',
  ])('refuse the rate %s, naming the setting', (rate) => {
    expect(() => taskFaultSettingsFromEnv({ LOCAL_TASK_FAULT_RATE: rate })).toThrow(/LOCAL_TASK_FAULT_RATE/);
  });

  it.each(['1.5', 'seed', '9007199254740993'])('refuse the seed %s, naming the setting', (seed) => {
    expect(() => taskFaultSettingsFromEnv({ LOCAL_TASK_FAULT_SEED: seed })).toThrow(/LOCAL_TASK_FAULT_SEED/);
  });
});

describe('the local engine sees a failed task invocation as Step Functions does', () => {
  let h: Harness | undefined;

  afterEach(async () => {
    await h?.close();
    if (h) await removeDir(h.dir);
    h = undefined;
  });

  const named = (name: string) => Object.assign(new Error(`injected ${name}`), { name });

  /** One task failing with `errors` in turn (then succeeding), with the given Retry and Catch. */
  async function run(errors: string[], retryAndCatch: object, task = invokeTask) {
    h = await openHarness();
    let calls = 0;
    h.register(
      'faulty',
      {
        StartAt: 'Work',
        States: {
          Work: task(
            'work',
            { 'token.$': '$$.Task.Token' },
            { ...retryAndCatch, ResultPath: '$.work', End: true },
          ),
          ...('Catch' in retryAndCatch && { Caught: { Type: 'Pass', End: true } }),
        },
      },
      {
        work: (payload) => {
          const error = errors[calls++];
          if (error) throw named(error);
          if (task === callbackTask) {
            void h!.engine.sendTaskSuccess((payload as { token: string }).token, '{"done":true}');
          }
          return { done: true };
        },
      },
    );
    const arn = await h.start('faulty');
    return {
      calls,
      execution: h.engine.describeExecution(arn),
      output: h.output(arn) as Record<string, unknown>,
    };
  }

  it('matches Lambda.ServiceException in a Retry by its exact name', async () => {
    const { calls, execution } = await run(['Lambda.ServiceException', 'Lambda.TooManyRequestsException'], {
      Retry: [
        { ErrorEquals: ['Lambda.ServiceException', 'Lambda.TooManyRequestsException'], MaxAttempts: 2 },
      ],
    });

    expect(execution.status).toBe('SUCCEEDED');
    expect(calls).toBe(3);
  });

  it('retries States.Timeout with a States.Timeout retrier', async () => {
    const { calls, execution } = await run(['States.Timeout'], {
      Retry: [{ ErrorEquals: ['States.Timeout'], MaxAttempts: 1 }],
    });

    expect(execution.status).toBe('SUCCEEDED');
    expect(calls).toBe(2);
  });

  it('does not let States.TaskFailed match a timeout, as on AWS', async () => {
    const { calls, execution, output } = await run(['States.Timeout'], {
      Retry: [{ ErrorEquals: ['States.TaskFailed'], MaxAttempts: 3 }],
      Catch: [
        { ErrorEquals: ['States.TaskFailed'], ResultPath: '$.wrong', Next: 'Caught' },
        { ErrorEquals: ['States.Timeout'], ResultPath: '$.timeout', Next: 'Caught' },
      ],
    });

    expect(calls).toBe(1);
    expect(execution.status).toBe('SUCCEEDED');
    expect(output).toHaveProperty('timeout.Error', 'States.Timeout');
    expect(output).not.toHaveProperty('wrong');
  });

  it('retries a callback task whose Invoke call timed out, which then completes with a new token', async () => {
    const { calls, execution } = await run(
      ['Lambda.ClientExecutionTimeoutException'],
      {
        Retry: [{ ErrorEquals: ['Lambda.ClientExecutionTimeoutException'], MaxAttempts: 1 }],
        TimeoutSeconds: 3600,
      },
      callbackTask,
    );

    expect(execution.status).toBe('SUCCEEDED');
    expect(calls).toBe(2);
  });
});
