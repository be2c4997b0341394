import { PutItemCommand, type TransactWriteItem, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import type { Agreement } from '../domain/schemas.ts';
import { dynamoClient } from '../shared/clients.ts';
import { now } from '../shared/clock.ts';
import { eachAtMost } from '../shared/concurrency.ts';
import { config } from '../shared/config.ts';
import { logError, observedTask } from '../shared/observability.ts';
import { logEntryOf } from '../store/agreements-store.ts';
import { cancelledWith, fromItem, toItem } from '../store/items.ts';
import { notificationWrites, publishEvents } from '../store/notifications-store.ts';
import { getItems } from '../store/query.ts';
import {
  type AgreementSealing,
  anyEntriesWrittenOn,
  chronologically,
  daysBetween,
  entriesWrittenOn,
  type LogEntry,
  latestSealKey,
  runNotifications,
  type SealedParties,
  type SignedRun,
  type StoredSeal,
  sealingOf,
  sealsOf,
  sealsOfItem,
  sealWrites,
  signRun,
} from '../store/seals-store.ts';
import { agreementKey, SEAL_RUN_KEY } from '../store/table-layout.ts';

/** BatchGetItem reads at most 100 items. */
const KEYS_PER_READ = 100;
const READS_AT_ONCE = 4;
const QUERIES_AT_ONCE = 8;
/** A night reads two days (the rest of the day of the run before, and today so far) at once. */
const DAYS_AT_ONCE = 2;
/** DynamoDB's limit of items in one `TransactWriteItems`. */
const MAX_TRANSACTION_ITEMS = 100;
const WRITES_AT_ONCE = 4;
/** Two clocks (the writer's and this run's) may disagree by this much. */
const CLOCK_SKEW_MS = 60_000;

interface Outcome {
  days: string[];
  agreements: number;
  seals: number;
  entries: number;
  failed: number;
}

type Sealing = SignedRun['sealings'][number];

/**
 * The daily seal run (rule 14): every history and audit entry written since the last run is sealed
 * within 24 hours. The entries come whole from the `entriesByDay` index (no Scan, no read of each
 * entry), once one PartiQL probe of all the days' shards has found any (a quiet night costs the run
 * record's read and write and that probe); per agreement, those in no seal yet are sealed in order and
 * chained to the agreement's latest seal (read by key, many agreements per request). All the seals of the run are leaves of one
 * tree whose root is signed once, and every organisation party to a sealed agreement is sent that
 * root (`audit.sealed`). An agreement that fails (e.g. an export sealing it at the same moment) is
 * left for the next run, which reads the same days again.
 */
export const handler = observedTask(async (): Promise<Outcome> => {
  const at = now();
  const today = at.toISOString().slice(0, 10);
  const [run] = await getItems([SEAL_RUN_KEY]);
  const yesterday = new Date(at.getTime() - 86_400_000).toISOString().slice(0, 10);
  const through = run ? fromItem<{ through: string }>(run).through : yesterday;
  const days = daysBetween(through < today ? through : today, today);

  const written = new Map<string, Map<string, LogEntry>>();
  // A quiet night (nothing written since the run before) is found so in one request.
  const anyWritten = (await anyEntriesWrittenOn(days)) ?? true;
  await eachAtMost(DAYS_AT_ONCE, anyWritten ? days : [], async (day) => {
    for (const [agreementId, entries] of await entriesWrittenOn(day, logEntryOf)) {
      const known = written.get(agreementId) ?? new Map<string, LogEntry>();
      for (const entry of entries) known.set(entry.id, entry);
      written.set(agreementId, known);
    }
  });

  const outcome: Outcome = { days, agreements: written.size, seals: 0, entries: 0, failed: 0 };
  const records = await readAgreements([...written.keys()]);
  const sealings: AgreementSealing[] = [];
  await eachAtMost(QUERIES_AT_ONCE, [...written], async ([agreementId, entries]) => {
    const { agreement, tail = [] } = records.get(agreementId) ?? {};
    if (!agreement) return;
    try {
      const unsealed = await unsealedOf(agreementId, [...entries.values()], tail);
      if (unsealed.length > 0) sealings.push(sealingOf(agreement, unsealed, tail, at));
    } catch (error) {
      outcome.failed += 1;
      logError('Sealing failed; the next run seals these entries', error, { agreementId });
    }
  });

  if (sealings.length > 0) {
    const signed = await signRun(at, sealings);
    const stored = await writeSeals(signed.sealings);
    for (const sealing of stored) {
      if (sealing.error) {
        outcome.failed += 1;
        logError('Sealing failed; the next run seals these entries', sealing.error, {
          agreementId: sealing.agreementId,
        });
      } else {
        outcome.seals += sealing.stored.length;
        outcome.entries += sealing.stored.reduce((sum, seal) => sum + seal.entries.length, 0);
      }
    }
    await notifyParties(
      signed,
      stored.filter((sealing) => !sealing.error),
    );
  }
  if (outcome.failed === 0) {
    await dynamoClient().send(
      new PutItemCommand({
        TableName: config.tableName(),
        Item: toItem({ ...SEAL_RUN_KEY, entity: 'seal-run', through: today, ranAt: at.toISOString() }),
      }),
    );
  }
  return outcome;
});

interface AgreementRecord {
  agreement?: Pick<Agreement, 'id'> & SealedParties;
  tail?: StoredSeal[];
}

/**
 * What is read of an agreement item (its parties, who are told of the run) and of its latest seal item
 * (all of it): an agreement item is many times larger than what the run needs of it.
 */
const READ_ATTRIBUTES = ['pk', 'sk', 'id', 'controller', 'processor', 'seals', 'body', 'entries', 'run'];

/**
 * Each agreement's parties and its latest seals, read many agreements per `BatchGetItem` (at most 100
 * keys each): a night after many agreements were busy costs a request per fifty agreements.
 */
async function readAgreements(agreementIds: readonly string[]): Promise<Map<string, AgreementRecord>> {
  const keys = agreementIds.flatMap((agreementId) => [agreementKey(agreementId), latestSealKey(agreementId)]);
  const read = new Map<string, AgreementRecord>(agreementIds.map((id) => [id, {}]));
  const chunks: (typeof keys)[] = [];
  for (let start = 0; start < keys.length; start += KEYS_PER_READ)
    chunks.push(keys.slice(start, start + KEYS_PER_READ));
  await eachAtMost(READS_AT_ONCE, chunks, async (chunk) => {
    const items = await getItems(chunk, READ_ATTRIBUTES);
    items.forEach((item, index) => {
      if (!item) return;
      const { pk, sk } = chunk[index]!;
      const record = read.get(pk.slice('AGREEMENT#'.length))!;
      if (sk === 'AGREEMENT') record.agreement = fromItem<AgreementRecord['agreement'] & {}>(item);
      else record.tail = sealsOfItem(item);
    });
  });
  return read;
}

/**
 * The entries no seal covers yet, oldest first. Those in the latest seals (the tail read with the
 * agreement) are sealed; one written after the first of them was made (allowing for clock skew) cannot
 * be in any earlier seal. Only when an entry is older than that and not in the tail (an export sealed
 * it before the run before, or it reached the index late) are all the agreement's seals read.
 */
async function unsealedOf(
  agreementId: string,
  entries: readonly LogEntry[],
  tail: readonly StoredSeal[],
): Promise<LogEntry[]> {
  const inTail = new Set(tail.flatMap((seal) => seal.entries.map(({ id }) => id)));
  let candidates = entries.filter(({ id }) => !inTail.has(id));
  const skewFrom = (at: string) => new Date(new Date(at).getTime() - CLOCK_SKEW_MS).toISOString();
  const firstOfTail = tail[0]?.body.sealedAt;
  if (firstOfTail && candidates.some(({ entry }) => skewFrom(String(entry.at)) <= firstOfTail)) {
    const sealed = new Set((await sealsOf(agreementId)).flatMap((seal) => seal.entries.map(({ id }) => id)));
    candidates = candidates.filter(({ id }) => !sealed.has(id));
  }
  return candidates.sort(chronologically);
}

/**
 * Writes the seals of many agreements per transaction (at most 100 items), each agreement's seals
 * together. A transaction that fails (an export sealed one of them at the same moment) is written
 * again one agreement at a time, so only that agreement is left for the next run.
 */
async function writeSeals(sealings: readonly Sealing[]): Promise<(Sealing & { error?: unknown })[]> {
  const batches: Sealing[][] = [];
  let batch: Sealing[] = [];
  let size = 0;
  const large: Sealing[] = [];
  for (const sealing of sealings) {
    const items = sealWrites(sealing).length;
    // Thousands of entries (several seals): a transaction of its own, in pieces if need be.
    if (items > MAX_TRANSACTION_ITEMS) {
      large.push(sealing);
      continue;
    }
    if (batch.length > 0 && size + items > MAX_TRANSACTION_ITEMS) {
      batches.push(batch);
      batch = [];
      size = 0;
    }
    batch.push(sealing);
    size += items;
  }
  if (batch.length > 0) batches.push(batch);

  const results: (Sealing & { error?: unknown })[] = [];
  await eachAtMost(WRITES_AT_ONCE, batches, async (together) => {
    try {
      await transact(together.flatMap(sealWrites));
      results.push(...together);
    } catch (error) {
      if (together.length === 1) {
        results.push({ ...together[0]!, error });
        return;
      }
      for (const sealing of together) {
        await transact(sealWrites(sealing)).then(
          () => results.push(sealing),
          (alone: unknown) => results.push({ ...sealing, error: alone }),
        );
      }
    }
  });
  for (const sealing of large) {
    // The numbered seals first, the latest last (conditional on it being the one read): a failure part
    // way leaves the latest as it was, and the next run seals the same entries again after it; the
    // numbered items written here are then overwritten or left out of the chain (currentSeals).
    const writes = sealWrites(sealing);
    try {
      for (let start = 0; start < writes.length; start += MAX_TRANSACTION_ITEMS) {
        await transact(writes.slice(start, start + MAX_TRANSACTION_ITEMS));
      }
      results.push(sealing);
    } catch (error) {
      results.push({ ...sealing, error });
    }
  }
  return results;
}

/** `audit.sealed` to every organisation party to an agreement sealed: a few items, whatever the run's size. */
async function notifyParties(signed: SignedRun, sealed: readonly Sealing[]): Promise<void> {
  const notifications = runNotifications(signed, sealed);
  const writes = notifications.flatMap((notification) => notificationWrites(notification, 'condition'));
  for (let start = 0; start < writes.length; start += MAX_TRANSACTION_ITEMS) {
    await transact(writes.slice(start, start + MAX_TRANSACTION_ITEMS));
  }
  await publishEvents(notifications);
}

async function transact(items: TransactWriteItem[]): Promise<void> {
  try {
    await dynamoClient().send(new TransactWriteItemsCommand({ TransactItems: items }));
  } catch (error) {
    if (cancelledWith(error, 'ConditionalCheckFailed')) {
      throw new Error('A seal was written by someone else meanwhile', { cause: error });
    }
    throw error;
  }
}
