import {
  GetItemCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { SendTaskFailureCommand, SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import { useClock } from '../../../functions/shared/clock.ts';
import { handler as awaitAttestation } from '../../../functions/tasks/await-attestation.ts';
import { handler as awaitDisposition } from '../../../functions/tasks/await-disposition.ts';
import { handler as escalate } from '../../../functions/tasks/escalate-disposition.ts';
import { handler as prepareTermination } from '../../../functions/tasks/prepare-termination.ts';
import { handler as terminateAgreement } from '../../../functions/tasks/terminate-agreement.ts';
import { AGREEMENT_ID, CONTROLLER_ORG, PROCESSOR_ORG } from '../domain/agreement-fixture.ts';
import {
  agreementItem,
  agreementKey,
  agreementUpdate,
  ddb,
  decodeUpdate,
  givenStored,
  putsWithPartitionKey,
  putsWithSortKey,
  sfn,
  TABLE_NAME,
  tableWrites,
  transaction,
  useAwsMocks,
} from '../http/aws-mocks.ts';
import {
  attestationOf,
  chosenDisposition,
  noticePeriodAgreement,
  terminatedAgreement,
} from '../http/termination-fixture.ts';

useAwsMocks();

/** The notice-period fixture ends with 2027-01-10: TERMINATED from 2027-01-10T23:00Z (midnight in Oslo). */
const MIDNIGHT = '2027-01-10T23:00:00.000Z';

describe('prepareTermination task', () => {
  it('gives the status and the instant terminatesOn ends in Oslo, as a Wait timestamp with Z', async () => {
    givenStored(noticePeriodAgreement());
    expect(await prepareTermination({ agreementId: AGREEMENT_ID })).toEqual({
      status: 'NOTICE_PERIOD',
      terminatesOn: '2027-01-10',
      terminatesAt: '2027-01-10T23:00:00Z',
    });
  });

  it('fails with AgreementMissing for an unknown agreement (the workflow records it)', async () => {
    await expect(prepareTermination({ agreementId: AGREEMENT_ID })).rejects.toMatchObject({
      name: 'AgreementMissing',
    });
  });
});

/** The output the task's callback gave the workflow (SendTaskSuccess), if any. */
const completedWith = () =>
  sfn.commandCalls(SendTaskSuccessCommand).map((call) => ({
    taskToken: call.args[0].input.taskToken,
    output: JSON.parse(call.args[0].input.output!),
  }));

describe('terminateAgreement task', () => {
  const terminate = () => terminateAgreement({ agreementId: AGREEMENT_ID, taskToken: 'token-t' });

  it('leaves the agreement in its notice period a millisecond before midnight (a wait that fired early)', async () => {
    givenStored(noticePeriodAgreement());
    useClock(() => new Date(Date.parse(MIDNIGHT) - 1));
    expect(await terminate()).toEqual({ waiting: false });
    expect(tableWrites()).toEqual([]);
    // The workflow routes on the status it is completed with: it waits again.
    expect(completedWith()).toEqual([{ taskToken: 'token-t', output: { status: 'NOTICE_PERIOD' } }]);
  });

  it('terminates at midnight, conditionally, with history, weekly reminders, notifications and the wait for the choice in one transaction', async () => {
    givenStored(noticePeriodAgreement());
    useClock(() => new Date(MIDNIGHT));

    expect(await terminate()).toEqual({ waiting: true });
    expect(completedWith()).toEqual([]);

    const items = transaction();
    const update = agreementUpdate(items, AGREEMENT_ID);
    expect(update.ConditionExpression).toBe('#status = :expectedStatus AND #version = :expectedVersion');
    expect(unmarshall(update.ExpressionAttributeValues!)).toMatchObject({
      ':expectedStatus': 'NOTICE_PERIOD',
      ':expectedVersion': 5,
    });
    expect(decodeUpdate(update).set).toMatchObject({
      status: 'TERMINATED',
      terminatedAt: MIDNIGHT,
      version: 6,
    });
    expect(putsWithSortKey(items, 'HISTORY#')).toEqual([
      expect.objectContaining({
        type: 'TERMINATED',
        fromStatus: 'NOTICE_PERIOD',
        toStatus: 'TERMINATED',
        actor: { orgNumber: 'system', clientId: 'termination-workflow' },
      }),
    ]);
    expect(putsWithSortKey(items, 'REMINDER#').map((r) => [r.kind, r.dueOn])).toEqual([
      ['disposition-missing', '2027-01-17'],
      ['attestation-missing', '2027-01-17'],
    ]);
    // Only the check the morning after: the reminders ahead of terminatesOn were due, and sent, before it.
    expect(items.filter((item) => item.Delete).map((item) => unmarshall(item.Delete!.Key!).sk)).toEqual([
      'REMINDER#termination-due',
      // terminatesOn and its marks leave both parties' calendar feeds (rule 15).
      `CALENDAR#${CONTROLLER_ORG}#agreement`,
      `CALENDAR#${PROCESSOR_ORG}#agreement`,
    ]);
    expect(putsWithPartitionKey(items, 'NOTIFICATIONS#').map((n) => [n.recipientOrgNumber, n.type])).toEqual([
      [CONTROLLER_ORG, 'agreement.terminated'],
      [PROCESSOR_ORG, 'agreement.terminated'],
    ]);
    // The token for the controller's choice, covered by the condition on the version read.
    expect(putsWithSortKey(items, 'TASK_TOKEN#')).toEqual([
      expect.objectContaining({
        pk: `AGREEMENT#${AGREEMENT_ID}`,
        sk: 'TASK_TOKEN#termination#disposition',
        token: 'token-t',
      }),
    ]);
  });

  it('completes the wait for the choice at once when the controller chose during the notice period', async () => {
    givenStored(noticePeriodAgreement({ dataDisposition: chosenDisposition('DELETE', '2026-11-01') }));
    useClock(() => new Date(MIDNIGHT));
    expect(await terminate()).toEqual({ waiting: false });
    const items = transaction();
    expect(putsWithSortKey(items, 'REMINDER#').map((r) => r.kind)).toEqual(['attestation-missing']);
    expect(putsWithSortKey(items, 'TASK_TOKEN#')).toEqual([]);
    expect(completedWith()).toEqual([
      { taskToken: 'token-t', output: { method: 'DELETE', chosenOn: '2026-11-01' } },
    ]);
  });

  it('is idempotent: run again, it finds the agreement TERMINATED and only registers the wait for the choice', async () => {
    givenStored(terminatedAgreement());
    expect(await terminate()).toEqual({ waiting: true });
    const [check, put] = transaction();
    expect(unmarshall(check!.ConditionCheck!.ExpressionAttributeValues!)).toEqual({
      ':status': 'TERMINATED',
      ':version': 6,
    });
    expect(unmarshall(put!.Put!.Item!)).toMatchObject({
      sk: 'TASK_TOKEN#termination#disposition',
      token: 'token-t',
    });
    expect(putsWithSortKey(transaction(), 'HISTORY#')).toEqual([]);
    expect(completedWith()).toEqual([]);
  });

  it('returns the status to an execution started before it awaited the choice (called without a token)', async () => {
    givenStored(noticePeriodAgreement());
    useClock(() => new Date(MIDNIGHT));
    expect(await terminateAgreement({ agreementId: AGREEMENT_ID })).toEqual({ status: 'TERMINATED' });
    expect(putsWithSortKey(transaction(), 'TASK_TOKEN#')).toEqual([]);
    expect(completedWith()).toEqual([]);
  });

  it.each([
    'CLOSED',
    'RETAINED_UNDER_LAW',
  ] as const)('completes with the status when the agreement is already %s (the workflow ends)', async (status) => {
    givenStored(
      terminatedAgreement({
        status,
        dataDisposition: chosenDisposition('DELETE'),
        attestation: attestationOf('DELETE', status === 'RETAINED_UNDER_LAW'),
      }),
    );
    expect(await terminate()).toEqual({ waiting: false });
    expect(tableWrites()).toEqual([]);
    expect(completedWith()).toEqual([{ taskToken: 'token-t', output: { status } }]);
  });
});

const tokenConditionFailed = () =>
  new TransactionCanceledException({
    message: 'Transaction cancelled [ConditionalCheckFailed, None]',
    $metadata: {},
    CancellationReasons: [{ Code: 'ConditionalCheckFailed' }, { Code: 'None' }],
  });

describe('awaitDisposition task', () => {
  const wait = () => awaitDisposition({ agreementId: AGREEMENT_ID, taskToken: 'token-1' });

  it('completes the wait at once with a choice made during the notice period', async () => {
    givenStored(terminatedAgreement({ dataDisposition: chosenDisposition('RETURN') }));
    expect(await wait()).toEqual({ waiting: false });
    const calls = sfn.commandCalls(SendTaskSuccessCommand);
    expect(calls[0]!.args[0].input).toEqual({
      taskToken: 'token-1',
      output: JSON.stringify({ method: 'RETURN', chosenOn: '2026-11-05' }),
    });
    expect(tableWrites()).toEqual([]);
  });

  it('stores the token next to the agreement, only if it is still TERMINATED at the version read', async () => {
    givenStored(terminatedAgreement());
    expect(await wait()).toEqual({ waiting: true });
    const [check, put] = transaction();
    expect(check!.ConditionCheck).toMatchObject({
      TableName: TABLE_NAME,
      Key: marshall(agreementKey(AGREEMENT_ID)),
      ConditionExpression: '#status = :status AND #version = :version',
      ExpressionAttributeNames: { '#status': 'status', '#version': 'version' },
    });
    expect(unmarshall(check!.ConditionCheck!.ExpressionAttributeValues!)).toEqual({
      ':status': 'TERMINATED',
      ':version': 6,
    });
    expect(unmarshall(put!.Put!.Item!)).toMatchObject({
      pk: `AGREEMENT#${AGREEMENT_ID}`,
      sk: 'TASK_TOKEN#termination#disposition',
      token: 'token-1',
    });
    expect(sfn.commandCalls(SendTaskSuccessCommand)).toEqual([]);
  });

  it('reads again when the choice lands between its read and the store, and completes the wait itself', async () => {
    ddb
      .on(GetItemCommand, { Key: marshall(agreementKey(AGREEMENT_ID)) })
      .resolvesOnce({ Item: agreementItem(terminatedAgreement()) })
      .resolves({
        Item: agreementItem(
          terminatedAgreement({ version: 7, dataDisposition: chosenDisposition('DELETE') }),
        ),
      });
    ddb.on(TransactWriteItemsCommand).rejects(tokenConditionFailed());

    expect(await wait()).toEqual({ waiting: false });
    expect(sfn.commandCalls(SendTaskSuccessCommand)).toHaveLength(1);
  });

  it('fails the wait (recorded by the workflow) when the agreement is not terminated', async () => {
    givenStored(noticePeriodAgreement());
    await wait();
    expect(sfn.commandCalls(SendTaskFailureCommand)[0]!.args[0].input).toMatchObject({
      taskToken: 'token-1',
      error: 'DispositionNotAwaited',
    });
  });
});

describe('awaitAttestation task', () => {
  const wait = () => awaitAttestation({ agreementId: AGREEMENT_ID, taskToken: 'token-2' });

  it.each([
    ['CLOSED', false],
    ['RETAINED_UNDER_LAW', true],
  ] as const)('completes the wait at once when the agreement is already %s', async (status, retained) => {
    givenStored(
      terminatedAgreement({
        status,
        dataDisposition: chosenDisposition('DELETE'),
        attestation: attestationOf('DELETE', retained),
      }),
    );
    expect(await wait()).toEqual({ waiting: false });
    expect(JSON.parse(sfn.commandCalls(SendTaskSuccessCommand)[0]!.args[0].input.output!)).toEqual({
      status,
    });
  });

  it('stores the token for the attestation step while TERMINATED', async () => {
    givenStored(terminatedAgreement({ dataDisposition: chosenDisposition('DELETE') }));
    expect(await wait()).toEqual({ waiting: true });
    expect(unmarshall(transaction()[1]!.Put!.Item!).sk).toBe('TASK_TOKEN#termination#attestation');
  });
});

describe('escalateDisposition task', () => {
  it('tells both parties once per round while the choice is missing', async () => {
    givenStored(terminatedAgreement());
    const result = await escalate({ agreementId: AGREEMENT_ID, step: 'disposition', round: 2, lastRound: 6 });
    expect(result).toEqual({ pending: true, round: 2, lastRound: 6, handedOver: false });
    const items = transaction();
    expect(putsWithPartitionKey(items, 'NOTIFICATIONS#').map((n) => [n.recipientOrgNumber, n.id])).toEqual([
      [CONTROLLER_ORG, `escalation.disposition-overdue:${AGREEMENT_ID}:round-2`],
      [PROCESSOR_ORG, `escalation.disposition-overdue:${AGREEMENT_ID}:round-2`],
    ]);
    expect(putsWithSortKey(items, 'HISTORY#').map((h) => h.type)).toEqual(['ESCALATED']);
  });

  it('hands over to the daily reminders in the last round, recording it in the history', async () => {
    givenStored(terminatedAgreement({ dataDisposition: chosenDisposition('RETURN') }));
    const result = await escalate({ agreementId: AGREEMENT_ID, step: 'attestation', round: 6, lastRound: 6 });
    expect(result).toMatchObject({ pending: true, handedOver: true });
    expect(putsWithSortKey(transaction(), 'HISTORY#').map((h) => h.type)).toEqual([
      'ESCALATED',
      'HANDED_TO_DAILY_REMINDERS',
    ]);
  });

  it('names the method the processor must attest, and when it was chosen', async () => {
    givenStored(terminatedAgreement({ dataDisposition: chosenDisposition('DELETE', '2026-11-01') }));
    await escalate({ agreementId: AGREEMENT_ID, step: 'attestation', round: 2, lastRound: 6 });
    const notifications = putsWithPartitionKey(transaction(), 'NOTIFICATIONS#');
    expect(notifications.map((n) => n.type)).toEqual([
      'escalation.attestation-overdue',
      'escalation.attestation-overdue',
    ]);
    expect(notifications[0]!.details).toMatchObject({
      step: 'attestation',
      method: 'DELETE',
      chosenOn: '2026-11-01',
    });
  });

  it('sends nothing when the awaited fact arrived meanwhile', async () => {
    givenStored(terminatedAgreement({ dataDisposition: chosenDisposition('RETURN') }));
    const result = await escalate({ agreementId: AGREEMENT_ID, step: 'disposition', round: 6, lastRound: 6 });
    expect(result).toEqual({ pending: false, round: 6, lastRound: 6, handedOver: false });
    expect(tableWrites()).toEqual([]);
  });
});
