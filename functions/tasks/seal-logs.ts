import { PutItemCommand, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
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
  newSeals,
  sealsSince,
} from '../store/seals-store.ts';
import { agreementKey, SEAL_RUN_KEY } from '../store/table-layout.ts';

const AGREEMENTS_AT_ONCE = 8;
/** BatchGetItem reads at most 100 items; one of them is the agreement. */
const ENTRIES_PER_READ = 99;
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
  await eachAtMost(AGREEMENTS_AT_ONCE, [...written], async ([agreementId, keys]) => {
    try {
      const sealed = await sealAgreement(agreementId, [...keys], at);
      outcome.seals += sealed.seals;
      outcome.entries += sealed.entries;
    } catch (error) {
      outcome.failed += 1;
      logError('Sealing failed; the next run seals these entries', error, { agreementId });
    }
  });
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

async function sealAgreement(
  agreementId: string,
  keys: readonly string[],
  at: Date,
): Promise<{ seals: number; entries: number }> {
  const partition = `AGREEMENT#${agreementId}`;
  const entries: LogEntry[] = [];
  let agreement: Agreement | undefined;
  for (let start = 0; start < keys.length; start += ENTRIES_PER_READ) {
    const chunk = keys.slice(start, start + ENTRIES_PER_READ).map((sk) => ({ pk: partition, sk }));
    const [agreementItem, ...items] = await getItems([agreementKey(agreementId), ...chunk]);
    if (agreementItem) agreement = fromItem<Agreement>(agreementItem);
    for (const item of items) if (item) entries.push(logEntryOf(item));
  }
  if (!agreement || entries.length === 0) return { seals: 0, entries: 0 };

  const earliest = entries.reduce((min, { entry }) => (String(entry.at) < min ? String(entry.at) : min), '~');
  const since = new Date(new Date(earliest).getTime() - CLOCK_SKEW_MS).toISOString();
  const seals = await sealsSince(agreementId, since);
  const sealedIds = new Set(seals.flatMap((seal) => seal.entries.map((entry) => entry.id)));
  const unsealed = entries.filter(({ id }) => !sealedIds.has(id)).sort(chronologically);
  if (unsealed.length === 0) return { seals: 0, entries: 0 };

  const created = await newSeals(agreement, unsealed, seals[0], at);
  for (const { writes, notifications } of created) {
    try {
      await dynamoClient().send(
        new TransactWriteItemsCommand({
          TransactItems: [...writes, ...notifications.flatMap((n) => notificationWrites(n, 'condition'))],
        }),
      );
    } catch (error) {
      if (cancelledWith(error, 'ConditionalCheckFailed')) {
        throw new Error(`Seal ${agreementId} was sealed by someone else meanwhile`, { cause: error });
      }
      throw error;
    }
    await publishEvents(notifications);
  }
  return { seals: created.length, entries: unsealed.length };
}
