import { ExecuteStatementCommand, type TransactWriteItem } from '@aws-sdk/client-dynamodb';
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
  sealDigest,
  sealRun,
} from '../domain/evidence/log-seal.ts';
import type { Agreement, Notification } from '../domain/schemas.ts';
import { dynamoClient } from '../shared/clients.ts';
import { config } from '../shared/config.ts';
import { serviceSigner } from '../shared/service-signer.ts';
import { fromItem, type Item, toItem } from './items.ts';
import { queryItems } from './query.ts';
import { entriesByDayPartitions, TABLE_KEYS } from './table-layout.ts';

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
  /** The seals under {@link latestSealKey} as read, oldest first (the last is the latest); none before the first. */
  tail: StoredSeal[];
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
 * An agreement's latest seals (the tail of its chain) are kept under one key, so a run finds them by
 * key (many agreements per `BatchGetItem`) instead of a query per agreement, and a night adds its
 * seal to that item: one write per agreement sealed. Only when the tail outgrows
 * {@link LATEST_ITEM_CHARS} do its older seals move to numbered items `SEAL#<seq of the first>` (`L`
 * sorts after digits: a query of the seals in key order ends with the latest).
 */
export const LATEST_SEAL_SK = `${SEAL_PREFIX}LATEST`;
/**
 * What the seals of the latest item may come to as JSON before its older seals move to a numbered
 * item: a few nights' seals of a few entries each. It is rewritten whole each night, and on AWS a
 * write costs a unit per KB, so it stays small; one seal larger than this (many entries) is alone in
 * its item, within DynamoDB's 400 KB ({@link ENTRIES_PER_SEAL}).
 */
export const LATEST_ITEM_CHARS = 12_000;

export const sealKey = (agreementId: string, seq: number) => ({
  pk: `AGREEMENT#${agreementId}`,
  sk: `${SEAL_PREFIX}${String(seq).padStart(6, '0')}`,
});
export const latestSealKey = (agreementId: string) => ({
  pk: `AGREEMENT#${agreementId}`,
  sk: LATEST_SEAL_SK,
});

export const isLogEntryKey = (sk: string) => sk.startsWith('HISTORY#') || sk.startsWith('AUDIT#');

const isCurrentFormat = (seal: StoredSeal | undefined) => seal?.body?.format === SEAL_FORMAT;

/**
 * The seals of format 2 an item holds, oldest first: its `seals`, or the one seal an item written
 * before seals were grouped holds (a data folder from before holds seals of format 1, which are not read).
 */
export function sealsOfItem(item: Item): StoredSeal[] {
  const stored = fromItem<Partial<StoredSeal> & { seals?: StoredSeal[] }>(item);
  const seals = stored.seals ?? [stored as StoredSeal];
  return seals.filter(isCurrentFormat).map(({ body, entries, run }) => ({ body, entries, run }));
}

const sealItem = (key: { pk: string; sk: string }, seals: readonly StoredSeal[]) =>
  toItem({ ...key, entity: 'seal', seq: seals.at(-1)!.body.seq, seals });

/** An agreement's seals, oldest first, and those held under its latest key (the tail of the chain). */
export interface SealChain {
  seals: StoredSeal[];
  tail: StoredSeal[];
}

/**
 * An agreement's seals from the seal items of its partition: the latest item's, then back from its
 * first by each seal's `previous` hash through the numbered items. A numbered item left by a sealing
 * that failed part way holds seals no chain leads to, and is never read as part of it.
 */
export function currentSeals(items: readonly Item[]): SealChain {
  const latest = items.find((item) => item.sk?.S === LATEST_SEAL_SK);
  const tail = latest ? sealsOfItem(latest) : [];
  if (tail.length === 0) return { seals: [], tail: [] };
  const byDigest = new Map<string, StoredSeal>();
  for (const item of items) {
    if (item.sk?.S === LATEST_SEAL_SK) continue;
    for (const seal of sealsOfItem(item)) byDigest.set(sealDigest(seal.body), seal);
  }
  const earlier: StoredSeal[] = [];
  for (let previous = tail[0]!.body.previous; previous !== null; ) {
    const seal = byDigest.get(previous);
    if (!seal) break; // a broken chain: the pack shows it, and a verifier refuses it
    earlier.unshift(seal);
    previous = seal.body.previous;
  }
  return { seals: [...earlier, ...tail], tail };
}

/** Every seal of an agreement, oldest first: one strongly consistent query of its seal items. */
export async function sealsOf(agreementId: string): Promise<StoredSeal[]> {
  const items: Item[] = [];
  for await (const item of queryItems({
    TableName: config.tableName(),
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    ExpressionAttributeValues: toItem({ ':pk': `AGREEMENT#${agreementId}`, ':prefix': SEAL_PREFIX }),
    ConsistentRead: true,
  })) {
    items.push(item);
  }
  return currentSeals(items).seals;
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
  tail: readonly StoredSeal[],
  at: Date,
): AgreementSealing {
  const sealedAt = at.toISOString();
  const seals: AgreementSealing['seals'] = [];
  let previous = tail.at(-1)?.body;
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
    tail: [...tail],
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
 * The writes of an agreement's new seals: they join the tail as read under the latest key, and the
 * latest item keeps as many of the newest as fit in {@link LATEST_ITEM_CHARS}; the older ones move to
 * numbered items, as many to an item as fit. Usually that is one write, the latest item. It is
 * conditional on the latest being the one read, so two runs (or a run and an export) sealing at once
 * cannot both succeed: the other is refused and seals again later. The numbered items come first
 * and are written unconditionally: one left by a sealing that failed part way (thousands of seals,
 * written in pieces) is no part of the chain ({@link currentSeals}) and is overwritten or passed over.
 */
export function sealWrites(sealing: AgreementSealing & { stored: StoredSeal[] }): TransactWriteItem[] {
  const table = config.tableName();
  const { agreementId, tail, stored } = sealing;
  const chain = [...tail, ...stored];
  const sizes = chain.map((seal) => JSON.stringify(seal).length);
  let kept = chain.length - 1;
  for (let size = sizes[kept]!; kept > 0 && size + sizes[kept - 1]! <= LATEST_ITEM_CHARS; )
    size += sizes[--kept]!;
  const writes: TransactWriteItem[] = [];
  for (let start = 0; start < kept; ) {
    let end = start + 1;
    for (let size = sizes[start]!; end < kept && size + sizes[end]! <= LATEST_ITEM_CHARS; )
      size += sizes[end++]!;
    const group = chain.slice(start, end);
    writes.push({
      Put: { TableName: table, Item: sealItem(sealKey(agreementId, group[0]!.body.seq), group) },
    });
    start = end;
  }
  const latest = tail.at(-1);
  writes.push({
    Put: {
      TableName: table,
      Item: sealItem(latestSealKey(agreementId), chain.slice(kept)),
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

/** DynamoDB's limit of partition key values in one PartiQL `IN` list. */
const MAX_IN_KEYS = 50;

/**
 * Whether any history or audit entry was written on `days`: one PartiQL `SELECT` naming every day's
 * shards of the `entriesByDay` index with `IN` on its partition key (a query of each partition, never
 * a Scan: the seal run's policy denies PartiQL full-table scans), evaluating at most one item per
 * page. A night with nothing to seal costs this one request instead of a query per shard and day.
 * Undefined when `days` have more partitions than one `IN` list takes (after runs were missed).
 */
export async function anyEntriesWrittenOn(days: readonly string[]): Promise<boolean | undefined> {
  const partitions = days.flatMap(entriesByDayPartitions);
  if (partitions.length > MAX_IN_KEYS) return undefined;
  const { indexName, partitionKey, sortKey } = TABLE_KEYS.entriesByDay;
  const statement = {
    Statement: `SELECT "${sortKey}" FROM "${config.tableName()}"."${indexName}" WHERE "${partitionKey}" IN [${partitions.map(() => '?').join(', ')}]`,
    Parameters: partitions.map((partition) => ({ S: partition })),
    Limit: 1,
  };
  let nextToken: string | undefined;
  do {
    const page = await dynamoClient().send(
      new ExecuteStatementCommand({ ...statement, NextToken: nextToken }),
    );
    if ((page.Items ?? []).length > 0) return true;
    nextToken = page.NextToken;
  } while (nextToken);
  return false;
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
    entriesByDayPartitions(day).map(async (partition) => {
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
