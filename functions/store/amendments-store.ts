import { GetItemCommand, type TransactWriteItem } from '@aws-sdk/client-dynamodb';
import type { ContentVersion } from '../domain/amendments/rules.ts';
import { type Amendment, amendmentSchema } from '../domain/amendments/schemas.ts';
import { lazily } from '../domain/lazily.ts';
import type { Agreement } from '../domain/schemas.ts';
import { dynamoClient } from '../shared/clients.ts';
import { config } from '../shared/config.ts';
import { toStored } from './agreements-store.ts';
import { fromItem, type Item, isIssuedId, toItem } from './items.ts';
import { queryItems } from './query.ts';
import { storeTokenWhile } from './task-tokens-store.ts';

/**
 * Amendments and content versions (rule 13), next to the agreement and sorted after it, so that one
 * query on `begins_with(sk, 'AGREEMENT')` reads the agreement with all its amendments and versions:
 *
 * | item              | pk             | sk                                 |
 * |-------------------|----------------|------------------------------------|
 * | amendment         | AGREEMENT#<id> | AGREEMENT#AMENDMENT#<amendmentId>  |
 * | content version   | AGREEMENT#<id> | AGREEMENT#VERSION#<n, 6 digits>    |
 *
 * An amendment item holds the amendment and, while it awaits signatures, its workflow's task token
 * (never shown). Versions are written when an amendment takes effect: version 1 (the content as first
 * signed) with the first one, then each new version; until then version 1 is the agreement itself.
 */
export const AMENDMENT_PREFIX = 'AGREEMENT#AMENDMENT#';
export const VERSION_PREFIX = 'AGREEMENT#VERSION#';

export const amendmentKey = (agreementId: string, amendmentId: string) => ({
  pk: `AGREEMENT#${agreementId}`,
  sk: `${AMENDMENT_PREFIX}${amendmentId}`,
});
export const versionKey = (agreementId: string, number: number) => ({
  pk: `AGREEMENT#${agreementId}`,
  sk: `${VERSION_PREFIX}${String(number).padStart(6, '0')}`,
});

const INTERNAL_FIELDS = ['pk', 'sk', 'entity', 'taskToken'] as const;
const amendmentOrder = /* @__PURE__ */ lazily(() => Object.keys(amendmentSchema.shape));

export interface StoredAmendment {
  amendment: Amendment;
  /** The amendment workflow's token, while it waits for the signatures. */
  taskToken?: string;
}

export function toStoredAmendment(item: Item): StoredAmendment {
  const raw = fromItem<Record<string, unknown>>(item);
  const taskToken = typeof raw.taskToken === 'string' ? raw.taskToken : undefined;
  const asRead = amendmentAsRead(item);
  const amendment: Record<string, unknown> = {};
  for (const key of amendmentOrder()) if (key in asRead) amendment[key] = asRead[key];
  return { amendment: amendment as Amendment, ...(taskToken ? { taskToken } : {}) };
}

/** An amendment's fields in the order DynamoDB returned them (see storedAsRead in agreements-store). */
export function amendmentAsRead(item: Item): Record<string, unknown> {
  const raw = fromItem<Record<string, unknown>>(item);
  for (const field of INTERNAL_FIELDS) delete raw[field];
  return raw;
}

export function toContentVersion(item: Item): ContentVersion {
  const { pk: _pk, sk: _sk, entity: _entity, ...version } = fromItem<Record<string, unknown>>(item);
  return version as unknown as ContentVersion;
}

/**
 * A new amendment (`asRead` undefined: it must not exist yet), or the next state of one as read: only
 * if it is still in the status it was read in and its task token is still the one read, so the caller
 * may complete the wait with that token. A token registered in between fails the write (read again).
 */
export function amendmentWrite(
  agreementId: string,
  after: Amendment,
  asRead?: StoredAmendment,
): TransactWriteItem {
  const keepToken = asRead?.taskToken && after.status === 'AWAITING_SIGNATURES';
  const Item = toItem({
    ...amendmentKey(agreementId, after.id),
    entity: 'amendment',
    ...after,
    ...(keepToken ? { taskToken: asRead.taskToken } : {}),
  });
  if (!asRead) {
    return { Put: { TableName: config.tableName(), Item, ConditionExpression: 'attribute_not_exists(pk)' } };
  }
  return {
    Put: {
      TableName: config.tableName(),
      Item,
      ConditionExpression: `#status = :status AND ${
        asRead.taskToken === undefined ? 'attribute_not_exists(#token)' : '#token = :token'
      }`,
      ExpressionAttributeNames: { '#status': 'status', '#token': 'taskToken' },
      ExpressionAttributeValues: toItem({
        ':status': asRead.amendment.status,
        ...(asRead.taskToken === undefined ? {} : { ':token': asRead.taskToken }),
      }),
    },
  };
}

/** Content versions are written once each: a second write of one number fails the transaction. */
export function versionWrites(agreementId: string, versions: readonly ContentVersion[]): TransactWriteItem[] {
  return versions.map((version) => ({
    Put: {
      TableName: config.tableName(),
      Item: toItem({ ...versionKey(agreementId, version.number), entity: 'contentVersion', ...version }),
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  }));
}

export async function getAmendment(
  agreementId: string,
  amendmentId: string,
): Promise<StoredAmendment | undefined> {
  if (!isIssuedId(amendmentId)) return undefined;
  const { Item: item } = await dynamoClient().send(
    new GetItemCommand({
      TableName: config.tableName(),
      Key: toItem(amendmentKey(agreementId, amendmentId)),
      ConsistentRead: true,
    }),
  );
  return item ? toStoredAmendment(item) : undefined;
}

export interface AgreementWithAmendments {
  agreement: Agreement | undefined;
  /** In the order of their numbers. */
  amendments: Amendment[];
  /** Stored content versions, in order (none before the first amendment takes effect). */
  versions: ContentVersion[];
}

/** The agreement, its amendments and its stored content versions: one strongly consistent query. */
export async function readAgreementWithAmendments(agreementId: string): Promise<AgreementWithAmendments> {
  const result: AgreementWithAmendments = { agreement: undefined, amendments: [], versions: [] };
  for await (const item of queryItems({
    TableName: config.tableName(),
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    ExpressionAttributeValues: toItem({ ':pk': `AGREEMENT#${agreementId}`, ':prefix': 'AGREEMENT' }),
    ConsistentRead: true,
  })) {
    const sk = item.sk?.S ?? '';
    if (sk === 'AGREEMENT') result.agreement = toStored(item).agreement;
    else if (sk.startsWith(AMENDMENT_PREFIX)) result.amendments.push(toStoredAmendment(item).amendment);
    else if (sk.startsWith(VERSION_PREFIX)) result.versions.push(toContentVersion(item));
  }
  result.amendments.sort((a, b) => a.number - b.number);
  return result;
}

/**
 * Stores the amendment workflow's task token, only while the amendment still awaits signatures: a
 * second signature or a withdrawal landing first makes this fail, and the caller reads again.
 */
export function storeAmendmentToken(
  agreementId: string,
  amendmentId: string,
  token: string,
): Promise<boolean> {
  return storeTokenWhile(amendmentKey(agreementId, amendmentId), 'AWAITING_SIGNATURES', token);
}

/** Undoes a proposal whose workflow could not start: only while nobody has signed it. */
export function amendmentDelete(agreementId: string, amendment: Amendment): TransactWriteItem {
  return {
    Delete: {
      TableName: config.tableName(),
      Key: toItem(amendmentKey(agreementId, amendment.id)),
      ConditionExpression: '#status = :awaiting AND size(#signatures) = :none',
      ExpressionAttributeNames: { '#status': 'status', '#signatures': 'signatures' },
      ExpressionAttributeValues: toItem({ ':awaiting': 'AWAITING_SIGNATURES', ':none': 0 }),
    },
  };
}

/**
 * An amendment closed by another change to the agreement (its termination), which the agreement's
 * version already guards: conditional on its status only, its task token dropped with the wait.
 */
export function closedAmendmentWrite(
  agreementId: string,
  before: Amendment,
  after: Amendment,
): TransactWriteItem {
  return {
    Put: {
      TableName: config.tableName(),
      Item: toItem({ ...amendmentKey(agreementId, after.id), entity: 'amendment', ...after }),
      ConditionExpression: '#status = :status',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: toItem({ ':status': before.status }),
    },
  };
}
