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
  chronologically,
  daysBetween,
  entriesWrittenOn,
  type LogEntry,
  type NewSeal,
  newSeals,
  sealsSince,
} from '../store/seals-store.ts';
import { agreementKey, SEAL_RUN_KEY } from '../store/table-layout.ts';

const AGREEMENTS_AT_ONCE = 8;
/** BatchGetItem reads at most 100 items. */
const KEYS_PER_READ = 100;
const READS_AT_ONCE = 4;
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

/**
 * The daily seal run (rule 14): every history and audit entry written since the last run is sealed
 * within 24 hours. The entries come from the `entriesByDay` index (no Scan); per agreement, those in
 * no seal yet are sealed in order, signed with the service key, chained to the agreement's previous
 * seal, and both parties are sent the root (`audit.sealed`). An agreement that fails (e.g. an export
 * sealing it at the same moment) is left for the next run, which reads the same days again.
 */
export const handler = observedTask(async (): Promise<Outcome> => {
  const at = now();
  const today = at.toISOString().slice(0, 10);
  const [run] = await getItems([SEAL_RUN_KEY]);
  const yesterday = new Date(at.getTime() - 86_400_000).toISOString().slice(0, 10);
  const through = run ? fromItem<{ through: string }>(run).through : yesterday;
  const days = daysBetween(through < today ? through : today, today);

  const written = new Map<string, Set<string>>();
  for (const day of days) {
    for (const [agreementId, keys] of await entriesWrittenOn(day)) {
      const known = written.get(agreementId) ?? new Set<string>();
      for (const key of keys) known.add(key);
      written.set(agreementId, known);
    }
  }

  const outcome: Outcome = { days, agreements: written.size, seals: 0, entries: 0, failed: 0 };
  const entries = await readEntries(written);
  const pending: AgreementSeals[] = [];
  await eachAtMost(AGREEMENTS_AT_ONCE, [...entries], async ([agreementId, read]) => {
    try {
      const sealing = await sealsOf(agreementId, read, at);
      if (sealing) pending.push(sealing);
    } catch (error) {
      outcome.failed += 1;
      logError('Sealing failed; the next run seals these entries', error, { agreementId });
    }
  });
  for (const written of await writeSeals(pending)) {
    if (written.error) {
      outcome.failed += 1;
      logError('Sealing failed; the next run seals these entries', written.error, {
        agreementId: written.agreementId,
      });
    } else {
      outcome.seals += written.seals.length;
      outcome.entries += written.entries;
    }
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

interface ReadAgreement {
  agreement?: Agreement;
  entries: LogEntry[];
}

/**
 * The agreements and their written entries, read many agreements per `BatchGetItem` (at most 100
 * keys each): a night after many agreements were busy costs a request per hundred entries, not
 * one per agreement.
 */
async function readEntries(written: ReadonlyMap<string, Set<string>>): Promise<Map<string, ReadAgreement>> {
  const keys = [...written].flatMap(([agreementId, entryKeys]) => [
    agreementKey(agreementId),
    ...[...entryKeys].map((sk) => ({ pk: `AGREEMENT#${agreementId}`, sk })),
  ]);
  const read = new Map<string, ReadAgreement>([...written.keys()].map((id) => [id, { entries: [] }]));
  const chunks: (typeof keys)[] = [];
  for (let start = 0; start < keys.length; start += KEYS_PER_READ)
    chunks.push(keys.slice(start, start + KEYS_PER_READ));
  await eachAtMost(READS_AT_ONCE, chunks, async (chunk) => {
    const items = await getItems(chunk);
    items.forEach((item, index) => {
      if (!item) return;
      const { pk, sk } = chunk[index]!;
      const agreement = read.get(pk.slice('AGREEMENT#'.length))!;
      if (sk === 'AGREEMENT') agreement.agreement = fromItem<Agreement>(item);
      else agreement.entries.push(logEntryOf(item));
    });
  });
  return read;
}

interface AgreementSeals {
  agreementId: string;
  seals: NewSeal[];
  entries: number;
}

/** The seals of an agreement's entries that no seal covers yet, chained to its earlier seals. */
async function sealsOf(
  agreementId: string,
  read: ReadAgreement,
  at: Date,
): Promise<AgreementSeals | undefined> {
  const { agreement, entries } = read;
  if (!agreement || entries.length === 0) return undefined;
  const earliest = entries.reduce((min, { entry }) => (String(entry.at) < min ? String(entry.at) : min), '~');
  const since = new Date(new Date(earliest).getTime() - CLOCK_SKEW_MS).toISOString();
  const seals = await sealsSince(agreementId, since);
  const sealedIds = new Set(seals.flatMap((seal) => seal.entries.map((entry) => entry.id)));
  const unsealed = entries.filter(({ id }) => !sealedIds.has(id)).sort(chronologically);
  if (unsealed.length === 0) return undefined;
  return { agreementId, seals: await newSeals(agreement, unsealed, seals[0], at), entries: unsealed.length };
}

const writesOf = (sealing: AgreementSeals) =>
  sealing.seals.flatMap(({ writes, notifications }) => [
    ...writes,
    ...notifications.flatMap((n) => notificationWrites(n, 'condition')),
  ]);

/**
 * Writes the seals of many agreements per transaction (at most 100 items), each agreement's seals
 * together. A transaction that fails (an export sealed one of them at the same moment) is written
 * again one agreement at a time, so only that agreement is left for the next run.
 */
async function writeSeals(
  pending: readonly AgreementSeals[],
): Promise<(AgreementSeals & { error?: unknown })[]> {
  const batches: AgreementSeals[][] = [];
  let batch: AgreementSeals[] = [];
  let size = 0;
  const large: AgreementSeals[] = [];
  for (const sealing of pending) {
    const items = writesOf(sealing).length;
    // Thousands of entries (several seals): one transaction per seal, in order, as the chain needs.
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

  const results: (AgreementSeals & { error?: unknown })[] = [];
  await eachAtMost(WRITES_AT_ONCE, batches, async (together) => {
    try {
      await transact(together.flatMap(writesOf));
      results.push(...together);
    } catch (error) {
      if (together.length === 1) {
        results.push({ ...together[0]!, error });
        return;
      }
      for (const sealing of together) {
        await transact(writesOf(sealing)).then(
          () => results.push(sealing),
          (alone: unknown) => results.push({ ...sealing, error: alone }),
        );
      }
    }
  });
  for (const sealing of large) {
    try {
      for (const seal of sealing.seals) {
        await transact([
          ...seal.writes,
          ...seal.notifications.flatMap((n) => notificationWrites(n, 'condition')),
        ]);
      }
      results.push(sealing);
    } catch (error) {
      results.push({ ...sealing, error });
    }
  }
  await publishEvents(
    results
      .filter((result) => !result.error)
      .flatMap((result) => result.seals.flatMap((seal) => seal.notifications)),
  );
  return results;
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
