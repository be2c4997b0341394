import {
  BatchGetItemCommand,
  GetItemCommand,
  QueryCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import { useClock } from '../../../functions/shared/clock.ts';
import { handler } from '../../../functions/tasks/send-reminders.ts';
import {
  AGREEMENT_ID,
  awaitingAgreement,
  CONTROLLER_ORG,
  PROCESSOR_ORG,
  signature,
} from '../domain/agreement-fixture.ts';
import {
  batchGetKeys,
  ddb,
  givenStored,
  putsWithPartitionKey,
  putsWithSortKey,
  TABLE_NAME,
  transaction,
  useAwsMocks,
} from '../http/aws-mocks.ts';
import { noticePeriodAgreement } from '../http/termination-fixture.ts';

useAwsMocks();

const RUN_AT = '2026-11-22T06:00:00.000Z'; // 07:00 in Oslo

function givenDueReminder(dueOn: string, agreementId = AGREEMENT_ID) {
  ddb.on(QueryCommand).resolves({
    Items: [
      marshall({
        pk: `AGREEMENT#${agreementId}`,
        sk: 'REMINDER#signature-missing',
        entity: 'reminder',
        gsi2pk: 'REMINDERS',
        gsi2sk: `${dueOn}#${agreementId}#signature-missing`,
        agreementId,
        kind: 'signature-missing',
        dueOn,
      }),
    ],
  });
}

const OTHER_ID = '6f1c2a7e-0d4b-4c55-9f1e-2b8a6c3d9e10';

function givenDueSignatureReminders(agreementIds: string[], dueOn = '2026-11-22') {
  ddb.on(QueryCommand).resolves({
    Items: agreementIds.map((agreementId) =>
      marshall({
        pk: `AGREEMENT#${agreementId}`,
        sk: 'REMINDER#signature-missing',
        gsi2pk: 'REMINDERS',
        gsi2sk: `${dueOn}#${agreementId}#signature-missing`,
        agreementId,
        kind: 'signature-missing',
        dueOn,
      }),
    ),
  });
}

describe('sendReminders task (daily run)', () => {
  it('finds due reminders through the dueReminders index, up to and including today in Oslo', async () => {
    useClock(() => new Date('2026-11-21T23:30:00Z')); // already 22 November in Oslo
    await handler();
    const input = ddb.commandCalls(QueryCommand)[0]!.args[0].input;
    expect(input.TableName).toBe(TABLE_NAME);
    expect(input.IndexName).toBe('dueReminders');
    expect(input.KeyConditionExpression).toBe('#pk = :pk AND #sk < :until');
    expect(input.ExpressionAttributeNames).toEqual({ '#pk': 'gsi2pk', '#sk': 'gsi2sk' });
    expect(unmarshall(input.ExpressionAttributeValues!)).toEqual({
      ':pk': 'REMINDERS',
      ':until': '2026-11-22#\uffff',
    });
  });

  it('sends the reminder to the party that has not signed, once, and moves it on a week', async () => {
    useClock(() => new Date(RUN_AT));
    givenDueReminder('2026-11-22');
    givenStored(awaitingAgreement({ signatures: [signature('controller', '2026-11-16')] }));

    const result = await handler();

    expect(result).toEqual({ due: 1, sent: 1, failed: 0 });
    const items = transaction();
    const notificationId = `reminder.signature-missing:${AGREEMENT_ID}:2026-11-22`;
    // Once by the reminder's own condition on its due date (below): no marker items.
    expect(items.filter((item) => item.Put && unmarshall(item.Put.Item!).sk === 'MARKER')).toEqual([]);
    expect(putsWithPartitionKey(items, 'NOTIFICATIONS#')).toEqual([
      expect.objectContaining({
        pk: `NOTIFICATIONS#${PROCESSOR_ORG}`,
        id: notificationId,
        recipientOrgNumber: PROCESSOR_ORG,
        type: 'reminder.signature-missing',
      }),
    ]);
    expect(putsWithPartitionKey(items, `NOTIFICATIONS#${CONTROLLER_ORG}`)).toEqual([]);

    const advance = items.find((item) => item.Update)?.Update;
    expect(unmarshall(advance!.Key!)).toEqual({
      pk: `AGREEMENT#${AGREEMENT_ID}`,
      sk: 'REMINDER#signature-missing',
    });
    expect(advance!.ConditionExpression).toBe('dueOn = :dueOn');
    expect(unmarshall(advance!.ExpressionAttributeValues!)).toEqual({
      ':dueOn': '2026-11-22',
      ':next': '2026-11-29',
      ':sortKey': `2026-11-29#${AGREEMENT_ID}#signature-missing`,
    });
    expect(putsWithSortKey(items, 'HISTORY#')).toEqual([
      expect.objectContaining({
        type: 'REMINDER_SENT',
        details: { kind: 'signature-missing', dueOn: '2026-11-22', recipients: [PROCESSOR_ORG] },
      }),
    ]);
  });

  it('counts a reminder that already went out (its due-date condition failed) as not sent', async () => {
    useClock(() => new Date(RUN_AT));
    givenDueReminder('2026-11-22');
    givenStored(awaitingAgreement());
    ddb.on(TransactWriteItemsCommand).rejects(
      new TransactionCanceledException({
        message: 'Transaction cancelled [ConditionalCheckFailed, None, None, None]',
        $metadata: {},
        CancellationReasons: [
          { Code: 'ConditionalCheckFailed' },
          { Code: 'None' },
          { Code: 'None' },
          { Code: 'None' },
        ],
      }),
    );

    await expect(handler()).resolves.toEqual({ due: 1, sent: 0, failed: 0 });
  });

  it('drops the reminder without sending anything when the agreement no longer awaits signatures', async () => {
    useClock(() => new Date(RUN_AT));
    givenDueReminder('2026-11-22');
    givenStored(awaitingAgreement({ status: 'CANCELLED' }));

    const result = await handler();

    expect(result).toEqual({ due: 1, sent: 0, failed: 0 });
    const items = transaction();
    expect(items).toHaveLength(1);
    expect(items[0]?.Delete).toMatchObject({ ConditionExpression: 'dueOn = :dueOn' });
    expect(unmarshall(items[0]!.Delete!.Key!)).toEqual({
      pk: `AGREEMENT#${AGREEMENT_ID}`,
      sk: 'REMINDER#signature-missing',
    });
  });

  it('sends the last reminder before the deadline and then removes it', async () => {
    useClock(() => new Date('2026-12-13T06:00:00Z'));
    givenDueReminder('2026-12-13');
    givenStored(awaitingAgreement()); // deadline 2026-12-15

    const result = await handler();

    expect(result).toEqual({ due: 1, sent: 2, failed: 0 });
    const items = transaction();
    expect(items.filter((item) => item.Update)).toEqual([]);
    expect(items.filter((item) => item.Delete).map((item) => item.Delete!.ConditionExpression)).toEqual([
      'dueOn = :dueOn',
    ]);
  });

  it('sends nothing when nothing is due', async () => {
    await expect(handler()).resolves.toEqual({ due: 0, sent: 0, failed: 0 });
    expect(ddb.commandCalls(TransactWriteItemsCommand)).toEqual([]);
  });

  it('lets a failure other than a duplicate fail the run (so it is retried)', async () => {
    useClock(() => new Date(RUN_AT));
    givenDueReminder('2026-11-22');
    givenStored(awaitingAgreement());
    ddb.on(TransactWriteItemsCommand).rejects(new Error('ProvisionedThroughputExceededException'));
    await expect(handler()).rejects.toThrow('1 of 1 due reminders failed');
  });

  it('goes on with the other due reminders when one fails, and still fails the run so it is retried', async () => {
    useClock(() => new Date(RUN_AT));
    const failing = awaitingAgreement();
    const other = { ...awaitingAgreement(), id: OTHER_ID };
    givenDueSignatureReminders([failing.id, other.id]);
    givenStored(failing);
    givenStored(other);
    // The batch's transaction conflicts, so each agreement's reminder is sent on its own; the first
    // conflicts again.
    ddb
      .on(TransactWriteItemsCommand)
      .rejectsOnce(new Error('TransactionConflict'))
      .rejectsOnce(new Error('TransactionConflict'))
      .resolves({});

    await expect(handler()).rejects.toThrow('1 of 2 due reminders failed');

    const transactions = ddb.commandCalls(TransactWriteItemsCommand);
    expect(transactions).toHaveLength(3);
    expect(JSON.stringify(transactions[1]!.args[0].input.TransactItems)).toContain(`AGREEMENT#${failing.id}`);
    expect(JSON.stringify(transactions[2]!.args[0].input.TransactItems)).toContain(`AGREEMENT#${other.id}`);
  });

  describe('many agreements due the same morning', () => {
    const ids = (count: number) =>
      Array.from({ length: count }, (_, n) => `${String(n).padStart(8, '0')}-0d4b-4c55-9f1e-2b8a6c3d9e10`);

    it('reads their agreements in one BatchGetItem and sends their reminders in one transaction', async () => {
      useClock(() => new Date(RUN_AT));
      const agreementIds = ids(3);
      givenDueSignatureReminders(agreementIds);
      for (const id of agreementIds) givenStored({ ...awaitingAgreement(), id });

      await expect(handler()).resolves.toEqual({ due: 3, sent: 6, failed: 0 });

      expect(ddb.commandCalls(GetItemCommand)).toEqual([]);
      expect(batchGetKeys(0)).toEqual(agreementIds.map((id) => ({ pk: `AGREEMENT#${id}`, sk: 'AGREEMENT' })));
      expect(ddb.commandCalls(TransactWriteItemsCommand)).toHaveLength(1);
      const items = transaction();
      for (const id of agreementIds) {
        expect(
          putsWithPartitionKey(items, 'NOTIFICATIONS#').filter((n) => n.agreementId === id),
        ).toHaveLength(2);
        const advance = items.find(
          (item) => item.Update && unmarshall(item.Update.Key!).pk === `AGREEMENT#${id}`,
        )?.Update;
        expect(advance?.ConditionExpression).toBe('dueOn = :dueOn');
      }
      expect(putsWithSortKey(items, 'HISTORY#')).toHaveLength(3);
    });

    it("keeps every transaction within DynamoDB's 100 items and sends each reminder exactly once", async () => {
      useClock(() => new Date(RUN_AT));
      const agreementIds = ids(60);
      givenDueSignatureReminders(agreementIds);
      for (const id of agreementIds) givenStored({ ...awaitingAgreement(), id });

      await expect(handler()).resolves.toEqual({ due: 60, sent: 120, failed: 0 });

      const transactions = ddb
        .commandCalls(TransactWriteItemsCommand)
        .map((call) => call.args[0].input.TransactItems!);
      expect(transactions.length).toBeLessThan(10);
      for (const items of transactions) expect(items.length).toBeLessThanOrEqual(100);
      const advanced = transactions
        .flat()
        .filter((item) => item.Update)
        .map((item) => unmarshall(item.Update!.Key!).pk);
      expect(advanced.sort()).toEqual(agreementIds.map((id) => `AGREEMENT#${id}`).sort());
      expect(ddb.commandCalls(BatchGetItemCommand)).toHaveLength(3); // 25 agreements per read
    });

    it('sends them one by one when the batch is cancelled, and then sends again only what had not gone out', async () => {
      useClock(() => new Date(RUN_AT));
      const [sentBefore, notYet] = ids(2) as [string, string];
      givenDueSignatureReminders([sentBefore, notYet]);
      givenStored({ ...awaitingAgreement(), id: sentBefore });
      givenStored({ ...awaitingAgreement(), id: notYet });
      const duplicate = () =>
        new TransactionCanceledException({
          message: 'Transaction cancelled',
          $metadata: {},
          CancellationReasons: [{ Code: 'ConditionalCheckFailed' }],
        });
      ddb.on(TransactWriteItemsCommand).rejectsOnce(duplicate()).rejectsOnce(duplicate()).resolves({});

      await expect(handler()).resolves.toEqual({ due: 2, sent: 2, failed: 0 });

      const transactions = ddb
        .commandCalls(TransactWriteItemsCommand)
        .map((call) => call.args[0].input.TransactItems!);
      expect(transactions).toHaveLength(3);
      expect(JSON.stringify(transactions[2])).toContain(`AGREEMENT#${notYet}`);
      expect(JSON.stringify(transactions[2])).not.toContain(`AGREEMENT#${sentBefore}`);
    });
  });

  describe('the deadline check the morning after the deadline day (safety net for rule 4)', () => {
    const deadlineCheck = (agreementId = AGREEMENT_ID) =>
      ddb.on(QueryCommand).resolves({
        Items: [
          marshall({
            pk: `AGREEMENT#${agreementId}`,
            sk: 'REMINDER#signature-deadline',
            gsi2pk: 'REMINDERS',
            gsi2sk: `2026-12-16#${agreementId}#signature-deadline`,
            agreementId,
            kind: 'signature-deadline',
            dueOn: '2026-12-16',
          }),
        ],
      });

    it('expires an agreement still awaiting signatures whose workflow did not, conditionally on the state read', async () => {
      useClock(() => new Date('2026-12-16T06:00:00.000Z'));
      deadlineCheck();
      givenStored(awaitingAgreement());

      await handler();

      const expiry = ddb.commandCalls(TransactWriteItemsCommand)[0]!.args[0].input.TransactItems!;
      const update = expiry[0]!.Update!;
      expect(update.ConditionExpression).toBe('#status = :expectedStatus AND #version = :expectedVersion');
      expect(JSON.stringify(unmarshall(update.ExpressionAttributeValues!))).toContain('"EXPIRED"');
      expect(putsWithPartitionKey(expiry, 'NOTIFICATIONS#').map((n) => n.type)).toEqual([
        'agreement.expired',
        'agreement.expired',
      ]);
    });

    it('leaves an agreement that entered into force alone and only removes the check', async () => {
      useClock(() => new Date('2026-12-16T06:00:00.000Z'));
      deadlineCheck();
      givenStored(awaitingAgreement({ status: 'IN_FORCE', effectiveFrom: '2026-12-10' }));

      await handler();

      const writes = ddb
        .commandCalls(TransactWriteItemsCommand)
        .map((call) => call.args[0].input.TransactItems!);
      expect(writes).toHaveLength(1);
      expect(writes[0]!.map((item) => Object.keys(item)[0])).toEqual(['Delete']);
    });
  });
  it('terminates, the morning after terminatesOn, an agreement its termination workflow left in the notice period', async () => {
    useClock(() => new Date('2027-01-11T06:00:00.000Z'));
    ddb.on(QueryCommand).resolves({
      Items: [
        marshall({
          pk: `AGREEMENT#${AGREEMENT_ID}`,
          sk: 'REMINDER#termination-due',
          gsi2pk: 'REMINDERS',
          gsi2sk: `2027-01-11#${AGREEMENT_ID}#termination-due`,
          agreementId: AGREEMENT_ID,
          kind: 'termination-due',
          dueOn: '2027-01-11',
        }),
      ],
    });
    givenStored(noticePeriodAgreement());

    await handler();

    const termination = ddb.commandCalls(TransactWriteItemsCommand)[0]!.args[0].input.TransactItems!;
    const update = termination[0]!.Update!;
    expect(update.ConditionExpression).toBe('#status = :expectedStatus AND #version = :expectedVersion');
    expect(JSON.stringify(unmarshall(update.ExpressionAttributeValues!))).toContain('"TERMINATED"');
    expect(putsWithSortKey(termination, 'REMINDER#').map((r) => r.kind)).toEqual([
      'disposition-missing',
      'attestation-missing',
    ]);
  });
});
