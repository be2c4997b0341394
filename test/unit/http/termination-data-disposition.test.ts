import { TransactionCanceledException, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import { handler } from '../../../functions/http/choose-data-disposition.ts';
import { AGREEMENT_ID, CONTROLLER_ORG, OUTSIDER_ORG, PROCESSOR_ORG } from '../domain/agreement-fixture.ts';
import {
  agreementUpdate,
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
  attestationOf,
  chosenDisposition,
  givenTaskToken,
  inForceAgreement,
  noticePeriodAgreement,
  terminatedAgreement,
  useTerminationEnvironment,
} from './termination-fixture.ts';

useAwsMocks();
useTerminationEnvironment();

const choose = (
  orgNumber: string,
  body: unknown = { method: 'RETURN', instructions: 'Eksport som CSV via SFTP' },
) =>
  invoke(
    handler,
    httpEvent('POST /agreements/{id}/data-disposition', `/agreements/${AGREEMENT_ID}/data-disposition`, {
      orgNumber,
      pathParameters: { id: AGREEMENT_ID },
      body,
    }),
  );

describe('POST /agreements/{id}/data-disposition', () => {
  it("records the controller's choice during the notice period; the agreement stays in its notice period", async () => {
    givenStored(noticePeriodAgreement());

    const response = await choose(CONTROLLER_ORG);

    expect(response.statusCode).toBe(200);
    expect(response.headers.etag).toBe('"6"');
    expect(response.body).toMatchObject({
      status: 'NOTICE_PERIOD',
      dataDisposition: {
        method: 'RETURN',
        instructions: 'Eksport som CSV via SFTP',
        chosenOn: '2026-11-22',
        chosenAt: NOW,
        chosenBy: { orgNumber: CONTROLLER_ORG, clientId: 'test-client' },
      },
    });
    // The workflow has not reached its wait yet (no token): it finds the choice when it does.
    expect(workflowCalls()).toEqual([]);
  });

  it('writes the choice conditionally on the status and version read, with history, audit and notifications', async () => {
    givenStored(noticePeriodAgreement());
    await choose(CONTROLLER_ORG, { method: 'DELETE' });

    expect(ddb.commandCalls(TransactWriteItemsCommand)).toHaveLength(1);
    const items = transaction();
    const update = agreementUpdate(items, AGREEMENT_ID);
    expect(update.ConditionExpression).toBe('#status = :expectedStatus AND #version = :expectedVersion');
    expect(unmarshall(update.ExpressionAttributeValues!)).toMatchObject({
      ':expectedStatus': 'NOTICE_PERIOD',
      ':expectedVersion': 5,
    });
    expect(decodeUpdate(update).set).toMatchObject({
      status: 'NOTICE_PERIOD',
      version: 6,
      dataDisposition: expect.objectContaining({ method: 'DELETE', chosenOn: '2026-11-22' }),
    });
    expect(putsWithSortKey(items, 'HISTORY#')).toEqual([
      expect.objectContaining({ type: 'DATA_DISPOSITION_CHOSEN', details: { method: 'DELETE' } }),
    ]);
    expect(putsWithSortKey(items, 'AUDIT#')).toEqual([
      expect.objectContaining({ action: 'agreement.data-disposition' }),
    ]);
    expect(items.filter((item) => item.Delete).map((item) => unmarshall(item.Delete!.Key!).sk)).toEqual([
      'REMINDER#disposition-missing',
    ]);
    expect(putsWithPartitionKey(items, 'NOTIFICATIONS#').map((n) => [n.recipientOrgNumber, n.type])).toEqual([
      [CONTROLLER_ORG, 'agreement.data-disposition-chosen'],
      [PROCESSOR_ORG, 'agreement.data-disposition-chosen'],
    ]);
  });

  it("completes the termination workflow's wait with the stored token after termination", async () => {
    givenStored(terminatedAgreement());
    givenTaskToken(AGREEMENT_ID, 'disposition', 'token-disposition');

    const response = await choose(CONTROLLER_ORG, { method: 'DELETE' });

    expect(response.statusCode).toBe(200);
    expect(response.body.status).toBe('TERMINATED');
    const calls = sfn.commandCalls(SendTaskSuccessCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.args[0].input.taskToken).toBe('token-disposition');
    expect(JSON.parse(calls[0]!.args[0].input.output!)).toEqual({ method: 'DELETE', chosenOn: '2026-11-22' });
  });

  it("reads the agreement with the wait's token, and writes only if the token is still the one read", async () => {
    givenStored(terminatedAgreement());
    givenTaskToken(AGREEMENT_ID, 'disposition', 'token-disposition');

    await choose(CONTROLLER_ORG, { method: 'DELETE' });

    expect(ddb.calls().map((call) => call.args[0].constructor.name)).toEqual([
      'BatchGetItemCommand',
      'TransactWriteItemsCommand',
    ]);
    const check = transaction()[1]!.ConditionCheck!;
    expect(unmarshall(check.Key!)).toEqual({
      pk: `AGREEMENT#${AGREEMENT_ID}`,
      sk: 'TASK_TOKEN#termination#disposition',
    });
    expect(check.ConditionExpression).toBe('#token = :token');
    expect(unmarshall(check.ExpressionAttributeValues!)).toEqual({ ':token': 'token-disposition' });
  });

  it('reads again and completes the wait whose token was stored between the read and the write', async () => {
    givenStored(terminatedAgreement());
    ddb.on(TransactWriteItemsCommand).callsFakeOnce(() => {
      givenTaskToken(AGREEMENT_ID, 'disposition', 'token-registered-meanwhile');
      throw new TransactionCanceledException({
        message: 'Transaction cancelled',
        $metadata: {},
        CancellationReasons: [{ Code: 'None' }, { Code: 'ConditionalCheckFailed' }],
      });
    });

    const response = await choose(CONTROLLER_ORG, { method: 'DELETE' });

    expect(response.statusCode).toBe(200);
    expect(transaction(0)[1]!.ConditionCheck!.ConditionExpression).toBe('attribute_not_exists(pk)');
    const calls = sfn.commandCalls(SendTaskSuccessCommand);
    expect(calls.map((call) => call.args[0].input.taskToken)).toEqual(['token-registered-meanwhile']);
  });

  it('still answers 200 when the stored token belongs to a wait that has ended', async () => {
    givenStored(terminatedAgreement());
    givenTaskToken(AGREEMENT_ID, 'disposition', 'stale-token');
    const stale = new Error('Task Timed Out');
    stale.name = 'TaskTimedOut';
    sfn.on(SendTaskSuccessCommand).rejects(stale);
    expect((await choose(CONTROLLER_ORG)).statusCode).toBe(200);
  });

  it('refuses the processor (403): only the controller chooses, and nothing is written', async () => {
    givenStored(noticePeriodAgreement());
    const response = await choose(PROCESSOR_ORG);
    expect(response.statusCode).toBe(403);
    expect(response.body.detail).toBe('Only the controller may choose return or deletion of the data');
    expect(tableWrites()).toEqual([]);
    expect(workflowCalls()).toEqual([]);
  });

  it('answers a non-party 404', async () => {
    givenStored(noticePeriodAgreement());
    expect((await choose(OUTSIDER_ORG)).statusCode).toBe(404);
    expect(tableWrites()).toEqual([]);
  });

  it.each([
    ['IN_FORCE', inForceAgreement()],
    ['CLOSED', terminatedAgreement({ status: 'CLOSED', attestation: attestationOf('RETURN') })],
  ])('refuses a choice while %s (409 with currentStatus)', async (status, agreement) => {
    givenStored(agreement);
    const response = await choose(CONTROLLER_ORG);
    expect(response.statusCode).toBe(409);
    expect(response.body.currentStatus).toBe(status);
    expect(tableWrites()).toEqual([]);
  });

  it('refuses a second choice (409), whatever the method', async () => {
    givenStored(terminatedAgreement({ dataDisposition: chosenDisposition('RETURN') }));
    const response = await choose(CONTROLLER_ORG, { method: 'DELETE' });
    expect(response.statusCode).toBe(409);
    expect(response.body).toMatchObject({
      currentStatus: 'TERMINATED',
      detail: 'The controller already chose RETURN on 2026-11-05',
    });
    expect(tableWrites()).toEqual([]);
  });

  it.each([
    [{ method: 'ARCHIVE' }, 'method'],
    [{}, 'method'],
    [{ method: 'RETURN', format: 'CSV' }, 'format'],
  ])('refuses an invalid body %j (400 naming %s)', async (body, field) => {
    givenStored(noticePeriodAgreement());
    const response = await choose(CONTROLLER_ORG, body);
    expect(response.statusCode).toBe(400);
    expect(response.body.errors.map((e: { field: string }) => e.field)).toEqual([field]);
    expect(tableWrites()).toEqual([]);
  });
});
