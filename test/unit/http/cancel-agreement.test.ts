import { GetItemCommand, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { SendTaskFailureCommand } from '@aws-sdk/client-sfn';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import type { AgreementStatus } from '../../../functions/domain/schemas.ts';
import { handler } from '../../../functions/http/cancel-agreement.ts';
import {
  AGREEMENT_ID,
  awaitingAgreement,
  CONTROLLER_ORG,
  draftAgreement,
  OUTSIDER_ORG,
  PROCESSOR_ORG,
} from '../domain/agreement-fixture.ts';
import {
  agreementItem,
  agreementKey,
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

useAwsMocks();

const cancel = (orgNumber: string, body?: unknown) =>
  invoke(
    handler,
    httpEvent('POST /agreements/{id}/cancel', `/agreements/${AGREEMENT_ID}/cancel`, {
      orgNumber,
      pathParameters: { id: AGREEMENT_ID },
      ...(body === undefined ? {} : { body }),
    }),
  );

describe('POST /agreements/{id}/cancel', () => {
  it('lets the creator withdraw an agreement awaiting signatures: CANCELLED', async () => {
    givenStored(awaitingAgreement({ version: 2 }));
    const response = await cancel(CONTROLLER_ORG, { reason: 'Feil avtalemal' });
    expect(response.statusCode).toBe(200);
    expect(response.headers.etag).toBe('"3"');
    expect(response.body).toMatchObject({ status: 'CANCELLED', cancelledAt: NOW, version: 3 });
  });

  it('writes CANCELLED conditionally on the status and version read, removes the reminder and records why', async () => {
    givenStored(awaitingAgreement({ version: 2 }));
    await cancel(CONTROLLER_ORG, { reason: 'Feil avtalemal' });

    const items = transaction();
    const update = agreementUpdate(items, AGREEMENT_ID);
    // The signing waits' tokens as read (none here): the tokens the cancellation ends are all there are.
    expect(update.ConditionExpression).toBe(
      '#status = :expectedStatus AND #version = :expectedVersion AND attribute_not_exists(#signingTokens.#controller) AND attribute_not_exists(#signingTokens.#processor)',
    );
    expect(update.ExpressionAttributeNames).toMatchObject({
      '#signingTokens': 'signingTokens',
      '#controller': 'controller',
      '#processor': 'processor',
    });
    expect(unmarshall(update.ExpressionAttributeValues!)).toMatchObject({
      ':expectedStatus': 'AWAITING_SIGNATURES',
      ':expectedVersion': 2,
    });
    expect(decodeUpdate(update).set).toMatchObject({ status: 'CANCELLED', cancelledAt: NOW });
    expect(putsWithSortKey(items, 'HISTORY#')).toEqual([
      expect.objectContaining({
        type: 'CANCELLED',
        fromStatus: 'AWAITING_SIGNATURES',
        toStatus: 'CANCELLED',
        details: { reason: 'Feil avtalemal' },
      }),
    ]);
    expect(putsWithSortKey(items, 'AUDIT#')).toEqual([
      expect.objectContaining({ action: 'agreement.cancel' }),
    ]);
    expect(items.filter((item) => item.Delete).map((item) => unmarshall(item.Delete!.Key!))).toEqual([
      { pk: `AGREEMENT#${AGREEMENT_ID}`, sk: 'REMINDER#signature-missing' },
      { pk: `AGREEMENT#${AGREEMENT_ID}`, sk: 'REMINDER#signature-deadline' },
      // The signature deadline leaves both parties' calendar feeds (rule 15).
      { pk: `AGREEMENT#${AGREEMENT_ID}`, sk: `CALENDAR#${CONTROLLER_ORG}#agreement` },
      { pk: `AGREEMENT#${AGREEMENT_ID}`, sk: `CALENDAR#${PROCESSOR_ORG}#agreement` },
    ]);
  });

  it('tells both parties who withdrew the agreement and the reason it gave', async () => {
    givenStored(awaitingAgreement());
    await cancel(CONTROLLER_ORG, { reason: 'Feil avtalemal' });
    expect(
      putsWithPartitionKey(transaction(), 'NOTIFICATIONS#').map((n) => [
        n.recipientOrgNumber,
        n.type,
        n.details,
      ]),
    ).toEqual([
      [CONTROLLER_ORG, 'agreement.cancelled', { cancelledBy: 'controller', reason: 'Feil avtalemal' }],
      [PROCESSOR_ORG, 'agreement.cancelled', { cancelledBy: 'controller', reason: 'Feil avtalemal' }],
    ]);
  });

  it('leaves the reason out of the notification when none was given', async () => {
    givenStored(draftAgreement());
    await cancel(CONTROLLER_ORG);
    expect(putsWithPartitionKey(transaction(), 'NOTIFICATIONS#')[0]!.details).toEqual({
      cancelledBy: 'controller',
    });
  });

  it('ends every waiting signature task with SigningClosed', async () => {
    givenStored(awaitingAgreement(), { controller: 'token-controller', processor: 'token-processor' });
    await cancel(CONTROLLER_ORG);
    const failures = sfn.commandCalls(SendTaskFailureCommand).map((call) => call.args[0].input);
    expect(failures.map((f) => f.taskToken).sort()).toEqual(['token-controller', 'token-processor']);
    expect(failures.map((f) => f.error)).toEqual(['SigningClosed', 'SigningClosed']);
  });

  it('ends the waits with the tokens it read, written only if they are still those tokens', async () => {
    givenStored(awaitingAgreement(), { processor: 'token-processor' });
    await cancel(CONTROLLER_ORG);
    const update = agreementUpdate(transaction(), AGREEMENT_ID);
    expect(update.ConditionExpression).toBe(
      '#status = :expectedStatus AND #version = :expectedVersion AND attribute_not_exists(#signingTokens.#controller) AND #signingTokens.#processor = :token_processor',
    );
    expect(unmarshall(update.ExpressionAttributeValues!)[':token_processor']).toBe('token-processor');
    expect(ddb.commandCalls(GetItemCommand)).toHaveLength(1);
  });

  it('reads again when a wait registered its token between the read and the write, and ends that wait too', async () => {
    const before = awaitingAgreement();
    ddb
      .on(GetItemCommand, { Key: marshall(agreementKey(AGREEMENT_ID)) })
      .resolvesOnce({ Item: agreementItem(before, { processor: 'token-processor' }) })
      .resolves({
        Item: agreementItem(before, { processor: 'token-processor', controller: 'token-controller' }),
      });
    ddb.on(TransactWriteItemsCommand).rejectsOnce(conditionFailed(before)).resolves({});

    const response = await cancel(CONTROLLER_ORG);

    expect(response.statusCode).toBe(200);
    expect(ddb.commandCalls(TransactWriteItemsCommand)).toHaveLength(2);
    const failures = sfn.commandCalls(SendTaskFailureCommand).map((call) => call.args[0].input.taskToken);
    expect(failures.sort()).toEqual(['token-controller', 'token-processor']);
  });

  it('cancels a DRAFT without a body and without touching any workflow', async () => {
    givenStored(draftAgreement());
    const response = await cancel(CONTROLLER_ORG);
    expect(response.statusCode).toBe(200);
    expect(response.body.status).toBe('CANCELLED');
    expect(workflowCalls()).toEqual([]);
  });

  it('forbids (403) the other party, which did not create it, and changes nothing', async () => {
    givenStored(awaitingAgreement(), { controller: 'token-controller' });
    const response = await cancel(PROCESSOR_ORG);
    expect(response.statusCode).toBe(403);
    expect(tableWrites()).toEqual([]);
    expect(workflowCalls()).toEqual([]);
  });

  it.each([
    'IN_FORCE',
    'EXPIRED',
    'CANCELLED',
    'NOTICE_PERIOD',
  ] as AgreementStatus[])('refuses to cancel an agreement that is %s (409 with its state)', async (status) => {
    givenStored(awaitingAgreement({ status }));
    const response = await cancel(CONTROLLER_ORG);
    expect(response.statusCode).toBe(409);
    expect(response.body.currentStatus).toBe(status);
    expect(tableWrites()).toEqual([]);
  });

  it('answers a non-party 404', async () => {
    givenStored(awaitingAgreement());
    const response = await cancel(OUTSIDER_ORG);
    expect(response.statusCode).toBe(404);
    expect(tableWrites()).toEqual([]);
  });
});
