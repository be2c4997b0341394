import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LocalStack, startLocalStack } from '../../functions/local/local-stack.ts';
import { dynamoClient } from '../../functions/shared/clients.ts';
import type { ApiResponse } from './api-client.ts';
import { runRouteScenario } from './route-scenario.ts';

/**
 * DynamoDB round trips per HTTP request (issue 8): every route of the catalogue, called over HTTP on
 * the local stack in this process, in the realistic states of the shared scenario (route-scenario.ts).
 *
 * A round trip is one command sent by the handlers' DynamoDB client: a middleware on that client
 * counts them. The workflows' tasks run in the same process and use the same client while a request
 * is served (a submission starts a workflow whose first task reads the agreement at once); their
 * commands are told apart because every task invocation runs inside an AsyncLocalStorage context
 * (the local stack's `interceptTask`). The stack's clock is parked at midday in Oslo, so the daily
 * reminder run (07:00 Oslo) never fires during a measured request.
 */

export interface RouteRoundTrips {
  /** The catalogue's function id, e.g. `signAgreement`. */
  route: string;
  method: string;
  path: string;
  /** What state the request met, when a route is measured in more than one (e.g. the second signature). */
  variant: string;
  /** Whether the request carried an `Idempotency-Key`. */
  idempotencyKey: boolean;
  status: number;
  /** Round trips, i.e. DynamoDB commands sent while the handler served the request. */
  roundTrips: number;
  /** The commands in order, e.g. `['GetItem', 'TransactWriteItems']`. */
  commands: string[];
  /** What came back: headers, and the body parsed (JSON) or as bytes. */
  response: ApiResponse<unknown>;
}

const inTask = new AsyncLocalStorage<string>();

/** Counts the DynamoDB commands sent outside any workflow task while `measure` runs. */
class RoundTripCounter {
  private recording: string[] | undefined;

  install(): void {
    dynamoClient().middlewareStack.add(
      (next, context) => async (args) => {
        if (this.recording && inTask.getStore() === undefined) {
          this.recording.push(String(context.commandName ?? 'unknown').replace(/Command$/, ''));
        }
        return next(args);
      },
      { step: 'initialize', name: 'roundTripCounter', override: true },
    );
  }

  async measure<T>(run: () => Promise<T>): Promise<{ result: T; commands: string[] }> {
    const commands: string[] = [];
    this.recording = commands;
    try {
      return { result: await run(), commands };
    } finally {
      this.recording = undefined;
    }
  }
}

/** The local stack in this process with a round-trip counter on the handlers' DynamoDB client. */
export interface CountingStack {
  stack: LocalStack;
  url: string;
  counter: RoundTripCounter;
  stop(): Promise<void>;
}

/**
 * Starts the local stack in this process on an existing DynamoDB (Local), in a table of its own. One
 * in-process stack at a time: the handlers' clients and TABLE_NAME are per process.
 */
export async function startCountingStack(options: { dynamoEndpoint: string }): Promise<CountingStack> {
  const dataDir = await mkdtemp(join(tmpdir(), 'dpa-round-trips-'));
  const stack = await startLocalStack({
    port: 0,
    dataDir,
    dynamoEndpoint: options.dynamoEndpoint,
    dynamoInMemory: true,
    tableName: `t-${randomUUID()}`,
    // What requests send is counted here; the delivery the stream feeds is not a request's (and the
    // bench measures round trips with it on).
    deliverNotifications: false,
    interceptTask: (taskId, _payload, invoke) => inTask.run(taskId, invoke),
  });
  const counter = new RoundTripCounter();
  counter.install();
  return {
    stack,
    url: stack.url,
    counter,
    stop: async () => {
      await stack.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Runs the scenario (route-scenario.ts) once and returns the round trips of every request of it: every
 * route of the catalogue at least once. With `idempotencyKey`, every POST carries a fresh
 * `Idempotency-Key`. Each request must answer as the scenario expects, or this throws.
 */
export async function measureRoutes(
  local: CountingStack,
  options: { idempotencyKey: boolean },
): Promise<RouteRoundTrips[]> {
  const rows: RouteRoundTrips[] = [];
  await runRouteScenario(
    {
      url: local.url,
      settle: () => local.stack.stepFunctions.idle(),
      measure: async (request, send) => {
        const { result, commands } = await local.counter.measure(send);
        rows.push({
          ...request,
          status: result.status,
          roundTrips: commands.length,
          commands,
          response: result,
        });
        return result;
      },
    },
    options,
  );
  return rows;
}

/** One line per measured request, e.g. `signAgreement  POST /agreements/{id}/signatures ... 2`. */
export function formatRoundTrips(rows: readonly RouteRoundTrips[]): string {
  return rows
    .map(
      (row) =>
        `${row.route.padEnd(28)} ${`${row.method} ${row.path}`.padEnd(62)} ${row.variant.padEnd(40)} ` +
        `${row.idempotencyKey ? 'key' : '   '} ${String(row.roundTrips).padStart(2)}  ${row.commands.join(', ')}`,
    )
    .join('\n');
}
