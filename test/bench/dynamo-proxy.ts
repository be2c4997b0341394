import { Agent, createServer, request as httpRequest, type Server } from 'node:http';

/**
 * A counting HTTP proxy in front of DynamoDB Local: every request that reaches DynamoDB is one round
 * trip, recorded with its operation (from `x-amz-target`, e.g. `GetItem`, `Query`,
 * `TransactWriteItems`, `Scan`). The local stack is pointed at it with its `dynamoEndpoint` option,
 * so everything the stack sends to DynamoDB passes here, SDK retries included.
 *
 * The local stack's commit barrier (functions/local/dynamodb-commit-barrier.ts) sits between the
 * handlers and this proxy and sends one `BatchGetItem` of its own after each acknowledged transaction
 * (a read-back that makes DynamoDB Local durable before the handler hears of it; AWS has no such
 * thing). Those read-backs carry no `x-amz-user-agent` (the barrier builds them with plain
 * `node:http`, while every AWS SDK request carries one), so they are recorded as `fromSdk: false`
 * and left out of the round trips. So are the reads of the table's stream (`DynamoDBStreams_*`): on
 * AWS Lambda's event source mapping makes them, not a handler; the local stack's poller stands in for it.
 */
export interface ProxiedCall {
  seq: number;
  operation: string;
  /** Sent by an AWS SDK client (the handlers, the tasks, the stack's own set-up), not the barrier. */
  fromSdk: boolean;
  status: number;
}

export interface DynamoProxy {
  endpoint: string;
  /** Every call so far, oldest first. */
  readonly calls: readonly ProxiedCall[];
  /** Number of calls so far: `calls.slice(mark)` are the ones after a mark taken now. */
  mark(): number;
  /** Requests received and not yet answered. */
  inFlight(): number;
  /** Resolves once no request has been in flight for `quietMs`. */
  quiet(quietMs?: number): Promise<void>;
  stop(): Promise<void>;
}

const TARGET_PREFIX = 'DynamoDB_20120810.';
const STREAMS_TARGET_PREFIX = 'DynamoDBStreams_20120810.';

export async function startDynamoProxy(target: string): Promise<DynamoProxy> {
  const upstream = new URL(target);
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const calls: ProxiedCall[] = [];
  let inFlight = 0;
  let lastActivity = performance.now();

  const server: Server = createServer((incoming, outgoing) => {
    inFlight++;
    lastActivity = performance.now();
    const targetHeader = String(incoming.headers['x-amz-target'] ?? '');
    const call: ProxiedCall = {
      seq: calls.length,
      operation: targetHeader.startsWith(TARGET_PREFIX)
        ? targetHeader.slice(TARGET_PREFIX.length)
        : targetHeader || `${incoming.method} ${incoming.url}`,
      fromSdk: incoming.headers['x-amz-user-agent'] !== undefined,
      status: 0,
    };
    calls.push(call);
    const done = () => {
      inFlight--;
      lastActivity = performance.now();
    };
    const forwarded = httpRequest(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: incoming.method,
        path: incoming.url,
        agent,
        headers: { ...incoming.headers, host: upstream.host },
      },
      (answer) => {
        call.status = answer.statusCode ?? 0;
        const { connection: _connection, 'keep-alive': _keepAlive, ...headers } = answer.headers;
        outgoing.writeHead(answer.statusCode ?? 502, headers);
        answer.pipe(outgoing);
        answer.on('end', done);
        answer.on('error', done);
      },
    );
    forwarded.on('error', (error) => {
      done();
      call.status = 502;
      if (outgoing.headersSent) outgoing.destroy();
      else {
        outgoing.writeHead(502, { 'content-type': 'text/plain' });
        outgoing.end(String(error));
      }
    });
    incoming.pipe(forwarded);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    calls,
    mark: () => calls.length,
    inFlight: () => inFlight,
    quiet: async (quietMs = 30) => {
      while (inFlight > 0 || performance.now() - lastActivity < quietMs) {
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    },
    stop: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      agent.destroy();
    },
  };
}

/** The SDK calls among `calls`, as `{ operation: count }`, and their total. */
export function countOperations(calls: readonly ProxiedCall[]): {
  total: number;
  byOperation: Record<string, number>;
  sequence: string[];
} {
  const sdk = calls.filter((call) => call.fromSdk && !call.operation.startsWith(STREAMS_TARGET_PREFIX));
  const byOperation: Record<string, number> = {};
  for (const call of sdk) byOperation[call.operation] = (byOperation[call.operation] ?? 0) + 1;
  return { total: sdk.length, byOperation, sequence: sdk.map((call) => call.operation) };
}
