import { GetItemCommand, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import { handler } from '../../../functions/http/sign-agreement.ts';
import {
  AGREEMENT_ID,
  awaitingAgreement,
  CONTROLLER_ORG,
  draftAgreement,
  OUTSIDER_ORG,
  PROCESSOR_ORG,
  signature,
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
import { claimsFor, httpEvent, invoke } from './events.ts';

useAwsMocks();

const sign = (orgNumber: string, body: Record<string, unknown> = {}) =>
  invoke(
    handler,
    httpEvent('POST /agreements/{id}/signatures', `/agreements/${AGREEMENT_ID}/signatures`, {
      orgNumber,
      pathParameters: { id: AGREEMENT_ID },
      body: {
        signatory: { name: 'Kari Ordfører', title: 'Ordfører' },
        place: 'Radøy',
        contentHash: awaitingAgreement().contentHash,
        ...body,
      },
    }),
  );

describe('POST /agreements/{id}/signatures', () => {
  it("records the first signature (201), the agreement still awaits the other party's", async () => {
    givenStored(awaitingAgreement());
    const response = await sign(CONTROLLER_ORG);
    expect(response.statusCode).toBe(201);
    expect(response.headers.etag).toBe('"3"');
    expect(response.body.status).toBe('AWAITING_SIGNATURES');
    expect(response.body.signatures).toEqual([
      {
        party: 'controller',
        signatory: { name: 'Kari Ordfører', title: 'Ordfører' },
        place: 'Radøy',
        signedOn: '2026-11-22',
        signedAt: NOW,
        contentHash: awaitingAgreement().contentHash,
      },
    ]);
    expect(response.body.effectiveFrom).toBeUndefined();
  });

  it("records the person the caller's token names beside the typed signatory (a name, never a national identity number)", async () => {
    givenStored(awaitingAgreement());
    const response = await invoke(
      handler,
      httpEvent('POST /agreements/{id}/signatures', `/agreements/${AGREEMENT_ID}/signatures`, {
        claims: { ...claimsFor(CONTROLLER_ORG), name: 'Kari Nordmann', pid: '01017012345' },
        pathParameters: { id: AGREEMENT_ID },
        body: {
          signatory: { name: 'Kari Ordfører', title: 'Ordfører' },
          place: 'Radøy',
          contentHash: awaitingAgreement().contentHash,
        },
      }),
    );
    expect(response.statusCode).toBe(201);
    expect(response.body.signatures).toEqual([
      expect.objectContaining({
        signatory: { name: 'Kari Ordfører', title: 'Ordfører' },
        person: 'Kari Nordmann',
      }),
    ]);
    expect(JSON.stringify(response.body)).not.toContain('01017012345');
    expect(JSON.stringify(transaction())).not.toContain('01017012345');
  });

  it('refuses (409) a signature for other content than the agreement has, names the current hash and writes nothing', async () => {
    const agreement = awaitingAgreement();
    givenStored(agreement);
    const stale = `sha256:${'0'.repeat(64)}`;
    const response = await sign(CONTROLLER_ORG, { contentHash: stale });
    expect(response.statusCode).toBe(409);
    expect(response.body).toMatchObject({
      currentStatus: 'AWAITING_SIGNATURES',
      contentHash: agreement.contentHash,
    });
    expect(tableWrites()).toEqual([]);
  });

  it('refuses (400 naming contentHash) a signature without the hash of what was read, or with a malformed one', async () => {
    givenStored(awaitingAgreement());
    for (const contentHash of [undefined, 'sha256:XYZ', 'md5:abc']) {
      const response = await sign(CONTROLLER_ORG, { contentHash });
      expect(response.statusCode).toBe(400);
      expect(response.body.errors).toEqual([expect.objectContaining({ field: 'contentHash' })]);
    }
    expect(tableWrites()).toEqual([]);
  });

  it('writes the signature conditionally on the status and version read, with history and audit in the same transaction', async () => {
    givenStored(awaitingAgreement({ version: 2 }));
    await sign(CONTROLLER_ORG);

    expect(ddb.commandCalls(TransactWriteItemsCommand)).toHaveLength(1);
    const items = transaction();
    const update = agreementUpdate(items, AGREEMENT_ID);
    // No wait registered for the controller when read: the write fails if one registers meanwhile.
    expect(update.ConditionExpression).toBe(
      '#status = :expectedStatus AND #version = :expectedVersion AND attribute_not_exists(#signingTokens.#controller)',
    );
    expect(unmarshall(update.ExpressionAttributeValues!)).toMatchObject({
      ':expectedStatus': 'AWAITING_SIGNATURES',
      ':expectedVersion': 2,
    });
    expect(update.ReturnValuesOnConditionCheckFailure).toBe('ALL_OLD');
    const { set } = decodeUpdate(update);
    expect(set.status).toBe('AWAITING_SIGNATURES');
    expect(set.version).toBe(3);
    expect(set.signatures).toEqual([
      expect.objectContaining({ party: 'controller', signedOn: '2026-11-22' }),
    ]);
    expect(putsWithSortKey(items, 'HISTORY#')).toEqual([
      expect.objectContaining({
        pk: `AGREEMENT#${AGREEMENT_ID}`,
        type: 'SIGNED',
        details: { party: 'controller', signedOn: '2026-11-22', place: 'Radøy' },
      }),
    ]);
    expect(putsWithSortKey(items, 'AUDIT#')).toEqual([
      expect.objectContaining({
        pk: `AGREEMENT#${AGREEMENT_ID}`,
        action: 'agreement.sign',
        actor: { orgNumber: CONTROLLER_ORG, clientId: 'test-client' },
      }),
    ]);
    expect(items.filter((item) => item.Delete)).toEqual([]);
  });

  it('puts the agreement IN_FORCE with the second signature, effective from the later date', async () => {
    givenStored(awaitingAgreement({ signatures: [signature('processor', '2026-11-20')] }));
    const response = await sign(CONTROLLER_ORG);

    expect(response.statusCode).toBe(201);
    expect(response.body).toMatchObject({ status: 'IN_FORCE', effectiveFrom: '2026-11-22' });
    const items = transaction();
    expect(decodeUpdate(agreementUpdate(items, AGREEMENT_ID)).set).toMatchObject({
      status: 'IN_FORCE',
      effectiveFrom: '2026-11-22',
    });
    expect(putsWithSortKey(items, 'HISTORY#').map((h) => h.type)).toEqual(['SIGNED', 'ENTERED_INTO_FORCE']);
    expect(putsWithSortKey(items, 'HISTORY#')[1]).toMatchObject({
      fromStatus: 'AWAITING_SIGNATURES',
      toStatus: 'IN_FORCE',
      details: { effectiveFrom: '2026-11-22' },
    });
    expect(items.filter((item) => item.Delete).map((item) => unmarshall(item.Delete!.Key!))).toEqual([
      { pk: `AGREEMENT#${AGREEMENT_ID}`, sk: 'REMINDER#signature-missing' },
      { pk: `AGREEMENT#${AGREEMENT_ID}`, sk: 'REMINDER#signature-deadline' },
      // The signature deadline leaves both parties' calendar feeds (rule 15).
      { pk: `AGREEMENT#${AGREEMENT_ID}`, sk: `CALENDAR#${CONTROLLER_ORG}#agreement` },
      { pk: `AGREEMENT#${AGREEMENT_ID}`, sk: `CALENDAR#${PROCESSOR_ORG}#agreement` },
    ]);
    expect(putsWithSortKey(items, 'PARTY#').map((m) => m.status)).toEqual(['IN_FORCE', 'IN_FORCE']);
  });

  it("keeps the first signer's date as effectiveFrom when it is the later one", async () => {
    givenStored(awaitingAgreement({ signatures: [signature('controller', '2026-11-21')] }));
    const response = await sign(PROCESSOR_ORG, { signedOn: '2026-11-18' });
    expect(response.body).toMatchObject({ status: 'IN_FORCE', effectiveFrom: '2026-11-21' });
  });

  it("completes the signing workflow's wait with the token stored for the signing party", async () => {
    givenStored(awaitingAgreement({ signatures: [signature('processor', '2026-11-20')] }), {
      controller: 'token-controller',
    });
    await sign(CONTROLLER_ORG);
    const calls = sfn.commandCalls(SendTaskSuccessCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.args[0].input.taskToken).toBe('token-controller');
    expect(JSON.parse(calls[0]!.args[0].input.output!)).toEqual({
      party: 'controller',
      signedOn: '2026-11-22',
    });
  });

  it('completes the wait with the token it read, written only if that is still the token (no second read)', async () => {
    givenStored(awaitingAgreement({ signatures: [signature('processor', '2026-11-20')] }), {
      controller: 'token-controller',
    });
    await sign(CONTROLLER_ORG);
    const update = agreementUpdate(transaction(), AGREEMENT_ID);
    expect(update.ConditionExpression).toBe(
      '#status = :expectedStatus AND #version = :expectedVersion AND #signingTokens.#controller = :token_controller',
    );
    expect(unmarshall(update.ExpressionAttributeValues!)[':token_controller']).toBe('token-controller');
    expect(ddb.commandCalls(GetItemCommand)).toHaveLength(1);
  });

  it('reads again and signs anew when the wait registered its token between the read and the write', async () => {
    const before = awaitingAgreement({ version: 2 });
    ddb
      .on(GetItemCommand, { Key: marshall(agreementKey(AGREEMENT_ID)) })
      .resolvesOnce({ Item: agreementItem(before) })
      .resolves({ Item: agreementItem(before, { controller: 'token-registered-meanwhile' }) });
    // The agreement is as read: only the token the condition named differs.
    ddb.on(TransactWriteItemsCommand).rejectsOnce(conditionFailed(before)).resolves({});

    const response = await sign(CONTROLLER_ORG);

    expect(response.statusCode).toBe(201);
    expect(ddb.commandCalls(TransactWriteItemsCommand)).toHaveLength(2);
    const calls = sfn.commandCalls(SendTaskSuccessCommand);
    expect(calls.map((call) => call.args[0].input.taskToken)).toEqual(['token-registered-meanwhile']);
  });

  it("does not complete the other party's wait", async () => {
    givenStored(awaitingAgreement(), { processor: 'token-processor' });
    await sign(CONTROLLER_ORG);
    expect(workflowCalls()).toEqual([]);
  });

  it('notifies both parties of the signature in the same transaction, once by its version condition', async () => {
    givenStored(awaitingAgreement());
    await sign(PROCESSOR_ORG);
    const items = transaction();
    // The signature is written only on the version it was read with, so its notifications need no markers.
    expect(agreementUpdate(items, AGREEMENT_ID).ConditionExpression).toMatch(
      /^#status = :expectedStatus AND #version = :expectedVersion/,
    );
    expect(items.filter((item) => item.Put && unmarshall(item.Put.Item!).sk === 'MARKER')).toEqual([]);
    expect(putsWithPartitionKey(items, 'NOTIFICATIONS#').map((n) => [n.recipientOrgNumber, n.type])).toEqual([
      [CONTROLLER_ORG, 'agreement.signed'],
      [PROCESSOR_ORG, 'agreement.signed'],
    ]);
  });

  it("tells the other party its deadline while the agreement awaits that party's signature", async () => {
    givenStored(awaitingAgreement());
    await sign(PROCESSOR_ORG);
    expect(putsWithPartitionKey(transaction(), 'NOTIFICATIONS#').map((n) => n.details)).toEqual([
      {
        party: 'processor',
        signedOn: '2026-11-22',
        status: 'AWAITING_SIGNATURES',
        signatureDeadline: '2026-12-15',
      },
      {
        party: 'processor',
        signedOn: '2026-11-22',
        status: 'AWAITING_SIGNATURES',
        signatureDeadline: '2026-12-15',
      },
    ]);
  });

  it('tells both parties that the second signature put the agreement in force, and from when', async () => {
    givenStored(awaitingAgreement({ signatures: [signature('processor', '2026-11-20')] }));
    await sign(CONTROLLER_ORG);
    const [details] = putsWithPartitionKey(transaction(), 'NOTIFICATIONS#').map((n) => n.details);
    expect(details).toEqual({
      party: 'controller',
      signedOn: '2026-11-22',
      status: 'IN_FORCE',
      signatureDeadline: '2026-12-15',
      effectiveFrom: '2026-11-22',
    });
  });

  it('answers 409 with the current status when another request changed the agreement first', async () => {
    givenStored(awaitingAgreement(), { controller: 'token-controller' });
    ddb
      .on(TransactWriteItemsCommand)
      .rejects(conditionFailed(awaitingAgreement({ status: 'CANCELLED', version: 3 })));

    const response = await sign(CONTROLLER_ORG);

    expect(response.statusCode).toBe(409);
    expect(response.headers['content-type']).toBe('application/problem+json');
    expect(response.body.currentStatus).toBe('CANCELLED');
    expect(workflowCalls()).toEqual([]);
  });

  it('refuses a second signature by the same party (409), and writes nothing', async () => {
    givenStored(awaitingAgreement({ signatures: [signature('controller', '2026-11-20')] }));
    const response = await sign(CONTROLLER_ORG);
    expect(response.statusCode).toBe(409);
    expect(response.body.currentStatus).toBe('AWAITING_SIGNATURES');
    expect(tableWrites()).toEqual([]);
  });

  it('refuses to sign a DRAFT (409 with currentStatus DRAFT)', async () => {
    givenStored(draftAgreement());
    const response = await sign(CONTROLLER_ORG);
    expect(response.statusCode).toBe(409);
    expect(response.body.currentStatus).toBe('DRAFT');
    expect(tableWrites()).toEqual([]);
  });

  it('refuses a signature after the deadline day has ended in Oslo (409)', async () => {
    givenStored(awaitingAgreement({ signatureDeadline: '2026-11-21' }));
    const response = await sign(CONTROLLER_ORG);
    expect(response.statusCode).toBe(409);
    expect(response.body.detail).toContain('2026-11-21');
    expect(tableWrites()).toEqual([]);
  });

  it('refuses a signature dated in the future (400 naming signedOn)', async () => {
    givenStored(awaitingAgreement());
    const response = await sign(CONTROLLER_ORG, { signedOn: '2026-11-23' });
    expect(response.statusCode).toBe(400);
    expect(response.body.errors).toEqual([{ field: 'signedOn', message: 'may not be in the future' }]);
    expect(tableWrites()).toEqual([]);
  });

  it('refuses a signature dated before the submission (400 naming signedOn)', async () => {
    givenStored(awaitingAgreement());
    const response = await sign(CONTROLLER_ORG, { signedOn: '2026-11-14' });
    expect(response.statusCode).toBe(400);
    expect(response.body.errors.map((e: { field: string }) => e.field)).toEqual(['signedOn']);
    expect(tableWrites()).toEqual([]);
  });

  it('answers a non-party 404 and writes nothing', async () => {
    givenStored(awaitingAgreement());
    const response = await sign(OUTSIDER_ORG);
    expect(response.statusCode).toBe(404);
    expect(tableWrites()).toEqual([]);
    expect(workflowCalls()).toEqual([]);
  });

  it('still answers 201 when the stored token belongs to a workflow that has already ended', async () => {
    givenStored(awaitingAgreement(), { controller: 'stale-token' });
    const stale = new Error('Task does not exist');
    stale.name = 'TaskDoesNotExist';
    sfn.on(SendTaskSuccessCommand).rejects(stale);
    const response = await sign(CONTROLLER_ORG);
    expect(response.statusCode).toBe(201);
  });
});
