import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import type { StreamConsumer } from '../catalogue.ts';

/**
 * What Lambda's event source mapping does on AWS, for the local stack: reads the table's stream from
 * DynamoDB Local, keeps the records the consumer's filter matches (the catalogue's filter, the one CDK
 * deploys), and invokes the consumer's handler with them in batches shaped as Lambda's DynamoDB event.
 *
 * - Records are handed over in stream order, one batch at a time per shard.
 * - A batch item failure (or a thrown error) makes the batch be tried again from the first failed
 *   record, up to `RETRY_ATTEMPTS` times with a pause that doubles; then the records are written to
 *   `<dataDir>/stream-dead-letters.<consumer>.jsonl` (the local dead-letter queue) and the poller moves on.
 * - Where it got to is kept in `<dataDir>/stream-checkpoint.<consumer>.json` after every batch, so a restart goes
 *   on from there: a record is handed over at least once, as on AWS.
 * - It polls every `pollIntervalMs` of real time (the stream is real time on AWS too; the virtual
 *   clock only moves what workflows and daily runs wait for).
 */
export interface TableStreamPoller {
  /** Resolves when every record written before the call has been handed over (or dead-lettered). */
  drain(): Promise<void>;
  stop(): Promise<void>;
}

export interface TableStreamPollerOptions {
  endpoint: string;
  region: string;
  tableName: string;
  dataDir: string;
  consumer: StreamConsumer;
  invoke: (event: { Records: LambdaStreamRecord[] }) => Promise<unknown>;
  pollIntervalMs?: number;
  retryPauseMs?: number;
}

/** A stream record as Lambda hands it to a function (times in epoch seconds). */
export interface LambdaStreamRecord {
  eventID?: string;
  eventName?: string;
  eventVersion?: string;
  eventSource: 'aws:dynamodb';
  awsRegion: string;
  eventSourceARN: string;
  dynamodb: Record<string, unknown> & { SequenceNumber?: string };
}

interface Checkpoint {
  streamArn: string;
  /** The last sequence number handed over (or dead-lettered), per shard. */
  shards: Record<string, string>;
}

const RETRY_ATTEMPTS = 10;
const DESCRIBE_EVERY_MS = 10_000;
/** Each consumer keeps its own place in the stream, as each event source mapping does on AWS. */
export const checkpointFile = (consumer: StreamConsumer) => `stream-checkpoint.${consumer.id}.json`;
export const deadLetterFile = (consumer: StreamConsumer) => `stream-dead-letters.${consumer.id}.jsonl`;

export async function startTableStreamPoller(options: TableStreamPollerOptions): Promise<TableStreamPoller> {
  const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
  const dynamo = new DynamoDBClient({ endpoint: options.endpoint, region: options.region, credentials });
  const streams = new DynamoDBStreamsClient({
    endpoint: options.endpoint,
    region: options.region,
    credentials,
  });
  const described = await dynamo.send(new DescribeTableCommand({ TableName: options.tableName }));
  dynamo.destroy();
  const streamArn = described.Table?.LatestStreamArn;
  if (!streamArn) throw new Error(`The table ${options.tableName} has no stream`);

  const checkpointPath = join(options.dataDir, checkpointFile(options.consumer));
  const checkpoint = await readCheckpoint(checkpointPath, streamArn);
  const iterators = new Map<string, string | null>();
  const pollIntervalMs = options.pollIntervalMs ?? 100;
  const retryPauseMs = options.retryPauseMs ?? 200;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  await mkdir(options.dataDir, { recursive: true });

  const saveCheckpoint = async () => {
    const temporary = `${checkpointPath}.tmp`;
    await writeFile(temporary, JSON.stringify(checkpoint));
    await rename(temporary, checkpointPath);
  };

  const iteratorOf = async (shardId: string): Promise<string | null> => {
    const known = iterators.get(shardId);
    if (known !== undefined) return known;
    const after = checkpoint.shards[shardId];
    const { ShardIterator } = await streams.send(
      new GetShardIteratorCommand({
        StreamArn: streamArn,
        ShardId: shardId,
        ...(after
          ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: after }
          : { ShardIteratorType: 'TRIM_HORIZON' }),
      }),
    );
    return ShardIterator ?? null;
  };

  const handOver = async (records: LambdaStreamRecord[]) => {
    let pending = records;
    for (let attempt = 0; pending.length > 0; attempt += 1) {
      // Stopping: the checkpoint is not moved past these, so the next start hands them over again.
      if (stopped) throw new Error('The poller was stopped');
      let failedFrom: string | undefined;
      try {
        const result = (await options.invoke({ Records: pending })) as
          | { batchItemFailures?: { itemIdentifier: string }[] }
          | undefined;
        const failed = new Set((result?.batchItemFailures ?? []).map((failure) => failure.itemIdentifier));
        failedFrom = pending.find((record) => failed.has(record.dynamodb.SequenceNumber!))?.dynamodb
          .SequenceNumber;
      } catch (error) {
        console.error(`Stream consumer ${options.consumer.taskId} failed: ${(error as Error).message}`);
        failedFrom = pending[0]!.dynamodb.SequenceNumber;
      }
      if (failedFrom === undefined) return;
      pending = pending.slice(pending.findIndex((record) => record.dynamodb.SequenceNumber === failedFrom));
      if (attempt + 1 >= RETRY_ATTEMPTS) {
        const lines = pending.map((record) => `${JSON.stringify(record)}\n`).join('');
        await writeFile(join(options.dataDir, deadLetterFile(options.consumer)), lines, { flag: 'a' });
        console.error(
          `Stream consumer ${options.consumer.taskId}: ${pending.length} record(s) dead-lettered to ${deadLetterFile(options.consumer)}`,
        );
        return;
      }
      await new Promise((done) => setTimeout(done, retryPauseMs * 2 ** attempt));
    }
  };

  // The shards, described again now and then (DynamoDB Local starts a new one every few hours) or when
  // one closes, not at every pass: a pass when nothing was written costs one GetRecords per shard.
  let shards: string[] = [];
  let describedAt = Number.NEGATIVE_INFINITY;
  const currentShards = async (): Promise<string[]> => {
    if (performance.now() - describedAt > DESCRIBE_EVERY_MS) {
      const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
      // Parents before children: DynamoDB lists a shard after the one it was split from.
      shards = (StreamDescription?.Shards ?? []).map((shard) => shard.ShardId!);
      describedAt = performance.now();
    }
    return shards;
  };

  /** One pass over every shard; true when it found records (there may be more). */
  const pollOnce = async (): Promise<boolean> => {
    let found = false;
    for (const shardId of await currentShards()) {
      const iterator = await iteratorOf(shardId);
      if (!iterator) continue;
      const page = await streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
      iterators.set(shardId, page.NextShardIterator ?? null);
      if (!page.NextShardIterator) describedAt = Number.NEGATIVE_INFINITY; // closed: its child is next
      const records = page.Records ?? [];
      if (records.length === 0) continue;
      found = true;
      const matching = records.map((record) => lambdaRecord(record, streamArn, options.region));
      const handed = matching.filter((record) => matches(options.consumer.filter, record));
      for (let start = 0; start < handed.length; start += options.consumer.batchSize) {
        await handOver(handed.slice(start, start + options.consumer.batchSize));
      }
      checkpoint.shards[shardId] = records.at(-1)!.dynamodb!.SequenceNumber!;
      await saveCheckpoint();
    }
    return found;
  };

  // Passes run one after the other, whoever asks for them (the timer or `drain`).
  let passes: Promise<unknown> = Promise.resolve();
  const pass = (): Promise<boolean> => {
    const next = passes.then(pollOnce).catch((error: unknown) => {
      // DynamoDB Local restarting or an iterator gone stale: start again from the checkpoint.
      iterators.clear();
      describedAt = Number.NEGATIVE_INFINITY;
      if (!stopped) console.error(`Reading the table stream failed: ${(error as Error).message}`);
      return false;
    });
    passes = next;
    return next;
  };
  const schedule = (delay: number) => {
    if (stopped) return;
    timer = setTimeout(() => {
      void pass().then((found) => schedule(found ? 0 : pollIntervalMs));
    }, delay);
    timer.unref();
  };
  schedule(0);

  return {
    async drain() {
      // A pass that starts after this call and finds nothing has seen every earlier record.
      while (!stopped && (await pass())) {
        // more records: go on
      }
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await passes;
      streams.destroy();
    },
  };
}

async function readCheckpoint(path: string, streamArn: string): Promise<Checkpoint> {
  try {
    const saved = JSON.parse(await readFile(path, 'utf8')) as Checkpoint;
    // A new table (a fresh data folder) has a new stream: its records start again.
    if (saved.streamArn === streamArn) return saved;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  return { streamArn, shards: {} };
}

function lambdaRecord(record: StreamRecord, streamArn: string, region: string): LambdaStreamRecord {
  const { ApproximateCreationDateTime, ...rest } = record.dynamodb ?? {};
  return {
    eventID: record.eventID,
    eventName: record.eventName,
    eventVersion: record.eventVersion ?? '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: region,
    eventSourceARN: streamArn,
    dynamodb: {
      ...rest,
      ...(ApproximateCreationDateTime
        ? { ApproximateCreationDateTime: Math.floor(ApproximateCreationDateTime.getTime() / 1000) }
        : {}),
    },
  };
}

/**
 * Lambda's event filtering, for the patterns the catalogue uses: an object matches field by field, a
 * list of strings or numbers is the set of values allowed. Anything else (prefix, numeric, exists...)
 * is refused rather than guessed at.
 */
export function matches(pattern: unknown, value: unknown): boolean {
  if (Array.isArray(pattern)) {
    for (const allowed of pattern) {
      if (typeof allowed !== 'string' && typeof allowed !== 'number') {
        throw new Error(`Unsupported filter rule ${JSON.stringify(allowed)}`);
      }
    }
    return pattern.includes(value as string | number);
  }
  if (pattern && typeof pattern === 'object') {
    if (!value || typeof value !== 'object') return false;
    return Object.entries(pattern).every(([key, inner]) =>
      matches(inner, (value as Record<string, unknown>)[key]),
    );
  }
  throw new Error(`Unsupported filter pattern ${JSON.stringify(pattern)}`);
}
