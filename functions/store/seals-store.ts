import type { TransactWriteItem } from '@aws-sdk/client-dynamodb';
import canonicalize from 'canonicalize';
import {
  leafHash,
  logLine,
  RUN_JWS_TYPE,
  type RunBody,
  SEAL_FORMAT,
  type SealBody,
  type SealedEntry,
  type SealRecord,
  sealBody,
  sealRun,
} from '../domain/evidence/log-seal.ts';
import type { Agreement, Notification } from '../domain/schemas.ts';
import { config } from '../shared/config.ts';
import { serviceSigner } from '../shared/service-signer.ts';
import { fromItem, type Item, toItem } from './items.ts';
import { queryItems } from './query.ts';
import { ENTRY_SHARDS, TABLE_KEYS } from './table-layout.ts';

/** A log entry as sealed: its id in the log (the item's sort key) and the entry as the API returns it. */
export interface LogEntry {
  id: string;
  entry: Record<string, unknown>;
}

/** A seal as stored: its body, the entries it covers in order, and its place in its run's signed tree. */
export type StoredSeal = SealRecord;

/** The parties of a sealed agreement: who is told of the run (rule 14). */
export type SealedParties = Pick<Agreement, 'controller' | 'processor'>;

/** An agreement's seals made by a run, before the run is signed. */
export interface AgreementSealing {
  agreementId: string;
  parties: SealedParties;
  /** The agreement's latest seal as read (stored under {@link latestSealKey}), if any. */
  latest: StoredSeal | undefined;
  seals: { body: SealBody; entries: SealedEntry[] }[];
}

/** A signed run: every sealing's seals with their proofs, and the writes and notifications. */
export interface SignedRun {
  body: RunBody;
  jws: string;
  sealings: (AgreementSealing & { stored: StoredSeal[] })[];
}

/**
 * No writer runs longer than this (Lambda's own limit is 15 minutes), so an entry written at `at` is
 * stored by `at` + 15 minutes: a seal made later than that saw it. Verifiers use the same bound to
 * refuse an entry that appears in a seal after one made well after the entry's time (a backdated
 * insertion).
 */
export const LONGEST_WRITE_MS = 15 * 60 * 1000;

export const SEAL_PREFIX = 'SEAL#';
/**
 * An agreement's latest seal is kept under one key, so a run finds it by key (many agreements per
 * `BatchGetItem`) instead of a query per agreement; sealing again moves it to `SEAL#<seq>`. (`L`
 * sorts after digits: a query of the seals in key order ends with the latest.)
 */
export const LATEST_SEAL_SK = `${SEAL_PREFIX}LATEST`;

export const sealKey = (agreementId: string, seq: number) => ({
  pk: `AGREEMENT#${agreementId}`,
  sk: `${SEAL_PREFIX}${String(seq).padStart(6, '0')}`,
});
export const latestSealKey = (agreementId: string) => ({
  pk: `AGREEMENT#${agreementId}`,
  sk: LATEST_SEAL_SK,
});

export const isLogEntryKey = (sk: string) => sk.startsWith('HISTORY#') || sk.startsWith('AUDIT#');

export function storedSealOf(item: Item): StoredSeal {
  const { body, entries, run } = fromItem<StoredSeal>(item);
  return { body, entries, run };
}

/** A seal of format 2 (a data folder from before holds seals of format 1, which are not read). */
const isCurrentFormat = (item: Item) => item.body?.M?.format?.S === SEAL_FORMAT;

/** The latest seal from its item as read by key, if it is one of this format. */
export const latestSealOf = (item: Item): StoredSeal | undefined =>
  isCurrentFormat(item) ? storedSealOf(item) : undefined;

const sealItem = (key: { pk: string; sk: string }, seal: StoredSeal) =>
  toItem({ ...key, entity: 'seal', seq: seal.body.seq, ...seal });

/**
 * An agreement's seals, oldest first, from the seal items of its partition: the latest and those
 * numbered up to it (any numbered after it was left by a sealing that failed part way).
 */
export function currentSeals(items: readonly Item[]): StoredSeal[] {
  const latest = items.find((item) => item.sk?.S === LATEST_SEAL_SK && isCurrentFormat(item));
  if (!latest) return [];
  const last = storedSealOf(latest).body.seq;
  return items
    .map((item) => ({ item, seal: storedSealOf(item) }))
    .filter(
      ({ item, seal }) => item.sk?.S !== LATEST_SEAL_SK && isCurrentFormat(item) && seal.body.seq < last,
    )
    .map(({ seal }) => seal)
    .sort((a, b) => a.body.seq - b.body.seq)
    .concat(storedSealOf(latest));
}

/**
 * The seals that may cover entries written at or after `since`, newest first: a seal made before
 * `since` cannot have seen them. One query (the latest comes first: `L` sorts after digits),
 * usually answered by the first seal or two it reads.
 */
export async function sealsSince(agreementId: string, since: string): Promise<StoredSeal[]> {
  const seals: StoredSeal[] = [];
  for await (const item of queryItems({
    TableName: config.tableName(),
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    ExpressionAttributeValues: toItem({ ':pk': `AGREEMENT#${agreementId}`, ':prefix': SEAL_PREFIX }),
    ScanIndexForward: false,
    ConsistentRead: true,
  })) {
    if (!isCurrentFormat(item)) continue;
    const seal = storedSealOf(item);
    if (seals.length > 0 && seal.body.seq >= seals[0]!.body.seq) continue;
    if (seals.length === 0 && item.sk?.S !== LATEST_SEAL_SK) break;
    seals.push(seal);
    if (seal.body.sealedAt < since) break;
  }
  return seals;
}

/**
 * A seal item holds its entries' ids and leaves (about 130 bytes each) within DynamoDB's 400 KB, so a
 * day with more entries than this is sealed as several seals in a row.
 */
export const ENTRIES_PER_SEAL = 1000;

/**
 * The seals of `entries` (in the given order) after `latest`: one, or for very many entries several
 * chained ones, each the root of its entries' leaves and the hash of the seal before it.
 */
export function sealingOf(
  agreement: Pick<Agreement, 'id' | 'controller' | 'processor'>,
  entries: readonly LogEntry[],
  latest: StoredSeal | undefined,
  at: Date,
): AgreementSealing {
  const sealedAt = at.toISOString();
  const seals: AgreementSealing['seals'] = [];
  let previous = latest?.body;
  for (let start = 0; start < entries.length; start += ENTRIES_PER_SEAL) {
    const sealed = entries
      .slice(start, start + ENTRIES_PER_SEAL)
      .map(({ id, entry }) => ({ id, leaf: leafHash(logLine(id, entry)) }));
    const body = sealBody(agreement.id, (previous?.seq ?? 0) + 1, sealedAt, sealed, previous);
    seals.push({ body, entries: sealed });
    previous = body;
  }
  return {
    agreementId: agreement.id,
    parties: { controller: agreement.controller, processor: agreement.processor },
    latest,
    seals,
  };
}

/**
 * Signs one run over every seal of `sealings` (rule 14): the seals' bodies are the leaves of one
 * RFC 6962 tree, whose root the service key signs once, however many agreements the run sealed.
 */
export async function signRun(at: Date, sealings: readonly AgreementSealing[]): Promise<SignedRun> {
  const bodies = sealings.flatMap(({ seals }) => seals.map(({ body }) => body));
  const { body, proofs } = sealRun(at.toISOString(), bodies);
  const jws = await (await serviceSigner()).sign(canonicalize(body) as string, RUN_JWS_TYPE);
  let next = 0;
  return {
    body,
    jws,
    sealings: sealings.map((sealing) => ({
      ...sealing,
      stored: sealing.seals.map((seal) => ({ ...seal, run: { jws, ...proofs[next++]! } })),
    })),
  };
}

/**
 * The writes of an agreement's new seals: the latest seal as read moves to its numbered key, the
 * new ones follow it and the last becomes the latest. Conditional on the latest being the one read,
 * so two runs (or a run and an export) sealing at once cannot both succeed: the other is refused and
 * seals again later. The numbered seals are written unconditionally: one numbered after the latest
 * is left only by a sealing that failed part way (thousands of seals, written in pieces), is no part
 * of the agreement's seals ({@link currentSeals}) and is overwritten by the next sealing.
 */
export function sealWrites(sealing: AgreementSealing & { stored: StoredSeal[] }): TransactWriteItem[] {
  const table = config.tableName();
  const { agreementId, latest, stored } = sealing;
  const writes: TransactWriteItem[] = [];
  const archived = [...(latest ? [latest] : []), ...stored.slice(0, -1)];
  for (const seal of archived) {
    writes.push({
      Put: { TableName: table, Item: sealItem(sealKey(agreementId, seal.body.seq), seal) },
    });
  }
  writes.push({
    Put: {
      TableName: table,
      Item: sealItem(latestSealKey(agreementId), stored.at(-1)!),
      ...(latest
        ? {
            ConditionExpression: '#seq = :seq',
            ExpressionAttributeNames: { '#seq': 'seq' },
            ExpressionAttributeValues: toItem({ ':seq': latest.body.seq }),
          }
        : { ConditionExpression: 'attribute_not_exists(pk)' }),
    },
  });
  return writes;
}

/**
 * `audit.sealed` (rule 14): one notification per organisation and run, to every organisation party to
 * an agreement the run sealed, with the run's signed root. A party that keeps them can check that the
 * seals of any later evidence pack are in a tree it was sent.
 */
export function runNotifications(
  run: Pick<SignedRun, 'body' | 'jws'>,
  sealed: readonly Pick<AgreementSealing, 'parties'>[],
): Notification[] {
  const agreements = new Map<string, number>();
  for (const { parties } of sealed) {
    for (const orgNumber of new Set([parties.controller.orgNumber, parties.processor.orgNumber])) {
      agreements.set(orgNumber, (agreements.get(orgNumber) ?? 0) + 1);
    }
  }
  const { sealedAt, size, root } = run.body;
  return [...agreements].map(([recipientOrgNumber, count]) => ({
    id: `audit.sealed:${sealedAt}:${root.slice(0, 16)}`,
    at: sealedAt,
    type: 'audit.sealed',
    recipientOrgNumber,
    subject: `History and audit logs of ${count === 1 ? 'one agreement' : `${count} agreements`} sealed`,
    details: { sealedAt, size, root, jws: run.jws, agreements: count },
  }));
}

/** Oldest first by time, then by id: the order in which a seal lists the entries it covers. */
export const chronologically = (a: LogEntry, b: LogEntry) =>
  String(a.entry.at).localeCompare(String(b.entry.at)) || a.id.localeCompare(b.id);

/** The days (UTC, `YYYY-MM-DD`) from `from` through `to`, both included. */
export function daysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  for (let day = new Date(`${from}T00:00:00Z`); day.toISOString().slice(0, 10) <= to; ) {
    days.push(day.toISOString().slice(0, 10));
    day = new Date(day.getTime() + 86_400_000);
  }
  return days;
}

/**
 * Every history and audit entry written on `day`, by agreement: the `entriesByDay` index (which
 * projects the whole entry, so nothing more is read), one query per shard (eventually consistent, so
 * an entry written in the last moments may show up in the next run instead).
 */
export async function entriesWrittenOn(
  day: string,
  entryOf: (item: Item) => LogEntry,
): Promise<Map<string, LogEntry[]>> {
  const byAgreement = new Map<string, LogEntry[]>();
  await Promise.all(
    Array.from({ length: ENTRY_SHARDS }, (_, shard) => `ENTRIES#${day}#${shard}`).map(async (partition) => {
      for await (const item of queryItems({
        TableName: config.tableName(),
        IndexName: TABLE_KEYS.entriesByDay.indexName,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': TABLE_KEYS.entriesByDay.partitionKey },
        ExpressionAttributeValues: toItem({ ':pk': partition }),
      })) {
        const agreementId = item[TABLE_KEYS.entriesByDay.sortKey]?.S;
        if (!agreementId) continue;
        const entries = byAgreement.get(agreementId) ?? [];
        entries.push(entryOf(item));
        byAgreement.set(agreementId, entries);
      }
    }),
  );
  return byAgreement;
}
