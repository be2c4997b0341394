import type { TransactWriteItem } from '@aws-sdk/client-dynamodb';
import canonicalize from 'canonicalize';
import {
  decodeJwsPayload,
  leafHash,
  logLine,
  type SealBody,
  type SealedEntry,
  type SealRecord,
  sealBody,
} from '../domain/evidence/log-seal.ts';
import { BOTH_PARTIES, notificationsFor } from '../domain/notifications.ts';
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

/** A seal as stored: the signed body (a compact JWS) and the entries it covers, in order. */
export interface StoredSeal extends SealRecord {
  seq: number;
  sealedAt: string;
}

/** A new seal with the writes that store it and tell both parties its root (rule 14). */
export interface NewSeal {
  seal: StoredSeal;
  body: SealBody;
  writes: TransactWriteItem[];
  notifications: Notification[];
}

/**
 * No writer runs longer than this (Lambda's own limit is 15 minutes), so an entry written at `at` is
 * stored by `at` + 15 minutes: a seal made later than that saw it. Verifiers use the same bound to
 * refuse an entry that appears in a seal after one made well after the entry's time (a backdated
 * insertion).
 */
export const LONGEST_WRITE_MS = 15 * 60 * 1000;

export const sealKey = (agreementId: string, seq: number) => ({
  pk: `AGREEMENT#${agreementId}`,
  sk: `SEAL#${String(seq).padStart(6, '0')}`,
});

export const SEAL_PREFIX = 'SEAL#';
export const isLogEntryKey = (sk: string) => sk.startsWith('HISTORY#') || sk.startsWith('AUDIT#');

export function storedSealOf(item: Item): StoredSeal {
  const { seq, sealedAt, jws, entries } = fromItem<StoredSeal>(item);
  return { seq, sealedAt, jws, entries };
}

/**
 * The seals that may cover entries written at or after `since`, newest first: a seal made before
 * `since` cannot have seen them. One query, usually answered by the first seal it reads.
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
    const seal = storedSealOf(item);
    seals.push(seal);
    if (seal.sealedAt < since) break;
  }
  return seals;
}

/**
 * Seals `entries` (in the given order) as the seal after `previous`: the Merkle root of their leaves,
 * signed with the service key, chained to the previous seal by the hash of its JWS.
 */
export async function newSeal(
  agreement: Pick<Agreement, 'id' | 'title' | 'controller' | 'processor'>,
  entries: readonly LogEntry[],
  previous: StoredSeal | undefined,
  at: Date,
): Promise<NewSeal> {
  const sealedAt = at.toISOString();
  const seq = (previous?.seq ?? 0) + 1;
  const sealed: SealedEntry[] = entries.map(({ id, entry }) => ({ id, leaf: leafHash(logLine(id, entry)) }));
  const body = sealBody(agreement.id, seq, sealedAt, sealed, previous?.jws);
  const jws = await (await serviceSigner()).sign(canonicalize(body) as string, 'dpa-seal+jws');
  const seal: StoredSeal = { seq, sealedAt, jws, entries: sealed };
  const notifications = notificationsFor(
    agreement,
    BOTH_PARTIES,
    {
      type: 'audit.sealed',
      key: String(seq),
      subject: 'History and audit log sealed',
      details: { seq, sealedAt, size: body.size, root: body.root, previous: body.previous, jws },
    },
    at,
  );
  const writes: TransactWriteItem[] = [
    {
      Put: {
        TableName: config.tableName(),
        Item: toItem({ ...sealKey(agreement.id, seq), entity: 'seal', ...seal }),
        // Two runs sealing at once: one seal per number, the other is refused and seals again later.
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
  ];
  return { seal, body, writes, notifications };
}

/**
 * A seal item holds its entries' ids and leaves (about 130 bytes each) within DynamoDB's 400 KB, so a
 * day with more entries than this is sealed as several seals in a row.
 */
export const ENTRIES_PER_SEAL = 1000;

/** Seals `entries` after `previous`, as one seal or, for very many entries, several chained ones. */
export async function newSeals(
  agreement: Pick<Agreement, 'id' | 'title' | 'controller' | 'processor'>,
  entries: readonly LogEntry[],
  previous: StoredSeal | undefined,
  at: Date,
): Promise<NewSeal[]> {
  const seals: NewSeal[] = [];
  for (let start = 0; start < entries.length; start += ENTRIES_PER_SEAL) {
    const next = await newSeal(agreement, entries.slice(start, start + ENTRIES_PER_SEAL), previous, at);
    seals.push(next);
    previous = next.seal;
  }
  return seals;
}

/** Oldest first by time, then by id: the order in which a seal lists the entries it covers. */
export const chronologically = (a: LogEntry, b: LogEntry) =>
  String(a.entry.at).localeCompare(String(b.entry.at)) || a.id.localeCompare(b.id);

/** The body of a stored seal, as signed. */
export const bodyOf = (seal: Pick<StoredSeal, 'jws'>) => decodeJwsPayload(seal.jws) as SealBody;

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
 * The keys of every history and audit entry written on `day`, by agreement: the `entriesByDay` index,
 * one query per shard (eventually consistent, so an entry written in the last moments may show up in
 * the next run instead).
 */
export async function entriesWrittenOn(day: string): Promise<Map<string, string[]>> {
  const byAgreement = new Map<string, string[]>();
  await Promise.all(
    Array.from({ length: ENTRY_SHARDS }, (_, shard) => `ENTRIES#${day}#${shard}`).map(async (partition) => {
      for await (const item of queryItems({
        TableName: config.tableName(),
        IndexName: TABLE_KEYS.entriesByDay.indexName,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': TABLE_KEYS.entriesByDay.partitionKey },
        ExpressionAttributeValues: toItem({ ':pk': partition }),
      })) {
        const { sk, gsi3sk: agreementId } = fromItem<{ sk: string; gsi3sk: string }>(item);
        const keys = byAgreement.get(agreementId) ?? [];
        keys.push(sk);
        byAgreement.set(agreementId, keys);
      }
    }),
  );
  return byAgreement;
}
