import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalStepFunctions } from '../../../functions/local/step-functions/engine.ts';
import { VirtualClock } from '../../../functions/local/virtual-clock.ts';

export const START = new Date('2025-01-06T08:00:00.000Z');
export const DAY_MS = 86_400_000;

export const functionArn = (id: string) => `arn:aws:lambda:eu-north-1:000000000000:function:${id}`;
export const stateMachineArn = (id: string) => `arn:aws:states:eu-north-1:000000000000:stateMachine:${id}`;

export type Handler = (payload: unknown) => unknown;

export async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'local-sfn-'));
}

export interface Harness {
  dir: string;
  clock: VirtualClock;
  engine: LocalStepFunctions;
  /** Registers `definition` under `name`, its Lambda tasks served by `handlers` (keyed by function id). */
  register(name: string, definition: object, handlers: Record<string, Handler>): string;
  start(name: string, input?: unknown, executionName?: string): Promise<string>;
  advanceBy(duration: string): Promise<void>;
  status(executionArn: string): string;
  output(executionArn: string): unknown;
  close(): Promise<void>;
}

/** A clock and engine on `dir` (a fresh temp dir by default), the clock starting at START. */
export async function openHarness(dir?: string): Promise<Harness> {
  const dataDir = dir ?? (await tempDir());
  const clock = await VirtualClock.open(dataDir, { start: START });
  const engine = new LocalStepFunctions({ clock, dataDir, retryPauseMs: 5 });
  const settle = () => engine.idle();
  return {
    dir: dataDir,
    clock,
    engine,
    register(name, definition, handlers) {
      const arn = stateMachineArn(name);
      engine.registerStateMachine({
        arn,
        name,
        definition,
        invokeFunction: async (target, payload) => {
          const handler = handlers[target.split(':').pop()!];
          if (!handler) throw new Error(`No handler for ${target}`);
          return handler(payload);
        },
      });
      return arn;
    },
    async start(name, input = {}, executionName) {
      const { executionArn } = await engine.startExecution({
        stateMachineArn: stateMachineArn(name),
        name: executionName,
        input: JSON.stringify(input),
      });
      await engine.idle();
      return executionArn;
    },
    advanceBy: (duration) => clock.advanceBy(duration, settle),
    status: (executionArn) => engine.describeExecution(executionArn).status,
    output: (executionArn) => JSON.parse(engine.describeExecution(executionArn).output ?? 'null'),
    async close() {
      await engine.shutdown();
      clock.stop();
      await clock.flushed();
    },
  };
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

export function realDelay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A Lambda task invoking `functionId` with `payload` (lambda:invoke, result unwrapped from Payload). */
export function invokeTask(functionId: string, payload: object, rest: object): object {
  return {
    Type: 'Task',
    Resource: 'arn:aws:states:::lambda:invoke',
    Parameters: { FunctionName: functionArn(functionId), Payload: payload },
    ResultSelector: { 'value.$': '$.Payload' },
    ...rest,
  };
}

/** A `.waitForTaskToken` task invoking `functionId` with `payload` (which should carry `$$.Task.Token`). */
export function callbackTask(functionId: string, payload: object, rest: object): object {
  return {
    Type: 'Task',
    Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
    Parameters: { FunctionName: functionArn(functionId), Payload: payload },
    ...rest,
  };
}
