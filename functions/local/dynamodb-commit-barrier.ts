import {
  Agent,
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type Server,
} from 'node:http';

/**
 * DynamoDB Local answers a `TransactWriteItems` about a millisecond before the transaction is committed
 * to its database file: a `kill -9` in that moment loses a write the caller was told had succeeded
 * (measured; see shared/design/local-stack.md). Real DynamoDB does not do this, so the fix lives here,
 * in the local stack's path to DynamoDB Local, and the handlers' code is the same as on AWS.
 *
 * This is a loopback proxy in front of DynamoDB Local. It forwards every request as it is. When a
 * transaction succeeds it holds the acknowledgement back until a strongly consistent read of an item
 * the transaction put, updated or deleted has been answered: DynamoDB Local serves a read only once
 * the commits before it are done (measured: any request after the acknowledgement, even a read of
 * another key, prevented the loss), so an acknowledged transaction is on disk before the handler
 * hears of it. One key per transaction, and one read for all the transactions acknowledged while the
 * previous read was under way: reading back every item of every transaction cost DynamoDB Local, which
 * serves one request at a time, about a third of its time under load.
 */
export interface CommitBarrier {
  endpoint: string;
  stop(): Promise<void>;
}

type AttributeMap = Record<string, unknown>;

interface TransactWriteRequest {
  TransactItems?: {
    Put?: { TableName: string; Item: AttributeMap };
    Update?: { TableName: string; Key: AttributeMap };
    Delete?: { TableName: string; Key: AttributeMap };
    ConditionCheck?: { TableName: string; Key: AttributeMap };
  }[];
}

interface KeysRead {
  Keys: AttributeMap[];
  ConsistentRead: true;
  ProjectionExpression: string;
  ExpressionAttributeNames: Record<string, string>;
}

interface WrittenKey {
  table: string;
  key: AttributeMap;
  /** The table and key as one string, to read each key once. */
  id: string;
}

const TARGET_PREFIX = 'DynamoDB_20120810.';
/** BatchGetItem reads at most 100 keys per request. */
const MAX_BATCH_GET_KEYS = 100;

export async function startCommitBarrier(options: {
  /** DynamoDB Local's endpoint, e.g. `http://127.0.0.1:8000`. */
  target: string;
  /** The key attribute names of each table, to read back what a transaction put. */
  keyAttributes: (tableName: string) => readonly string[];
}): Promise<CommitBarrier> {
  const target = new URL(options.target);
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });

  const forward = (method: string, path: string, headers: IncomingHttpHeaders, body: Buffer) =>
    new Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
      const outgoing = httpRequest(
        {
          host: target.hostname,
          port: target.port,
          method,
          path,
          agent,
          headers: { ...headers, host: target.host, 'content-length': String(body.length) },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () =>
            resolve({
              status: response.statusCode ?? 502,
              headers: response.headers,
              body: Buffer.concat(chunks),
            }),
          );
          response.on('error', reject);
        },
      );
      outgoing.on('error', reject);
      outgoing.end(body);
    });

  /** The first item a transaction puts, updates or deletes: the one read back to await its commit. */
  const firstWrittenKey = (requestBody: Buffer): WrittenKey | undefined => {
    const transaction = JSON.parse(requestBody.toString('utf8')) as TransactWriteRequest;
    for (const item of transaction.TransactItems ?? []) {
      const written = item.Put
        ? { table: item.Put.TableName, key: pick(item.Put.Item, options.keyAttributes(item.Put.TableName)) }
        : item.Update
          ? { table: item.Update.TableName, key: item.Update.Key }
          : item.Delete
            ? { table: item.Delete.TableName, key: item.Delete.Key }
            : undefined;
      if (written) return { ...written, id: `${written.table}\u0000${JSON.stringify(written.key)}` };
    }
    return undefined;
  };

  /**
   * Transactions waiting for their read-back. While one read is under way, the transactions
   * acknowledged meanwhile queue here and are read back together in the next one (a key of each, up to
   * BatchGetItem's 100 keys): under load one request serves many transactions, each read only after
   * its own acknowledgement.
   */
  const waiting: { key: WrittenKey; headers: IncomingHttpHeaders; done: (error?: unknown) => void }[] = [];
  let reading = false;

  const readBack = async (keys: WrittenKey[], headers: IncomingHttpHeaders) => {
    // Only the key attributes come back: the read is for its timing, not for the items.
    const requestItems: Record<string, KeysRead> = {};
    const seen = new Set<string>();
    for (const { table, key, id } of keys) {
      if (seen.has(id)) continue;
      seen.add(id);
      const names = options.keyAttributes(table);
      const reads = requestItems[table] ?? {
        Keys: [],
        ConsistentRead: true,
        ProjectionExpression: names.map((_, index) => `#k${index}`).join(', '),
        ExpressionAttributeNames: Object.fromEntries(names.map((name, index) => [`#k${index}`, name])),
      };
      reads.Keys.push(key);
      requestItems[table] = reads;
    }
    for (let pending = requestItems; Object.keys(pending).length > 0; ) {
      const read = await forward(
        'POST',
        '/',
        {
          'content-type': 'application/x-amz-json-1.0',
          'x-amz-target': `${TARGET_PREFIX}BatchGetItem`,
          authorization: headers.authorization,
          'x-amz-date': headers['x-amz-date'],
        },
        Buffer.from(JSON.stringify({ RequestItems: pending })),
      );
      if (read.status !== 200) {
        throw new Error(
          `DynamoDB Local refused the read-back of a transaction: ${read.body.toString('utf8')}`,
        );
      }
      // Keys left out of a response (over its 16 MB) are read in the next request.
      pending =
        (JSON.parse(read.body.toString('utf8')) as { UnprocessedKeys?: typeof requestItems })
          .UnprocessedKeys ?? {};
    }
  };

  const readWaiting = async () => {
    if (reading) return;
    reading = true;
    try {
      while (waiting.length > 0) {
        const group = waiting.splice(0, MAX_BATCH_GET_KEYS);
        try {
          await readBack(
            group.map((entry) => entry.key),
            group[0]!.headers,
          );
          for (const entry of group) entry.done();
        } catch (error) {
          for (const entry of group) entry.done(error);
        }
      }
    } finally {
      reading = false;
    }
  };

  /** Resolves once a strongly consistent read of an item the transaction wrote has been answered. */
  const awaitCommit = (headers: IncomingHttpHeaders, requestBody: Buffer) =>
    new Promise<void>((resolve, reject) => {
      const key = firstWrittenKey(requestBody);
      if (!key) return resolve();
      waiting.push({ key, headers, done: (error) => (error ? reject(error) : resolve()) });
      void readWaiting();
    });

  const server: Server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const body = Buffer.concat(chunks);
      void (async () => {
        const answer = await forward(incoming.method ?? 'POST', incoming.url ?? '/', incoming.headers, body);
        if (
          answer.status === 200 &&
          incoming.headers['x-amz-target'] === `${TARGET_PREFIX}TransactWriteItems`
        ) {
          await awaitCommit(incoming.headers, body);
        }
        const { connection: _connection, 'keep-alive': _keepAlive, ...headers } = answer.headers;
        outgoing.writeHead(answer.status, headers);
        outgoing.end(answer.body);
      })().catch((error: unknown) => {
        // The SDK retries a 500 with this error type, as it would a DynamoDB internal error.
        if (outgoing.headersSent) return outgoing.destroy();
        outgoing.writeHead(500, { 'content-type': 'application/x-amz-json-1.0' });
        outgoing.end(
          JSON.stringify({
            __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError',
            message: String(error),
          }),
        );
      });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      agent.destroy();
    },
  };
}

const pick = (item: AttributeMap, names: readonly string[]) =>
  Object.fromEntries(names.map((name) => [name, item[name]]));
