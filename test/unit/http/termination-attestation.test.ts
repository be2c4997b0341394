import { TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import { handler } from '../../../functions/http/attest-data-disposition.ts';
import { AGREEMENT_ID, CONTROLLER_ORG, OUTSIDER_ORG, PROCESSOR_ORG } from '../domain/agreement-fixture.ts';
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

const request = (overrides: Record<string, unknown> = {}) => ({
  method: 'RETURN',
  completedOn: '2026-11-20',
  statement: 'Alle personopplysninger og kopier er tilbakelevert og slettet hos oss.',
  signatory: { name: 'Per Testesen', title: 'Personvernombud' },
  ...overrides,
});

const attest = (orgNumber: string, body: unknown = request()) =>
  invoke(
    handler,
    httpEvent(
      'POST /agreements/{id}/data-disposition/attestation',
      `/agreements/${AGREEMENT_ID}/data-disposition/attestation`,
      { orgNumber, pathParameters: { id: AGREEMENT_ID }, body },
    ),
  );

const returnChosen = () => terminatedAgreement({ dataDisposition: chosenDisposition('RETURN') });
const retention = { legalBasis: 'Bokføringsloven § 13 (regnskapsmateriale)', reviewOn: '2031-11-22' };

describe('POST /agreements/{id}/data-disposition/attestation', () => {
  it('closes a terminated agreement when the processor attests the chosen method (201)', async () => {
    givenStored(returnChosen());

    const response = await attest(PROCESSOR_ORG);

    expect(response.statusCode).toBe(201);
    expect(response.headers.etag).toBe('"7"');
    expect(response.body).toMatchObject({
      status: 'CLOSED',
      closedAt: NOW,
      attestation: {
        method: 'RETURN',
        completedOn: '2026-11-20',
        statement: 'Alle personopplysninger og kopier er tilbakelevert og slettet hos oss.',
        signatory: { name: 'Per Testesen', title: 'Personvernombud' },
        attestedAt: NOW,
        attestedBy: { orgNumber: PROCESSOR_ORG, clientId: 'test-client' },
      },
    });
  });

  it('writes the attestation conditionally on TERMINATED and the version read, with history, audit and notifications', async () => {
    givenStored(returnChosen());
    await attest(PROCESSOR_ORG);

    expect(ddb.commandCalls(TransactWriteItemsCommand)).toHaveLength(1);
    const items = transaction();
    const update = agreementUpdate(items, AGREEMENT_ID);
    expect(update.ConditionExpression).toBe('#status = :expectedStatus AND #version = :expectedVersion');
    expect(unmarshall(update.ExpressionAttributeValues!)).toMatchObject({
      ':expectedStatus': 'TERMINATED',
      ':expectedVersion': 6,
    });
    expect(decodeUpdate(update).set).toMatchObject({ status: 'CLOSED', version: 7, closedAt: NOW });
    expect(putsWithSortKey(items, 'HISTORY#').map((h) => [h.type, h.fromStatus, h.toStatus])).toEqual([
      ['DATA_DISPOSITION_ATTESTED', undefined, undefined],
      ['CLOSED', 'TERMINATED', 'CLOSED'],
    ]);
    expect(putsWithSortKey(items, 'HISTORY#')[0]).toMatchObject({
      details: {
        method: 'RETURN',
        completedOn: '2026-11-20',
        signatory: { name: 'Per Testesen', title: 'Personvernombud' },
        final: false,
      },
    });
    expect(putsWithSortKey(items, 'AUDIT#')).toEqual([
      expect.objectContaining({ action: 'agreement.data-disposition-attestation' }),
    ]);
    expect(items.filter((item) => item.Delete).map((item) => unmarshall(item.Delete!.Key!).sk)).toEqual([
      'REMINDER#attestation-missing',
      'REMINDER#disposition-missing',
      'REMINDER#retention-review',
    ]);
    expect(putsWithPartitionKey(items, 'NOTIFICATIONS#').map((n) => [n.recipientOrgNumber, n.type])).toEqual([
      [CONTROLLER_ORG, 'agreement.data-disposition-attested'],
      [PROCESSOR_ORG, 'agreement.data-disposition-attested'],
      [CONTROLLER_ORG, 'agreement.closed'],
      [PROCESSOR_ORG, 'agreement.closed'],
    ]);
  });

  it("completes the termination workflow's wait with the resulting status", async () => {
    givenStored(returnChosen());
    givenTaskToken(AGREEMENT_ID, 'attestation', 'token-attestation');
    await attest(PROCESSOR_ORG);
    const calls = sfn.commandCalls(SendTaskSuccessCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.args[0].input.taskToken).toBe('token-attestation');
    expect(JSON.parse(calls[0]!.args[0].input.output!)).toEqual({ status: 'CLOSED' });
  });

  it('keeps the agreement open, RETAINED_UNDER_LAW, when EEA law requires keeping data, and schedules the review', async () => {
    givenStored(terminatedAgreement({ dataDisposition: chosenDisposition('DELETE') }));
    givenTaskToken(AGREEMENT_ID, 'attestation', 'token-attestation');

    const response = await attest(PROCESSOR_ORG, request({ method: 'DELETE', retainedUnderLaw: retention }));

    expect(response.statusCode).toBe(201);
    expect(response.body).toMatchObject({
      status: 'RETAINED_UNDER_LAW',
      attestation: { method: 'DELETE', retainedUnderLaw: retention },
    });
    expect(response.body.closedAt).toBeUndefined();
    const items = transaction();
    expect(putsWithSortKey(items, 'REMINDER#').map((r) => [r.kind, r.dueOn])).toEqual([
      ['retention-review', '2031-11-22'],
    ]);
    expect(putsWithSortKey(items, 'HISTORY#')[1]).toMatchObject({
      type: 'RETAINED_UNDER_LAW',
      fromStatus: 'TERMINATED',
      toStatus: 'RETAINED_UNDER_LAW',
      details: retention,
    });
    expect(JSON.parse(sfn.commandCalls(SendTaskSuccessCommand)[0]!.args[0].input.output!)).toEqual({
      status: 'RETAINED_UNDER_LAW',
    });
  });

  it('closes a RETAINED_UNDER_LAW agreement with the final deletion attestation, without the workflow', async () => {
    givenStored(
      terminatedAgreement({
        status: 'RETAINED_UNDER_LAW',
        version: 7,
        dataDisposition: chosenDisposition('RETURN'),
        attestation: attestationOf('RETURN', true),
      }),
    );
    givenTaskToken(AGREEMENT_ID, 'attestation', 'token-of-the-ended-workflow');

    const response = await attest(PROCESSOR_ORG, request({ method: 'DELETE', completedOn: '2026-11-22' }));

    expect(response.statusCode).toBe(201);
    expect(response.body).toMatchObject({ status: 'CLOSED', attestation: { method: 'DELETE' } });
    expect(response.body.attestation.retainedUnderLaw).toBeUndefined();
    const items = transaction();
    expect(unmarshall(agreementUpdate(items, AGREEMENT_ID).ExpressionAttributeValues!)).toMatchObject({
      ':expectedStatus': 'RETAINED_UNDER_LAW',
      ':expectedVersion': 7,
    });
    expect(putsWithSortKey(items, 'HISTORY#')[0]).toMatchObject({
      details: { final: true, method: 'DELETE' },
    });
    expect(workflowCalls()).toEqual([]);
  });

  it('refuses the controller (403): only the processor attests, and nothing is written', async () => {
    givenStored(returnChosen());
    const response = await attest(CONTROLLER_ORG);
    expect(response.statusCode).toBe(403);
    expect(response.body.detail).toBe('Only the processor may attest the return or deletion of the data');
    expect(tableWrites()).toEqual([]);
    expect(workflowCalls()).toEqual([]);
  });

  it('answers a non-party 404', async () => {
    givenStored(returnChosen());
    expect((await attest(OUTSIDER_ORG)).statusCode).toBe(404);
    expect(tableWrites()).toEqual([]);
  });

  it('refuses a method other than the chosen one with 409, naming method and the chosen method', async () => {
    givenStored(returnChosen());
    const response = await attest(PROCESSOR_ORG, request({ method: 'DELETE' }));
    expect(response.statusCode).toBe(409);
    expect(response.body).toMatchObject({
      currentStatus: 'TERMINATED',
      errors: [{ field: 'method', message: 'must be RETURN, the method the controller chose' }],
    });
    expect(tableWrites()).toEqual([]);
  });

  it('refuses an attestation before the controller has chosen (409)', async () => {
    givenStored(terminatedAgreement());
    const response = await attest(PROCESSOR_ORG);
    expect(response.statusCode).toBe(409);
    expect(response.body.currentStatus).toBe('TERMINATED');
    expect(tableWrites()).toEqual([]);
  });

  it.each([
    ['IN_FORCE', inForceAgreement()],
    ['NOTICE_PERIOD', noticePeriodAgreement({ dataDisposition: chosenDisposition('RETURN') })],
    ['CLOSED', terminatedAgreement({ status: 'CLOSED', dataDisposition: chosenDisposition('RETURN') })],
  ])('refuses an attestation while %s (409 with currentStatus)', async (status, agreement) => {
    givenStored(agreement);
    const response = await attest(PROCESSOR_ORG);
    expect(response.statusCode).toBe(409);
    expect(response.body.currentStatus).toBe(status);
    expect(tableWrites()).toEqual([]);
  });

  it('refuses a completion date in the future (400 naming completedOn)', async () => {
    givenStored(returnChosen());
    const response = await attest(PROCESSOR_ORG, request({ completedOn: '2026-11-23' }));
    expect(response.statusCode).toBe(400);
    expect(response.body.errors).toEqual([
      { field: 'completedOn', message: 'may not be in the future (today is 2026-11-22)' },
    ]);
    expect(tableWrites()).toEqual([]);
  });

  it.each([
    [request({ signatory: undefined }), 'signatory'],
    [request({ statement: '  ' }), 'statement'],
    [request({ retainedUnderLaw: { legalBasis: 'x' } }), 'retainedUnderLaw.reviewOn'],
    [request({ witness: 'Ola' }), 'witness'],
  ])('refuses an invalid body (400 naming %#: %s)', async (body, field) => {
    givenStored(returnChosen());
    const response = await attest(PROCESSOR_ORG, body);
    expect(response.statusCode).toBe(400);
    expect(response.body.errors.map((e: { field: string }) => e.field)).toEqual([field]);
    expect(tableWrites()).toEqual([]);
  });

  it('answers 409 with the current status when the agreement changed in between', async () => {
    givenStored(returnChosen());
    ddb.on(TransactWriteItemsCommand).rejects(conditionFailed(returnChosen()));
    const response = await attest(PROCESSOR_ORG);
    expect(response.statusCode).toBe(409);
    expect(response.body.currentStatus).toBe('TERMINATED');
    expect(workflowCalls()).toEqual([]);
  });
});
