import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StateMachine } from 'aws-local-stepfunctions';
import { httpFunctions, reminderSchedule, taskFunctions } from '../../functions/catalogue.ts';
import { lambdaContext } from '../../functions/local/api-gateway.ts';
import { startDynamoDbLocal } from '../../functions/local/dynamodb-local.ts';
import { type LocalStack, startLocalStack } from '../../functions/local/local-stack.ts';
import { fromRepoRoot } from '../../infra/paths.ts';
import { ApiClient, CONTROLLER_ORG } from '../support/api-client.ts';
import { runRouteScenario } from '../support/route-scenario.ts';
import { countOperations, type DynamoProxy, type ProxiedCall, startDynamoProxy } from './dynamo-proxy.ts';

/**
 * DynamoDB round trips per API request, counted on the wire: the local stack runs in this process on
 * an in-memory DynamoDB Local, with a counting proxy (dynamo-proxy.ts) between them. Every route of
 * the catalogue is called over HTTP in the realistic states of the scenario the e2e test runs too
 * (test/support/route-scenario.ts), first without and then with an `Idempotency-Key` on every POST.
 *
 * Attribution: what DynamoDB sees while a request is served belongs to that request, except what the
 * workflows' tasks send. The stack's `interceptTask` hook holds every task invocation back while a
 * request is measured (a gate) and lets it run once the response is in and the proxy is quiet; the
 * next request waits until the workflows are idle. The clock is parked at midday in Oslo, so the
 * daily run (07:00) never fires during a request.
 *
 * The same run gives three more figures: Scans anywhere (requests, workflow tasks, daily runs, set-up),
 * the daily reminder run's round trips when nothing is due, and the billed state transitions of a
 * whole lifecycle (signing to IN_FORCE, termination to CLOSED) on the local Step Functions engine.
 */

export interface RouteRoundTrip {
  route: string;
  method: string;
  path: string;
  variant: string;
  /** Pass 1 sends no Idempotency-Key; pass 2 repeats the scenario with one on every POST. */
  pass: 1 | 2;
  idempotencyKey: boolean;
  status: number;
  roundTrips: number;
  byOperation: Record<string, number>;
  sequence: string[];
}

export interface TransitionCount {
  stateMachine: string;
  /** `StateEntered` events: every state a Standard workflow bills as a transition. */
  entered: number;
  /** `StateRetried` events: AWS bills a retry as a transition too. */
  retried: number;
}

export interface RoundTripResults {
  routes: RouteRoundTrip[];
  /** Routes of the catalogue the scenario did not reach (should be none). */
  unmeasured: string[];
  /** Scans anywhere in the run (requests, tasks, daily runs, set-up). */
  scans: number;
  /** All SDK calls of the run by operation, and the commit barrier's read-backs (not round trips). */
  allCalls: Record<string, number>;
  barrierReadBacks: number;
  reminderRun: { roundTrips: number; byOperation: Record<string, number> };
  lifecycle: {
    agreementId: string;
    executions: TransitionCount[];
    transitions: number;
    finalStatus: string;
  };
  /** Every amendment workflow of the scenario (one signed into force at once, one withdrawn). */
  amendments: TransitionCount[];
}

/** Every execution the engine starts, with its state transitions (bench instrumentation). */
interface ObservedExecution extends TransitionCount {
  input: string;
}
const observed: ObservedExecution[] = [];
let instrumented = false;

/**
 * Counts the events of every execution run by aws-local-stepfunctions in this process: the engine
 * (functions/local/step-functions/engine.ts) reads each execution's `eventLogs` to the end, so a
 * generator that counts and passes them on changes nothing. Nested runs (Parallel branches, Map
 * iterations) forward their events to the execution's own log, so only top-level runs are counted.
 */
function instrumentStateMachines(): void {
  if (instrumented) return;
  instrumented = true;
  type Run = StateMachine['run'];
  const original: Run = StateMachine.prototype.run;
  StateMachine.prototype.run = function run(this: StateMachine, ...args: Parameters<Run>) {
    const execution = original.apply(this, args);
    const [input, options] = args;
    const nested = options !== undefined && '_rootAbortSignal' in options;
    if (nested) return execution;
    const record: ObservedExecution = {
      stateMachine: String(
        (options?.context as { StateMachine?: { Name?: string } } | undefined)?.StateMachine?.Name ??
          'unknown',
      ),
      input: JSON.stringify(input),
      entered: 0,
      retried: 0,
    };
    observed.push(record);
    const events = execution.eventLogs;
    execution.eventLogs = (async function* counted() {
      for await (const event of events) {
        if (event.type === 'StateEntered') record.entered++;
        else if (event.type === 'StateRetried') record.retried++;
        yield event;
      }
    })();
    return execution;
  } as Run;
}

/** Holds workflow task invocations back while a request is measured. */
class TaskGate {
  private closed = false;
  private waiting: (() => void)[] = [];
  close(): void {
    this.closed = true;
  }
  open(): void {
    this.closed = false;
    for (const release of this.waiting.splice(0)) release();
  }
  async pass(): Promise<void> {
    if (this.closed) await new Promise<void>((resolve) => this.waiting.push(resolve));
  }
}

interface Bench {
  stack: LocalStack;
  proxy: DynamoProxy;
  gate: TaskGate;
}

async function settle(bench: Bench): Promise<void> {
  bench.gate.open();
  await bench.stack.stepFunctions.idle();
  // The notifications of the request delivered (rule 15: the stream consumer is gated like a task).
  await bench.stack.deliveries.drain();
  await bench.stack.stepFunctions.idle();
  await bench.proxy.quiet();
}

/**
 * One pass of the scenario (test/support/route-scenario.ts) over every route; returns its rows and the
 * agreement that went through the whole lifecycle. A request is counted from the proxy's mark until
 * the proxy is quiet after its response, with the workflows' tasks held back by the gate meanwhile.
 */
async function measureRoutes(
  bench: Bench,
  options: { idempotencyKey: boolean },
): Promise<{ rows: RouteRoundTrip[]; lifecycleId: string }> {
  const { stack, proxy, gate } = bench;
  const rows: RouteRoundTrip[] = [];
  const { lifecycleId } = await runRouteScenario(
    {
      url: stack.url,
      settle: () => settle(bench),
      measure: async (request, send) => {
        gate.close();
        const mark = proxy.mark();
        const response = await send();
        await proxy.quiet();
        const counted = countOperations(proxy.calls.slice(mark));
        rows.push({
          ...request,
          pass: options.idempotencyKey ? 2 : 1,
          status: response.status,
          roundTrips: counted.total,
          byOperation: counted.byOperation,
          sequence: counted.sequence,
        });
        return response;
      },
    },
    options,
  );
  return { rows, lifecycleId };
}

export async function measureRoundTrips(): Promise<RoundTripResults> {
  instrumentStateMachines();
  const dynamo = await startDynamoDbLocal();
  const dataDir = await mkdtemp(join(tmpdir(), 'dpa-bench-round-trips-'));
  let proxy: DynamoProxy | undefined;
  let stack: LocalStack | undefined;
  try {
    proxy = await startDynamoProxy(dynamo.endpoint);
    const gate = new TaskGate();
    stack = await startLocalStack({
      port: 0,
      dataDir,
      dynamoEndpoint: proxy.endpoint,
      tableName: `bench-${randomUUID()}`,
      interceptTask: async (_taskId, _payload, invoke) => {
        await gate.pass();
        return invoke();
      },
    });
    const bench: Bench = { stack, proxy, gate };
    const firstExecution = observed.length;
    const unkeyed = await measureRoutes(bench, { idempotencyKey: false });
    const keyed = await measureRoutes(bench, { idempotencyKey: true });
    await settle(bench);

    // The daily run, called as EventBridge Scheduler calls it, at a moment when nothing is due: the
    // clock's own 07:00 run of today has sent everything due today.
    const reminderTask = taskFunctions.find((task) => task.id === reminderSchedule.taskId);
    if (!reminderTask) throw new Error(`No task ${reminderSchedule.taskId} in the catalogue`);
    const { handler } = (await import(fromRepoRoot(reminderTask.entry))) as {
      handler: (event: unknown, context: unknown) => Promise<unknown>;
    };
    const mark = proxy.mark();
    await handler({}, lambdaContext(reminderTask.id));
    await proxy.quiet();
    const reminderRun = countOperations(proxy.calls.slice(mark));

    const lifecycleExecutions = observed
      .slice(firstExecution)
      .filter(
        (execution) =>
          execution.input.includes(unkeyed.lifecycleId) &&
          ['signing', 'termination'].includes(execution.stateMachine),
      );
    const lifecycleState = await (await ApiClient.forOrganisation(stack.url, CONTROLLER_ORG)).get<{
      status: string;
    }>(`/agreements/${unkeyed.lifecycleId}`);
    const all = countOperations(proxy.calls);
    const routes = [...unkeyed.rows, ...keyed.rows];
    const measured = new Set(routes.map((row) => row.route));
    return {
      routes,
      unmeasured: httpFunctions.map((fn) => fn.id).filter((id) => !measured.has(id)),
      scans: proxy.calls.filter((call: ProxiedCall) => call.operation === 'Scan').length,
      allCalls: all.byOperation,
      barrierReadBacks: proxy.calls.filter((call) => !call.fromSdk).length,
      reminderRun: { roundTrips: reminderRun.total, byOperation: reminderRun.byOperation },
      lifecycle: {
        agreementId: unkeyed.lifecycleId,
        executions: lifecycleExecutions.map(({ stateMachine, entered, retried }) => ({
          stateMachine,
          entered,
          retried,
        })),
        transitions: lifecycleExecutions.reduce((sum, run) => sum + run.entered + run.retried, 0),
        finalStatus: lifecycleState.body.status,
      },
      amendments: observed
        .slice(firstExecution)
        .filter((execution) => execution.stateMachine === 'amendment')
        .map(({ stateMachine, entered, retried }) => ({ stateMachine, entered, retried })),
    };
  } finally {
    await stack?.stop();
    await proxy?.stop();
    await dynamo.stop();
    await rm(dataDir, { recursive: true, force: true, maxRetries: 3 });
  }
}
