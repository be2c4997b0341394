import { QueryCommand, TransactionCanceledException, type TransactWriteItem } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { beforeEach } from 'vitest';
import type { Agreement } from '../../../functions/domain/schemas.ts';
import type { SubProcessorRecord } from '../../../functions/domain/sub-processor-schemas.ts';
import { AGREEMENT_ID } from '../domain/agreement-fixture.ts';
import { agreementItem, ddb, givenItem } from './aws-mocks.ts';

export const APPROVAL_STATE_MACHINE_ARN =
  'arn:aws:states:eu-north-1:123456789012:stateMachine:SubProcessorApproval';

/** Call after useAwsMocks(): the approval workflow's ARN, as CDK gives it to the starting function. */
export function useApprovalWorkflow(): void {
  beforeEach(() => {
    process.env.SUB_PROCESSOR_APPROVAL_STATE_MACHINE_ARN = APPROVAL_STATE_MACHINE_ARN;
  });
}

export const subProcessorKey = (subId: string, agreementId = AGREEMENT_ID) => ({
  pk: `AGREEMENT#${agreementId}`,
  sk: `SUBPROCESSOR#${subId}`,
});

export function subProcessorItem(record: SubProcessorRecord, taskToken?: string) {
  return marshall(
    { ...subProcessorKey(record.id), entity: 'subprocessor', ...record, ...(taskToken ? { taskToken } : {}) },
    { removeUndefinedValues: true },
  );
}

/** Every GetItem of this request finds it (with the workflow's token, if given). */
export function givenSubProcessor(record: SubProcessorRecord, taskToken?: string): void {
  givenItem(subProcessorItem(record, taskToken));
}

/** The agreement's requests, as the Query of its SUBPROCESSOR# items returns them. */
export function givenSubProcessors(records: SubProcessorRecord[]): void {
  ddb.on(QueryCommand).resolves({ Items: records.map((record) => subProcessorItem(record)) });
}

export function givenAppendix(version: number, approved: { id: string; name: string }[]): void {
  givenItem(
    marshall({
      pk: `AGREEMENT#${AGREEMENT_ID}`,
      sk: 'APPENDIX3',
      entity: 'appendix3',
      version,
      approved,
    }),
  );
}

/** The write of the request item in a transaction (Put for a new request, Update for a transition). */
export function requestWrite(items: TransactWriteItem[]) {
  const item = items.find((candidate) => {
    const key = candidate.Put?.Item ?? candidate.Update?.Key ?? candidate.Delete?.Key;
    return key ? String(unmarshall(key).sk).startsWith('SUBPROCESSOR#') : false;
  });
  if (!item) throw new Error('no write of a sub-processor item in the transaction');
  return item;
}

export function appendixWrite(items: TransactWriteItem[]) {
  return items.find((item) => item.Put && unmarshall(item.Put.Item!).sk === 'APPENDIX3')?.Put;
}

export function agreementCheck(items: TransactWriteItem[]) {
  return items.find((item) => item.ConditionCheck)?.ConditionCheck;
}

/** DynamoDB's answer when the n-th item's condition failed, with that item's old image. */
export function cancelledAt(
  index: number,
  length: number,
  old?: SubProcessorRecord | Agreement,
): TransactionCanceledException {
  const reasons = Array.from({ length }, (_, position) =>
    position === index
      ? {
          Code: 'ConditionalCheckFailed',
          Message: 'The conditional request failed',
          ...(old
            ? {
                Item: 'processingLocation' in old ? subProcessorItem(old) : agreementItem(old as Agreement),
              }
            : {}),
        }
      : { Code: 'None' },
  );
  return new TransactionCanceledException({
    message: 'Transaction cancelled, please refer cancellation reasons for specific reasons',
    $metadata: {},
    CancellationReasons: reasons,
  });
}
