import {
  QueryCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import { handler } from '../../../functions/http/request-sub-processor.ts';
import { AGREEMENT_ID, CONTROLLER_ORG, OUTSIDER_ORG, PROCESSOR_ORG } from '../domain/agreement-fixture.ts';
import { inForceAgreement, pendingRecord, requestBody } from '../domain/sub-processor-fixture.ts';
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
} from './aws-mocks.ts';
import { httpEvent, invoke } from './events.ts';
import {
  APPROVAL_STATE_MACHINE_ARN,
  agreementCheck,
  cancelledAt,
  requestWrite,
  useApprovalWorkflow,
} from './sub-processor-mocks.ts';

useAwsMocks();
useApprovalWorkflow();

const request = (orgNumber: string, body: unknown = requestBody()) =>
  invoke(
    handler,
    httpEvent('POST /agreements/{id}/sub-processors', `/agreements/${AGREEMENT_ID}/sub-processors`, {
      orgNumber,
      pathParameters: { id: AGREEMENT_ID },
      body,
    }),
  );

describe('POST /agreements/{id}/sub-processors', () => {
  it('answers 202 with the request REQUESTED, its id, deadline and Location', async () => {
    givenStored(inForceAgreement());
    const response = await request(PROCESSOR_ORG);

    expect(response.statusCode).toBe(202);
    expect(response.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      ...requestBody(),
      status: 'REQUESTED',
      requestedAt: '2026-11-22T10:00:00.000Z',
      requestedBy: { orgNumber: PROCESSOR_ORG, clientId: 'test-client' },
      decisionDeadline: '2026-12-22',
    });
    expect(response.headers.location).toBe(`/agreements/${AGREEMENT_ID}/sub-processors/${response.body.id}`);
  });

  it('writes the request only if new and the agreement still in force, with history, audit, reminder, then tells the controller', async () => {
    givenStored(inForceAgreement());
    const { body } = await request(PROCESSOR_ORG);

    expect(ddb.commandCalls(TransactWriteItemsCommand)).toHaveLength(1);
    const items = transaction();
    const put = requestWrite(items).Put!;
    expect(put.ConditionExpression).toBe('attribute_not_exists(pk)');
    expect(unmarshall(put.Item!)).toMatchObject({
      pk: `AGREEMENT#${AGREEMENT_ID}`,
      sk: `SUBPROCESSOR#${body.id}`,
      status: 'REQUESTED',
    });
    const check = agreementCheck(items)!;
    expect(unmarshall(check.Key!)).toEqual({ pk: `AGREEMENT#${AGREEMENT_ID}`, sk: 'AGREEMENT' });
    expect(check.ConditionExpression).toBe('#status IN (:allowed0, :allowed1)');
    expect(unmarshall(check.ExpressionAttributeValues!)).toEqual({
      ':allowed0': 'IN_FORCE',
      ':allowed1': 'NOTICE_PERIOD',
    });
    expect(putsWithSortKey(items, 'HISTORY#')).toEqual([
      expect.objectContaining({
        type: 'SUB_PROCESSOR_REQUESTED',
        details: expect.objectContaining({ subProcessorId: body.id }),
      }),
    ]);
    expect(putsWithSortKey(items, 'AUDIT#')).toEqual([
      expect.objectContaining({ action: 'sub-processor.request', details: { subProcessorId: body.id } }),
    ]);
    expect(putsWithSortKey(items, 'REMINDER#')).toEqual([
      expect.objectContaining({ kind: `sub-processor-decision#${body.id}`, dueOn: '2026-11-29' }),
    ]);
    // The controller is told in the same transaction (taken back if the workflow cannot be started).
    expect(putsWithPartitionKey(items, 'NOTIFICATIONS#')).toEqual([
      expect.objectContaining({
        recipientOrgNumber: CONTROLLER_ORG,
        type: 'sub-processor.requested',
        id: `sub-processor.requested:${AGREEMENT_ID}:${body.id}`,
      }),
    ]);
    const [change] = ddb.commandCalls(TransactWriteItemsCommand);
    const [start] = sfn.commandCalls(StartExecutionCommand);
    expect(change!.calledBefore(start!)).toBe(true);
    // Two round trips: the agreement, then the request (the other requests are not read).
    expect(ddb.calls().map((call) => call.args[0].constructor.name)).toEqual([
      'GetItemCommand',
      'TransactWriteItemsCommand',
    ]);
  });

  it('starts the approval workflow named after the request, with the agreement and request ids', async () => {
    givenStored(inForceAgreement());
    const { body } = await request(PROCESSOR_ORG);

    const starts = sfn.commandCalls(StartExecutionCommand);
    expect(starts).toHaveLength(1);
    expect(starts[0]!.args[0].input).toEqual({
      stateMachineArn: APPROVAL_STATE_MACHINE_ARN,
      name: `${AGREEMENT_ID}-${body.id}`,
      input: JSON.stringify({ agreementId: AGREEMENT_ID, subProcessorId: body.id }),
    });
  });

  it('refuses the controller with 403 and changes nothing', async () => {
    givenStored(inForceAgreement());
    const response = await request(CONTROLLER_ORG);
    expect(response.statusCode).toBe(403);
    expect(response.body.detail).toBe('Only the processor may request approval of a sub-processor');
    expect(tableWrites()).toEqual([]);
    expect(workflowCalls()).toEqual([]);
  });

  it('answers 404 to an organisation that is not a party', async () => {
    givenStored(inForceAgreement());
    const response = await request(OUTSIDER_ORG);
    expect(response.statusCode).toBe(404);
    expect(tableWrites()).toEqual([]);
  });

  it.each([
    'DRAFT',
    'AWAITING_SIGNATURES',
    'TERMINATED',
  ] as const)('answers 409 with currentStatus while the agreement is %s', async (status) => {
    givenStored(inForceAgreement({ status }));
    const response = await request(PROCESSOR_ORG);
    expect(response.statusCode).toBe(409);
    expect(response.body.currentStatus).toBe(status);
    expect(tableWrites()).toEqual([]);
  });

  it('refuses processing outside the EEA without a transfer mechanism, saying why', async () => {
    givenStored(inForceAgreement());
    const response = await request(
      PROCESSOR_ORG,
      requestBody({ orgNumber: undefined, processingLocation: { city: 'Seattle', countryCode: 'US' } }),
    );
    expect(response.statusCode).toBe(400);
    expect(response.body.detail).toContain(
      'processing in US is outside the EEA and needs a transfer mechanism: EU standard contractual clauses (SCC) or an adequacy decision (ADEQUACY)',
    );
    expect(response.body.errors).toEqual([{ field: 'transferMechanism', message: expect.any(String) }]);
    expect(tableWrites()).toEqual([]);
    expect(workflowCalls()).toEqual([]);
  });

  it('accepts processing outside the EEA under an adequacy decision', async () => {
    givenStored(inForceAgreement());
    const response = await request(
      PROCESSOR_ORG,
      requestBody({
        processingLocation: { city: 'Zürich', countryCode: 'CH' },
        transferMechanism: 'ADEQUACY',
      }),
    );
    expect(response.statusCode).toBe(202);
    expect(response.body).toMatchObject({ status: 'REQUESTED', transferMechanism: 'ADEQUACY' });
  });

  it.each([
    ['an invalid organisation number', { orgNumber: '974652359' }, 'orgNumber'],
    ['an unknown field', { subcontractor: true }, 'subcontractor'],
    [
      'a country that is not a code',
      { processingLocation: { city: 'Oslo', countryCode: 'Norway' } },
      'processingLocation.countryCode',
    ],
    ['an unknown mechanism', { transferMechanism: 'BCR' }, 'transferMechanism'],
    ['no data types', { personalDataTypes: [] }, 'personalDataTypes'],
    [
      'a data type the agreement does not cover',
      { personalDataTypes: ['Navn', 'Kontonummer'] },
      'personalDataTypes.1',
    ],
    ['the processor itself', { orgNumber: PROCESSOR_ORG }, 'orgNumber'],
  ])('answers 400 for %s, naming the field, and writes nothing', async (_case, overrides, field) => {
    givenStored(inForceAgreement());
    const response = await request(PROCESSOR_ORG, requestBody(overrides));
    expect(response.statusCode).toBe(400);
    expect(response.body.errors.map((error: { field: string }) => error.field)).toContain(field);
    expect(tableWrites()).toEqual([]);
    expect(workflowCalls()).toEqual([]);
  });

  it('answers 409 to an identical request still awaiting the decision: its pending marker refuses the write', async () => {
    givenStored(inForceAgreement());
    // The pending request's marker (same content) is still there: its conditional put fails, old image.
    ddb.on(TransactWriteItemsCommand).rejects(
      new TransactionCanceledException({
        message: 'Transaction cancelled',
        $metadata: {},
        CancellationReasons: [
          { Code: 'None' },
          { Code: 'None' },
          { Code: 'ConditionalCheckFailed', Item: marshall({ subProcessorId: pendingRecord().id }) },
        ],
      }),
    );
    const response = await request(PROCESSOR_ORG);
    expect(response.statusCode).toBe(409);
    expect(response.body).toMatchObject({
      currentStatus: 'REQUESTED',
      detail: expect.stringContaining(pendingRecord().id),
    });
    expect(ddb.commandCalls(QueryCommand)).toEqual([]);
    expect(workflowCalls()).toEqual([]);
  });

  it('answers 409 with the agreement state when it left IN_FORCE between the read and the write', async () => {
    givenStored(inForceAgreement());
    ddb.on(TransactWriteItemsCommand).rejects(cancelledAt(1, 6, inForceAgreement({ status: 'TERMINATED' })));
    const response = await request(PROCESSOR_ORG);
    expect(response.statusCode).toBe(409);
    expect(response.body.currentStatus).toBe('TERMINATED');
    expect(workflowCalls()).toEqual([]);
  });

  it('takes the request back when the workflow cannot be started, and answers 500', async () => {
    givenStored(inForceAgreement());
    sfn.on(StartExecutionCommand).rejects(new Error('Step Functions unavailable'));
    const response = await request(PROCESSOR_ORG);

    expect(response.statusCode).toBe(500);
    const calls = ddb.commandCalls(TransactWriteItemsCommand);
    expect(calls).toHaveLength(2);
    const rollback = calls[1]!.args[0].input.TransactItems!;
    // The notification written with the request is taken back with it: the controller is not told.
    const told = putsWithPartitionKey(transaction(0), 'NOTIFICATIONS#');
    expect(told).toHaveLength(1);
    const takenBack = rollback.filter((item) => item.Delete).map((item) => unmarshall(item.Delete!.Key!));
    expect(takenBack).toEqual(
      expect.arrayContaining([
        { pk: told[0]!.pk, sk: told[0]!.sk },
        { pk: `NOTIFICATION#${told[0]!.id}#${CONTROLLER_ORG}`, sk: 'MARKER' },
      ]),
    );
    const deleted = requestWrite(rollback).Delete!;
    expect(deleted.ConditionExpression).toBe('#status = :requested');
    expect(unmarshall(deleted.Key!).sk).toMatch(/^SUBPROCESSOR#/);
    expect(putsWithSortKey(rollback, 'HISTORY#')).toEqual([
      expect.objectContaining({ type: 'SUB_PROCESSOR_REQUEST_ROLLED_BACK' }),
    ]);
    expect(rollback.filter((item) => item.Delete).map((item) => unmarshall(item.Delete!.Key!).sk)).toContain(
      `REMINDER#sub-processor-decision#${unmarshall(deleted.Key!).sk.slice('SUBPROCESSOR#'.length)}`,
    );
  });
});

describe('identical requests sent at the same moment', () => {
  it('puts a marker for the pending content, conditionally, so that only one of them can be written', async () => {
    givenStored(inForceAgreement());

    await request(PROCESSOR_ORG);

    const marker = transaction().find(
      (item) => item.Put && unmarshall(item.Put.Item!).entity === 'subprocessor-pending',
    );
    expect(marker?.Put?.ConditionExpression).toBe('attribute_not_exists(pk) OR pendingUntil <= :now');
    expect(unmarshall(marker!.Put!.Item!)).toMatchObject({
      sk: expect.stringMatching(/^SUBPROCESSOR_PENDING#[0-9a-f]{64}$/),
      // The end of the decision day (2026-12-22) in Oslo: after it the request no longer blocks another.
      pendingUntil: Date.parse('2026-12-22T23:00:00Z') / 1000,
    });
  });

  it('answers the one that loses the race with 409, as for an identical request already pending', async () => {
    givenStored(inForceAgreement());
    ddb.on(TransactWriteItemsCommand).rejects(
      new TransactionCanceledException({
        message: 'Transaction cancelled',
        $metadata: {},
        CancellationReasons: [
          { Code: 'None' },
          { Code: 'None' },
          {
            Code: 'ConditionalCheckFailed',
            Item: marshall({ subProcessorId: '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d' }),
          },
        ],
      }),
    );

    const response = await request(PROCESSOR_ORG);

    expect(response.statusCode).toBe(409);
    expect(response.body.detail).toBe(
      "An identical request for Driftshuset AS already awaits the controller's decision (id 0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d)",
    );
    expect(workflowCalls()).toEqual([]);
  });
});
