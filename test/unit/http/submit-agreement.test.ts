import { TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import { handler } from '../../../functions/http/submit-agreement.ts';
import {
  AGREEMENT_ID,
  awaitingAgreement,
  CONTROLLER_ORG,
  draftAgreement,
  OUTSIDER_ORG,
  PROCESSOR_ORG,
} from '../domain/agreement-fixture.ts';
import {
  agreementUpdate,
  ddb,
  decodeUpdate,
  givenStored,
  NOW,
  putsWithPartitionKey,
  putsWithSortKey,
  SIGNING_STATE_MACHINE_ARN,
  sfn,
  tableWrites,
  transaction,
  useAwsMocks,
  workflowCalls,
} from './aws-mocks.ts';
import { httpEvent, invoke } from './events.ts';

useAwsMocks();

const submit = (orgNumber = PROCESSOR_ORG, body?: unknown) =>
  invoke(
    handler,
    httpEvent('POST /agreements/{id}/submit', `/agreements/${AGREEMENT_ID}/submit`, {
      orgNumber,
      pathParameters: { id: AGREEMENT_ID },
      ...(body === undefined ? {} : { body }),
    }),
  );

describe('POST /agreements/{id}/submit', () => {
  it('puts a DRAFT into AWAITING_SIGNATURES with the deadline 30 days after the submission date', async () => {
    givenStored(draftAgreement());
    const response = await submit();
    expect(response.statusCode).toBe(200);
    expect(response.headers.etag).toBe('"2"');
    expect(response.body).toMatchObject({
      status: 'AWAITING_SIGNATURES',
      version: 2,
      submittedAt: NOW,
      signatureDeadline: '2026-12-22',
    });
  });

  it('uses the agreed number of days for the deadline', async () => {
    givenStored(draftAgreement({ signatureDeadlineDays: 10 }));
    const response = await submit();
    expect(response.body.signatureDeadline).toBe('2026-12-02');
  });

  it('writes the submission conditionally on DRAFT and the version read, with history, audit and the first reminder', async () => {
    givenStored(draftAgreement());
    await submit();

    const items = transaction();
    const update = agreementUpdate(items, AGREEMENT_ID);
    expect(update.ConditionExpression).toBe('#status = :expectedStatus AND #version = :expectedVersion');
    expect(unmarshall(update.ExpressionAttributeValues!)).toMatchObject({
      ':expectedStatus': 'DRAFT',
      ':expectedVersion': 1,
    });
    expect(decodeUpdate(update).set).toMatchObject({
      status: 'AWAITING_SIGNATURES',
      version: 2,
      submittedAt: NOW,
      signatureDeadline: '2026-12-22',
    });
    expect(putsWithSortKey(items, 'HISTORY#')).toEqual([
      expect.objectContaining({
        type: 'SUBMITTED_FOR_SIGNATURE',
        fromStatus: 'DRAFT',
        toStatus: 'AWAITING_SIGNATURES',
        details: { signatureDeadline: '2026-12-22' },
      }),
    ]);
    expect(putsWithSortKey(items, 'AUDIT#')).toEqual([
      expect.objectContaining({ action: 'agreement.submit' }),
    ]);
    expect(putsWithSortKey(items, 'REMINDER#')).toEqual([
      expect.objectContaining({
        pk: `AGREEMENT#${AGREEMENT_ID}`,
        sk: 'REMINDER#signature-missing',
        dueOn: '2026-11-29',
        gsi2pk: 'REMINDERS',
        gsi2sk: `2026-11-29#${AGREEMENT_ID}#signature-missing`,
      }),
      // The safety net: the morning after the deadline day the daily run makes sure it has EXPIRED.
      expect.objectContaining({ sk: 'REMINDER#signature-deadline', dueOn: '2026-12-23' }),
    ]);
  });

  it('tells both parties in the same transaction as the submission, then starts the workflow: two round trips', async () => {
    givenStored(draftAgreement());
    await submit();
    const items = transaction(0);
    expect(putsWithPartitionKey(items, 'NOTIFICATIONS#').map((n) => n.recipientOrgNumber)).toEqual([
      CONTROLLER_ORG,
      PROCESSOR_ORG,
    ]);
    const [change] = ddb.commandCalls(TransactWriteItemsCommand);
    const [start] = sfn.commandCalls(StartExecutionCommand);
    expect(change!.calledBefore(start!)).toBe(true);
    expect(ddb.calls().map((call) => call.args[0].constructor.name)).toEqual([
      'GetItemCommand',
      'TransactWriteItemsCommand',
    ]);
  });

  it('starts the signing workflow with the state machine ARN and the agreement id, after the write', async () => {
    givenStored(draftAgreement());
    await submit();
    const starts = sfn.commandCalls(StartExecutionCommand);
    expect(starts).toHaveLength(1);
    const input = starts[0]!.args[0].input;
    expect(input.stateMachineArn).toBe(SIGNING_STATE_MACHINE_ARN);
    expect(JSON.parse(input.input!)).toEqual({ agreementId: AGREEMENT_ID });
    expect(input.name).toBe(`${AGREEMENT_ID}-v2`);
    expect(ddb.commandCalls(TransactWriteItemsCommand)).toHaveLength(1);
  });

  it('rolls the submission back to DRAFT and answers 500 when the workflow cannot be started', async () => {
    givenStored(draftAgreement());
    sfn.on(StartExecutionCommand).rejects(new Error('ServiceUnavailable'));

    const response = await submit();

    expect(response.statusCode).toBe(500);
    expect(ddb.commandCalls(TransactWriteItemsCommand)).toHaveLength(2);
    // The notifications written with the submission are taken back with it: the parties are not told.
    const told = putsWithPartitionKey(transaction(0), 'NOTIFICATIONS#');
    const rollback = transaction(1);
    const takenBack = rollback.filter((item) => item.Delete).map((item) => unmarshall(item.Delete!.Key!));
    expect(takenBack).toEqual(
      expect.arrayContaining(told.map((notification) => ({ pk: notification.pk, sk: notification.sk }))),
    );
    const update = agreementUpdate(rollback, AGREEMENT_ID);
    expect(update.ConditionExpression).toBe('#status = :expectedStatus AND #version = :expectedVersion');
    expect(unmarshall(update.ExpressionAttributeValues!)).toMatchObject({
      ':expectedStatus': 'AWAITING_SIGNATURES',
      ':expectedVersion': 2,
    });
    const { set, remove } = decodeUpdate(update);
    expect(set).toMatchObject({ status: 'DRAFT', version: 3 });
    expect(remove.sort()).toEqual(['signatureDeadline', 'submittedAt']);
    expect(takenBack.filter((key) => String(key.sk).startsWith('REMINDER#'))).toEqual([
      { pk: `AGREEMENT#${AGREEMENT_ID}`, sk: 'REMINDER#signature-missing' },
      { pk: `AGREEMENT#${AGREEMENT_ID}`, sk: 'REMINDER#signature-deadline' },
    ]);
    expect(putsWithSortKey(rollback, 'HISTORY#')).toEqual([
      expect.objectContaining({
        type: 'SUBMISSION_ROLLED_BACK',
        fromStatus: 'AWAITING_SIGNATURES',
        toStatus: 'DRAFT',
      }),
    ]);
  });

  it('refuses to submit an agreement that is not a DRAFT (409 with its state), and changes nothing', async () => {
    givenStored(awaitingAgreement());
    const response = await submit();
    expect(response.statusCode).toBe(409);
    expect(response.body.currentStatus).toBe('AWAITING_SIGNATURES');
    expect(tableWrites()).toEqual([]);
    expect(workflowCalls()).toEqual([]);
  });

  it('refuses (400) a body with fields', async () => {
    givenStored(draftAgreement());
    const response = await submit(PROCESSOR_ORG, { deadline: '2027-01-01' });
    expect(response.statusCode).toBe(400);
    expect(response.body.errors).toEqual([{ field: 'deadline', message: 'unknown field' }]);
    expect(tableWrites()).toEqual([]);
  });

  it('answers a non-party 404 and starts nothing', async () => {
    givenStored(draftAgreement());
    const response = await submit(OUTSIDER_ORG);
    expect(response.statusCode).toBe(404);
    expect(tableWrites()).toEqual([]);
    expect(workflowCalls()).toEqual([]);
  });
});
