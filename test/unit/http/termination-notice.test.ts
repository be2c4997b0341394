import { TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import { handler } from '../../../functions/http/give-termination-notice.ts';
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
  conditionFailed,
  ddb,
  decodeUpdate,
  givenStored,
  NOW,
  putsWithPartitionKey,
  putsWithSortKey,
  sfn,
  tableWrites,
  transaction,
  useAwsMocks,
  workflowCalls,
} from './aws-mocks.ts';
import { httpEvent, invoke } from './events.ts';
import {
  inForceAgreement,
  noticePeriodAgreement,
  TERMINATION_STATE_MACHINE_ARN,
  terminatedAgreement,
  useTerminationEnvironment,
} from './termination-fixture.ts';

useAwsMocks();
useTerminationEnvironment();

const giveNotice = (orgNumber: string, body: unknown = { reason: 'Tjenesten flyttes til ny leverandør' }) =>
  invoke(
    handler,
    httpEvent('POST /agreements/{id}/termination-notice', `/agreements/${AGREEMENT_ID}/termination-notice`, {
      orgNumber,
      pathParameters: { id: AGREEMENT_ID },
      body,
    }),
  );

describe('POST /agreements/{id}/termination-notice', () => {
  it('puts an agreement in force into its notice period, given today, ending three months later', async () => {
    givenStored(inForceAgreement());

    const response = await giveNotice(CONTROLLER_ORG);

    expect(response.statusCode).toBe(200);
    expect(response.headers.etag).toBe('"5"');
    expect(response.body).toMatchObject({
      status: 'NOTICE_PERIOD',
      version: 5,
      termination: {
        givenBy: 'controller',
        givenOn: '2026-11-22',
        reason: 'Tjenesten flyttes til ny leverandør',
      },
      terminatesOn: '2027-02-22',
    });
  });

  it('lets the processor give notice too, recorded as given by the processor', async () => {
    givenStored(inForceAgreement({ noticePeriodMonths: 1 }));
    const response = await giveNotice(PROCESSOR_ORG, { givenOn: '2026-10-31', reason: 'Avvikles' });
    expect(response.statusCode).toBe(200);
    expect(response.body.termination).toEqual({
      givenBy: 'processor',
      givenOn: '2026-10-31',
      reason: 'Avvikles',
    });
    expect(response.body.terminatesOn).toBe('2026-11-30');
  });

  it('writes the change conditionally on the status and version read, with history, audit and reminders, then announces it', async () => {
    givenStored(inForceAgreement());
    await giveNotice(CONTROLLER_ORG);

    expect(ddb.commandCalls(TransactWriteItemsCommand)).toHaveLength(1);
    const items = transaction();
    const update = agreementUpdate(items, AGREEMENT_ID);
    expect(update.ConditionExpression).toBe('#status = :expectedStatus AND #version = :expectedVersion');
    expect(unmarshall(update.ExpressionAttributeValues!)).toMatchObject({
      ':expectedStatus': 'IN_FORCE',
      ':expectedVersion': 4,
    });
    expect(decodeUpdate(update).set).toMatchObject({
      status: 'NOTICE_PERIOD',
      version: 5,
      terminatesOn: '2027-02-22',
      termination: {
        givenBy: 'controller',
        givenOn: '2026-11-22',
        reason: 'Tjenesten flyttes til ny leverandør',
      },
    });
    expect(putsWithSortKey(items, 'HISTORY#')).toEqual([
      expect.objectContaining({
        type: 'TERMINATION_NOTICE_GIVEN',
        fromStatus: 'IN_FORCE',
        toStatus: 'NOTICE_PERIOD',
        actor: { orgNumber: CONTROLLER_ORG, clientId: 'test-client' },
        details: {
          givenBy: 'controller',
          givenOn: '2026-11-22',
          reason: 'Tjenesten flyttes til ny leverandør',
          terminatesOn: '2027-02-22',
          noticePeriodMonths: 3,
        },
      }),
    ]);
    expect(putsWithSortKey(items, 'AUDIT#')).toEqual([
      expect.objectContaining({ action: 'agreement.termination-notice', at: NOW }),
    ]);
    expect(putsWithSortKey(items, 'REMINDER#').map((r) => [r.kind, r.dueOn])).toEqual([
      ['termination-ahead-30', '2027-01-23'],
      ['termination-ahead-7', '2027-02-15'],
      // The safety net: the morning after terminatesOn the daily run makes sure it has TERMINATED.
      ['termination-due', '2027-02-23'],
    ]);
    // Both parties are told in the same transaction (taken back if the workflow cannot be started).
    expect(putsWithPartitionKey(items, 'NOTIFICATIONS#').map((n) => [n.recipientOrgNumber, n.type])).toEqual([
      [CONTROLLER_ORG, 'agreement.termination-notice'],
      [PROCESSOR_ORG, 'agreement.termination-notice'],
    ]);
    const [change] = ddb.commandCalls(TransactWriteItemsCommand);
    const [start] = sfn.commandCalls(StartExecutionCommand);
    expect(change!.calledBefore(start!)).toBe(true);
    expect(ddb.calls().map((call) => call.args[0].constructor.name)).toEqual([
      'GetItemCommand',
      'TransactWriteItemsCommand',
    ]);
    expect(putsWithSortKey(items, 'PARTY#').map((m) => m.status)).toEqual(['NOTICE_PERIOD', 'NOTICE_PERIOD']);
  });

  it('starts the termination workflow, named per notice, after the change is written', async () => {
    givenStored(inForceAgreement());
    await giveNotice(CONTROLLER_ORG);
    const calls = sfn.commandCalls(StartExecutionCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.args[0].input).toEqual({
      stateMachineArn: TERMINATION_STATE_MACHINE_ARN,
      name: `${AGREEMENT_ID}-termination-v5`,
      input: JSON.stringify({ agreementId: AGREEMENT_ID }),
    });
  });

  it('puts only the reminders whose day has not passed when the notice is dated back, and the termination check', async () => {
    givenStored(inForceAgreement({ noticePeriodMonths: 1 }));
    // Given 2026-10-25: ends 2026-11-25; 30 days ahead (10-26) has passed, 7 days ahead (11-18) too.
    await giveNotice(CONTROLLER_ORG, { givenOn: '2026-10-25', reason: 'Varslet per brev' });
    expect(putsWithSortKey(transaction(), 'REMINDER#').map((r) => [r.kind, r.dueOn])).toEqual([
      ['termination-due', '2026-11-26'],
    ]);
  });

  it('refuses a second notice (409 with currentStatus), writes nothing and starts nothing', async () => {
    givenStored(noticePeriodAgreement());
    const response = await giveNotice(PROCESSOR_ORG);
    expect(response.statusCode).toBe(409);
    expect(response.headers['content-type']).toBe('application/problem+json');
    expect(response.body.currentStatus).toBe('NOTICE_PERIOD');
    expect(response.body.detail).toContain('2027-01-10');
    expect(tableWrites()).toEqual([]);
    expect(workflowCalls()).toEqual([]);
  });

  it.each([
    ['DRAFT', draftAgreement()],
    ['AWAITING_SIGNATURES', awaitingAgreement()],
    ['TERMINATED', terminatedAgreement()],
  ])('refuses notice on an agreement that is %s (409)', async (status, agreement) => {
    givenStored(agreement);
    const response = await giveNotice(CONTROLLER_ORG);
    expect(response.statusCode).toBe(409);
    expect(response.body.currentStatus).toBe(status);
    expect(tableWrites()).toEqual([]);
  });

  it('refuses a notice dated in the future (400 naming givenOn)', async () => {
    givenStored(inForceAgreement());
    const response = await giveNotice(CONTROLLER_ORG, { givenOn: '2026-11-23', reason: 'x' });
    expect(response.statusCode).toBe(400);
    expect(response.body.errors).toEqual([
      { field: 'givenOn', message: 'may not be in the future (today is 2026-11-22)' },
    ]);
    expect(tableWrites()).toEqual([]);
  });

  it('refuses a notice dated before the agreement entered into force (400 naming givenOn)', async () => {
    givenStored(inForceAgreement());
    const response = await giveNotice(CONTROLLER_ORG, { givenOn: '2026-05-31', reason: 'x' });
    expect(response.statusCode).toBe(400);
    expect(response.body.errors).toEqual([
      { field: 'givenOn', message: 'may not be before the agreement entered into force (2026-06-01)' },
    ]);
    expect(tableWrites()).toEqual([]);
  });

  it.each([
    [{ givenOn: '2026-02-30', reason: 'x' }, 'givenOn'],
    [{ givenOn: '2026-11-22' }, 'reason'],
    [{ reason: 'x', terminatesOn: '2026-12-01' }, 'terminatesOn'],
  ])('refuses an invalid body %j (400 naming %s)', async (body, field) => {
    givenStored(inForceAgreement());
    const response = await giveNotice(CONTROLLER_ORG, body);
    expect(response.statusCode).toBe(400);
    expect(response.body.errors.map((e: { field: string }) => e.field)).toEqual([field]);
    expect(tableWrites()).toEqual([]);
  });

  it('answers a non-party 404, exactly as for an agreement that does not exist', async () => {
    givenStored(inForceAgreement());
    const response = await giveNotice(OUTSIDER_ORG);
    expect(response.statusCode).toBe(404);
    expect(tableWrites()).toEqual([]);
    expect(workflowCalls()).toEqual([]);
  });

  it('answers 409 with the current status when the other party gave notice first', async () => {
    givenStored(inForceAgreement());
    ddb.on(TransactWriteItemsCommand).rejects(conditionFailed(noticePeriodAgreement()));
    const response = await giveNotice(PROCESSOR_ORG);
    expect(response.statusCode).toBe(409);
    expect(response.body.currentStatus).toBe('NOTICE_PERIOD');
    expect(workflowCalls()).toEqual([]);
  });

  it('puts the agreement back in force when the workflow cannot be started, and reports the failure', async () => {
    givenStored(inForceAgreement());
    sfn.on(StartExecutionCommand).rejects(new Error('Step Functions unavailable'));

    const response = await giveNotice(CONTROLLER_ORG);

    expect(response.statusCode).toBe(500);
    expect(ddb.commandCalls(TransactWriteItemsCommand)).toHaveLength(2);
    const told = putsWithPartitionKey(transaction(0), 'NOTIFICATIONS#');
    const rollback = transaction(1);
    // The notifications written with the notice are taken back with it: the parties are not told.
    const takenBack = rollback.filter((item) => item.Delete).map((item) => unmarshall(item.Delete!.Key!));
    expect(told).toHaveLength(2);
    expect(takenBack).toEqual(expect.arrayContaining(told.map((n) => ({ pk: n.pk, sk: n.sk }))));
    const update = agreementUpdate(rollback, AGREEMENT_ID);
    expect(unmarshall(update.ExpressionAttributeValues!)).toMatchObject({
      ':expectedStatus': 'NOTICE_PERIOD',
      ':expectedVersion': 5,
    });
    const { set, remove } = decodeUpdate(update);
    expect(set).toMatchObject({ status: 'IN_FORCE', version: 6 });
    expect(remove.sort()).toEqual(['terminatesOn', 'termination']);
    expect(takenBack.map((key) => String(key.sk)).filter((sk) => sk.startsWith('REMINDER#'))).toEqual([
      'REMINDER#termination-ahead-30',
      'REMINDER#termination-ahead-7',
      'REMINDER#termination-due',
    ]);
    expect(putsWithSortKey(rollback, 'HISTORY#').map((h) => h.type)).toEqual([
      'TERMINATION_NOTICE_ROLLED_BACK',
    ]);
  });
});
