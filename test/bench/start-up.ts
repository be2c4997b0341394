import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startDynamoDbLocal } from '../../functions/local/dynamodb-local.ts';
import { type StopResult, startLocalStack } from './local-stack-process.ts';
import { median, round } from './stats.ts';

/**
 * Start-up of the local stack against its floor, DynamoDB Local alone, alternating run by run:
 * - the stack as `npm start` runs it (`node --import tsx functions/local/main.ts`, in its own process,
 *   empty data directory), from spawning `node` to its ready line;
 * - DynamoDB Local started exactly as the stack starts it (`startDynamoDbLocal` of
 *   functions/local/dynamodb-local.ts: `java -jar DynamoDBLocal.jar` behind its watchdog shell, on an
 *   empty `-dbPath`), from the spawn until it answers ListTables (polled every 100 ms, as in the stack).
 */
export interface StartUpRun {
  run: number;
  stackReadyMs: number;
  /** What `main.ts` reports for its own start-up (without Node and tsx), when it says. */
  stackInProcessMs: number | undefined;
  dynamoReadyMs: number;
  stop: StopResult;
}

export interface StartUpResult {
  runs: StartUpRun[];
  stackMedianMs: number;
  dynamoMedianMs: number;
  ratio: number;
  stopMedianMs: number;
}

export async function measureStartUp(options: {
  runs: number;
  dataRoot: string;
  timeoutMs: number;
  stopTimeoutMs: number;
  progress: (line: string) => void;
}): Promise<{ result?: StartUpResult; errors: string[] }> {
  const runs: StartUpRun[] = [];
  const errors: string[] = [];
  for (let run = 1; run <= options.runs; run++) {
    const measureStack = async () => {
      const stack = await startLocalStack({
        dataDir: join(options.dataRoot, `stack-${run}`),
        timeoutMs: options.timeoutMs,
        stopTimeoutMs: options.stopTimeoutMs,
      });
      const stop = await stack.stop();
      if (stop.leftover.length) {
        errors.push(`start ${run}: still running 5 s after the stack exited: ${stop.leftover.join(' | ')}`);
      }
      return { stackReadyMs: stack.readyMs, stackInProcessMs: stack.inProcessMs, stop };
    };
    const measureDynamo = async () => {
      const dataDir = join(options.dataRoot, `dynamodb-${run}`);
      await mkdir(dataDir, { recursive: true });
      const started = performance.now();
      const dynamo = await startDynamoDbLocal({ dataDir });
      const dynamoReadyMs = round(performance.now() - started);
      await dynamo.stop();
      return dynamoReadyMs;
    };
    try {
      let stack: Awaited<ReturnType<typeof measureStack>>;
      let dynamoReadyMs: number;
      if (run % 2 === 1) {
        stack = await measureStack();
        dynamoReadyMs = await measureDynamo();
      } else {
        dynamoReadyMs = await measureDynamo();
        stack = await measureStack();
      }
      runs.push({ run, ...stack, dynamoReadyMs });
      options.progress(
        `  run ${run}: stack ready in ${Math.round(stack.stackReadyMs)} ms, DynamoDB Local alone in ` +
          `${Math.round(dynamoReadyMs)} ms; stack stopped in ${Math.round(stack.stop.stopMs)} ms`,
      );
    } catch (error) {
      errors.push(`start-up run ${run}: ${error instanceof Error ? error.message : error}`);
    }
  }
  if (runs.length === 0) return { errors };
  const stackMedianMs = Math.round(median(runs.map((run) => run.stackReadyMs)));
  const dynamoMedianMs = Math.round(median(runs.map((run) => run.dynamoReadyMs)));
  return {
    result: {
      runs,
      stackMedianMs,
      dynamoMedianMs,
      ratio: round(stackMedianMs / dynamoMedianMs, 2),
      stopMedianMs: Math.round(median(runs.map((run) => run.stop.stopMs))),
    },
    errors,
  };
}
