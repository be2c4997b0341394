import {
  ConditionalCheckFailedException,
  GetItemCommand,
  QueryCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import { useClock } from '../../../functions/shared/clock.ts';
import { handler as awaitDecision } from '../../../functions/tasks/await-sub-processor-decision.ts';
import { handler as expire } from '../../../functions/tasks/expire-sub-processor-request.ts';
import { handler as notifyOutcome } from '../../../functions/tasks/notify-sub-processor-outcome.ts';
import { handler as prepare } from '../../../functions/tasks/prepare-sub-processor-decision.ts';
import { handler as sendReminders } from '../../../functions/tasks/send-reminders.ts';
import { AGREEMENT_ID, CONTROLLER_ORG, PROCESSOR_ORG } from '../domain/agreement-fixture.ts';
import { approvedRecord, inForceAgreement, pendingRecord, SUB_ID } from '../domain/sub-processor-fixture.ts';
import {
  ddb,
  givenStored,
  putsWithPartitionKey,
  putsWithSortKey,
  sfn,
  tableWrites,
  transaction,
  useAwsMocks,
  workflowCalls,
} from '../http/aws-mocks.ts';
import {
  cancelledAt,
  givenSubProcessor,
  requestWrite,
  subProcessorKey,
} from '../http/sub-processor-mocks.ts';

useAwsMocks();

const ids = { agreementId: AGREEMENT_ID, subProcessorId: SUB_ID };

describe('prepareSubProcessorDecision task', () => {
  it('gives the status and the seconds left until the deadline day ends in Oslo', async () => {
    useClock(() => new Date('2026-12-20T22:00:00Z')); // 23:00 on the last day
    givenSubProcessor(pendingRecord());
    await expect(prepare(ids)).resolves.toEqual({ status: 'REQUESTED', secondsLeft: 3600 });
  });

  it('fails with SubProcessorMissing for an unknown request (the workflow records it)', async () => {
    await expect(prepare(ids)).rejects.toMatchObject({ name: 'SubProcessorMissing' });
  });
});

describe('awaitSubProcessorDecision task', () => {
  it('stores the token on the request only while it is REQUESTED', async () => {
    givenSubProcessor(pendingRecord());
    await expect(awaitDecision({ ...ids, taskToken: 'token-1' })).resolves.toEqual({ waiting: true });

    const update = ddb.commandCalls(UpdateItemCommand)[0]!.args[0].input;
    expect(unmarshall(update.Key!)).toEqual(subProcessorKey(SUB_ID));
    expect(update.UpdateExpression).toBe('SET #token = :token');
    expect(update.ConditionExpression).toBe('#status = :awaited');
    expect(unmarshall(update.ExpressionAttributeValues!)).toEqual({
      ':token': 'token-1',
      ':awaited': 'REQUESTED',
    });
    expect(workflowCalls()).toEqual([]);
  });

  it('completes the wait at once when the decision came first', async () => {
    givenSubProcessor(approvedRecord());
    await expect(awaitDecision({ ...ids, taskToken: 'token-1' })).resolves.toEqual({ waiting: false });
    expect(sfn.commandCalls(SendTaskSuccessCommand)[0]!.args[0].input).toEqual({
      taskToken: 'token-1',
      output: '{"status":"APPROVED"}',
    });
    expect(tableWrites()).toEqual([]);
  });

  it('reads again when a decision lands between its read and its write, and completes the wait', async () => {
    ddb
      .on(GetItemCommand, { Key: marshall(subProcessorKey(SUB_ID)) })
      .resolvesOnce({ Item: marshall({ ...subProcessorKey(SUB_ID), ...pendingRecord() }) })
      .resolves({
        Item: marshall({ ...subProcessorKey(SUB_ID), ...pendingRecord({ status: 'WITHDRAWN' }) }),
      });
    ddb
      .on(UpdateItemCommand)
      .rejects(new ConditionalCheckFailedException({ message: 'failed', $metadata: {} }));

    await expect(awaitDecision({ ...ids, taskToken: 'token-1' })).resolves.toEqual({ waiting: false });
    expect(JSON.parse(sfn.commandCalls(SendTaskSuccessCommand)[0]!.args[0].input.output!)).toEqual({
      status: 'WITHDRAWN',
    });
  });
});

describe('expireSubProcessorRequest task', () => {
  it('expires a request still REQUESTED once its deadline day has ended, conditionally, telling both parties', async () => {
    useClock(() => new Date('2026-12-20T23:00:00Z'));
    givenStored(inForceAgreement());
    givenSubProcessor(pendingRecord());

    await expect(expire(ids)).resolves.toEqual({ status: 'EXPIRED' });

    const items = transaction();
    const update = requestWrite(items).Update!;
    expect(update.ConditionExpression).toBe('#status = :expectedStatus');
    expect(unmarshall(update.ExpressionAttributeValues!)).toMatchObject({
      ':expectedStatus': 'REQUESTED',
    });
    expect(putsWithSortKey(items, 'HISTORY#').map((entry) => entry.type)).toEqual(['SUB_PROCESSOR_EXPIRED']);
    expect(putsWithSortKey(items, 'AUDIT#')).toEqual([
      expect.objectContaining({ action: 'sub-processor.expire', route: 'workflow:subProcessorApproval' }),
    ]);
    expect(putsWithPartitionKey(items, 'NOTIFICATIONS#').map((n) => [n.type, n.recipientOrgNumber])).toEqual([
      ['sub-processor.expired', CONTROLLER_ORG],
      ['sub-processor.expired', PROCESSOR_ORG],
    ]);
    // The reminder goes, and so does the marker that kept an identical request out while this one pended.
    expect(items.filter((item) => item.Delete).map((item) => unmarshall(item.Delete!.Key!).sk)).toEqual([
      expect.stringMatching(/^SUBPROCESSOR_PENDING#[0-9a-f]{64}$/),
      `REMINDER#sub-processor-decision#${SUB_ID}`,
    ]);
  });

  it('reports a decision that won the race and writes nothing', async () => {
    useClock(() => new Date('2026-12-20T23:00:00Z'));
    givenSubProcessor(approvedRecord());
    await expect(expire(ids)).resolves.toEqual({ status: 'APPROVED' });
    expect(tableWrites()).toEqual([]);
  });

  it('reports REQUESTED when the timeout fired before the deadline ended (the workflow waits again)', async () => {
    useClock(() => new Date('2026-12-20T22:59:59Z'));
    givenSubProcessor(pendingRecord());
    await expect(expire(ids)).resolves.toEqual({ status: 'REQUESTED' });
    expect(tableWrites()).toEqual([]);
  });

  it('reads again when the decision is written between its read and its write', async () => {
    useClock(() => new Date('2026-12-20T23:00:00Z'));
    givenStored(inForceAgreement());
    ddb
      .on(GetItemCommand, { Key: marshall(subProcessorKey(SUB_ID)) })
      .resolvesOnce({ Item: marshall({ ...subProcessorKey(SUB_ID), ...pendingRecord() }) })
      .resolves({ Item: marshall({ ...subProcessorKey(SUB_ID), ...approvedRecord() }) });
    ddb.on(TransactWriteItemsCommand).rejects(cancelledAt(0, 8, approvedRecord()));

    await expect(expire(ids)).resolves.toEqual({ status: 'APPROVED' });
  });
});

describe('notifySubProcessorOutcome task', () => {
  it('sends the outcome as recorded, with the same ids the recording handler used', async () => {
    givenStored(inForceAgreement());
    givenSubProcessor(approvedRecord());
    await expect(notifyOutcome(ids)).resolves.toEqual({ status: 'APPROVED', notified: 2 });
    const markers = transaction()
      .filter((item) => item.Put && unmarshall(item.Put.Item!).sk === 'MARKER')
      .map((item) => item.Put!);
    expect(markers.map((put) => unmarshall(put.Item!).pk)).toEqual([
      `NOTIFICATION#sub-processor.approved:${AGREEMENT_ID}:${SUB_ID}#${CONTROLLER_ORG}`,
      `NOTIFICATION#sub-processor.approved:${AGREEMENT_ID}:${SUB_ID}#${PROCESSOR_ORG}`,
    ]);
    expect(markers.every((put) => put.ConditionExpression === 'attribute_not_exists(pk)')).toBe(true);
  });

  it('sends nothing twice: an outcome already told counts as none', async () => {
    givenStored(inForceAgreement());
    givenSubProcessor(approvedRecord());
    ddb.on(TransactWriteItemsCommand).rejects(cancelledAt(0, 4));
    await expect(notifyOutcome(ids)).resolves.toEqual({ status: 'APPROVED', notified: 0 });
  });
});

describe('the daily reminder run with a sub-processor reminder', () => {
  it('reads the request the reminder is about and reminds the controller', async () => {
    useClock(() => new Date('2026-11-27T06:00:00Z'));
    const kind = `sub-processor-decision#${SUB_ID}`;
    ddb.on(QueryCommand).resolves({
      Items: [marshall({ agreementId: AGREEMENT_ID, kind, dueOn: '2026-11-27' })],
    });
    givenStored(inForceAgreement());
    givenSubProcessor(pendingRecord());

    await expect(sendReminders()).resolves.toEqual({ due: 1, sent: 1, failed: 0 });

    const reads = ddb.commandCalls(GetItemCommand).map((call) => unmarshall(call.args[0].input.Key!));
    expect(reads).toContainEqual(subProcessorKey(SUB_ID));
    expect(putsWithPartitionKey(transaction(), 'NOTIFICATIONS#')).toEqual([
      expect.objectContaining({
        type: 'reminder.sub-processor-decision',
        recipientOrgNumber: CONTROLLER_ORG,
      }),
    ]);
  });
});
