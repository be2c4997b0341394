import {
  BatchGetItemCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import { handler } from '../../../functions/http/decide-sub-processor.ts';
import { AGREEMENT_ID, CONTROLLER_ORG, OUTSIDER_ORG, PROCESSOR_ORG } from '../domain/agreement-fixture.ts';
import {
  approvedRecord,
  inForceAgreement,
  OTHER_SUB_ID,
  pendingRecord,
  SUB_ID,
} from '../domain/sub-processor-fixture.ts';
import {
  batchGetKeys,
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
  agreementCheck,
  appendixWrite,
  cancelledAt,
  givenAppendix,
  givenSubProcessor,
  requestWrite,
} from './sub-processor-mocks.ts';

useAwsMocks();

const approve = {
  decision: 'APPROVED',
  reason: 'Avtale med underleverandøren er inngått',
  signatory: { name: 'Kari Testesen', title: 'Rådmann' },
};

const decide = (orgNumber: string, body: unknown = approve, subId = SUB_ID) =>
  invoke(
    handler,
    httpEvent(
      'POST /agreements/{id}/sub-processors/{subId}/decision',
      `/agreements/${AGREEMENT_ID}/sub-processors/${subId}/decision`,
      { orgNumber, pathParameters: { id: AGREEMENT_ID, subId }, body },
    ),
  );

describe('POST /agreements/{id}/sub-processors/{subId}/decision', () => {
  it('approves: 200 with the decision signed and dated today', async () => {
    givenStored(inForceAgreement());
    givenSubProcessor(pendingRecord());
    const response = await decide(CONTROLLER_ORG);

    expect(response.statusCode).toBe(200);
    expect(response.body).toMatchObject({
      id: SUB_ID,
      status: 'APPROVED',
      decision: {
        decision: 'APPROVED',
        reason: approve.reason,
        signatory: approve.signatory,
        decidedOn: '2026-11-22',
        decidedAt: NOW,
        decidedBy: { orgNumber: CONTROLLER_ORG, clientId: 'test-client' },
      },
      approvedFrom: NOW,
    });
  });

  it('writes the decision only if the request is still REQUESTED and the agreement in force, as Vedlegg 3 version 1', async () => {
    givenStored(inForceAgreement());
    givenSubProcessor(pendingRecord());
    await decide(CONTROLLER_ORG);

    const items = transaction();
    const update = requestWrite(items).Update!;
    // No wait registered when read: a token stored meanwhile makes the write fail and all is read again.
    expect(update.ConditionExpression).toBe('#status = :expectedStatus AND attribute_not_exists(#taskToken)');
    expect(update.ExpressionAttributeNames).toMatchObject({ '#taskToken': 'taskToken' });
    expect(unmarshall(update.ExpressionAttributeValues!)).toMatchObject({ ':expectedStatus': 'REQUESTED' });
    expect(update.ReturnValuesOnConditionCheckFailure).toBe('ALL_OLD');
    const { set, remove } = decodeUpdate(update);
    expect(set).toMatchObject({ status: 'APPROVED', approvedFrom: NOW });
    expect(Object.keys(set)).not.toContain('taskToken');
    expect(remove).toEqual([]);
    expect(agreementCheck(items)!.ConditionExpression).toBe('#status IN (:allowed0, :allowed1)');

    const appendix = appendixWrite(items)!;
    expect(appendix.ConditionExpression).toBe('attribute_not_exists(pk)');
    expect(unmarshall(appendix.Item!)).toMatchObject({
      sk: 'APPENDIX3',
      version: 1,
      approved: [{ id: SUB_ID, name: 'Driftshuset AS', personalDataTypes: ['Navn'] }],
    });
    expect(putsWithSortKey(items, 'HISTORY#').map((entry) => entry.type)).toEqual([
      'SUB_PROCESSOR_APPROVED',
      'APPENDIX_3_VERSION',
    ]);
    expect(putsWithSortKey(items, 'HISTORY#')[1]!.details).toEqual({
      version: 1,
      approved: [{ id: SUB_ID, name: 'Driftshuset AS', personalDataTypes: ['Navn'] }],
      effectiveFrom: NOW,
      added: SUB_ID,
    });
    expect(putsWithSortKey(items, 'AUDIT#')).toEqual([
      expect.objectContaining({
        action: 'sub-processor.decide',
        details: { subProcessorId: SUB_ID, decision: 'APPROVED' },
      }),
    ]);
    // The reminder goes, and so does the marker that kept an identical request out while this one pended.
    expect(items.filter((item) => item.Delete).map((item) => unmarshall(item.Delete!.Key!).sk)).toEqual([
      expect.stringMatching(/^SUBPROCESSOR_PENDING#[0-9a-f]{64}$/),
      `REMINDER#sub-processor-decision#${SUB_ID}`,
      // The decision deadline leaves both parties' calendar feeds (rule 15).
      `CALENDAR#${CONTROLLER_ORG}#sub-processor-${SUB_ID}`,
      `CALENDAR#${PROCESSOR_ORG}#sub-processor-${SUB_ID}`,
    ]);
    expect(putsWithPartitionKey(items, 'NOTIFICATIONS#').map((n) => [n.type, n.recipientOrgNumber])).toEqual([
      ['sub-processor.approved', CONTROLLER_ORG],
      ['sub-processor.approved', PROCESSOR_ORG],
    ]);
  });

  it('adds to the current Vedlegg 3 only if it is still the version read', async () => {
    givenStored(inForceAgreement());
    givenSubProcessor(pendingRecord());
    givenAppendix(3, [{ id: OTHER_SUB_ID, name: 'Alfa Drift AS' }]);
    await decide(CONTROLLER_ORG);

    const appendix = appendixWrite(transaction())!;
    expect(appendix.ConditionExpression).toBe('#version = :expectedVersion');
    expect(unmarshall(appendix.ExpressionAttributeValues!)).toEqual({ ':expectedVersion': 3 });
    expect(unmarshall(appendix.Item!)).toMatchObject({
      version: 4,
      approved: [
        { id: OTHER_SUB_ID, name: 'Alfa Drift AS' },
        { id: SUB_ID, name: 'Driftshuset AS' },
      ],
    });
  });

  it('reads again and retries when another change to Vedlegg 3 won the race', async () => {
    givenStored(inForceAgreement());
    givenSubProcessor(pendingRecord());
    ddb.on(TransactWriteItemsCommand).rejectsOnce(cancelledAt(2, 9)).resolves({});
    const response = await decide(CONTROLLER_ORG);
    expect(response.statusCode).toBe(200);
    expect(ddb.commandCalls(TransactWriteItemsCommand)).toHaveLength(2);
  });

  it("completes the approval workflow's wait with the token stored on the request", async () => {
    givenStored(inForceAgreement());
    givenSubProcessor(pendingRecord(), 'token-approval');
    await decide(CONTROLLER_ORG);
    const calls = sfn.commandCalls(SendTaskSuccessCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.args[0].input).toEqual({ taskToken: 'token-approval', output: '{"status":"APPROVED"}' });
  });

  it('reads the agreement, the request and Vedlegg 3 in one round trip, and writes in the second', async () => {
    givenStored(inForceAgreement());
    givenSubProcessor(pendingRecord(), 'token-approval');
    await decide(CONTROLLER_ORG);
    expect(ddb.calls().map((call) => call.args[0].constructor.name)).toEqual([
      'BatchGetItemCommand',
      'TransactWriteItemsCommand',
    ]);
    expect(batchGetKeys().map((key) => key.sk)).toEqual(['AGREEMENT', `SUBPROCESSOR#${SUB_ID}`, 'APPENDIX3']);
    const update = requestWrite(transaction()).Update!;
    expect(update.ConditionExpression).toBe('#status = :expectedStatus AND #taskToken = :taskToken');
    expect(unmarshall(update.ExpressionAttributeValues!)[':taskToken']).toBe('token-approval');
  });

  it('reads again and completes the wait registered between the read and the write', async () => {
    givenStored(inForceAgreement());
    givenSubProcessor(pendingRecord());
    ddb.on(TransactWriteItemsCommand).callsFakeOnce(() => {
      // The workflow stores its token while the decision is on its way: the request is still REQUESTED.
      givenSubProcessor(pendingRecord(), 'token-registered-meanwhile');
      throw cancelledAt(0, 8, pendingRecord());
    });

    const response = await decide(CONTROLLER_ORG);

    expect(response.statusCode).toBe(200);
    expect(ddb.commandCalls(BatchGetItemCommand)).toHaveLength(2);
    expect(ddb.commandCalls(TransactWriteItemsCommand)).toHaveLength(2);
    const calls = sfn.commandCalls(SendTaskSuccessCommand);
    expect(calls.map((call) => call.args[0].input.taskToken)).toEqual(['token-registered-meanwhile']);
  });

  it('rejects with its reason: no change to Vedlegg 3', async () => {
    givenStored(inForceAgreement());
    givenSubProcessor(pendingRecord());
    const response = await decide(CONTROLLER_ORG, {
      ...approve,
      decision: 'REJECTED',
      reason: 'Behandling utenfor EØS',
    });

    expect(response.statusCode).toBe(200);
    expect(response.body).toMatchObject({
      status: 'REJECTED',
      decision: { reason: 'Behandling utenfor EØS' },
    });
    const items = transaction();
    expect(appendixWrite(items)).toBeUndefined();
    expect(putsWithSortKey(items, 'HISTORY#').map((entry) => entry.type)).toEqual(['SUB_PROCESSOR_REJECTED']);
  });

  it('refuses the processor with 403 and changes nothing', async () => {
    givenStored(inForceAgreement());
    givenSubProcessor(pendingRecord());
    const response = await decide(PROCESSOR_ORG);
    expect(response.statusCode).toBe(403);
    expect(response.body.detail).toBe('Only the controller may decide on a sub-processor');
    expect(tableWrites()).toEqual([]);
    expect(workflowCalls()).toEqual([]);
  });

  it('answers 404 to a non-party, and to an id the agreement does not know', async () => {
    givenStored(inForceAgreement());
    givenSubProcessor(pendingRecord());
    expect((await decide(OUTSIDER_ORG)).statusCode).toBe(404);
    const unknown = await decide(CONTROLLER_ORG, approve, OTHER_SUB_ID);
    expect(unknown.statusCode).toBe(404);
    expect(unknown.body.detail).toBe('No such sub-processor on this agreement');
    expect(tableWrites()).toEqual([]);
  });

  it.each([
    ['APPROVED', approvedRecord()],
    ['REJECTED', pendingRecord({ status: 'REJECTED' })],
    ['EXPIRED', pendingRecord({ status: 'EXPIRED' })],
    ['WITHDRAWN', pendingRecord({ status: 'WITHDRAWN' })],
  ] as const)('answers 409 with currentStatus %s after the request was closed', async (status, record) => {
    givenStored(inForceAgreement());
    givenSubProcessor(record);
    const response = await decide(CONTROLLER_ORG);
    expect(response.statusCode).toBe(409);
    expect(response.body.currentStatus).toBe(status);
    expect(tableWrites()).toEqual([]);
  });

  it('answers 409 EXPIRED once the deadline day has ended, even before the workflow recorded it', async () => {
    givenStored(inForceAgreement());
    givenSubProcessor(pendingRecord({ decisionDeadline: '2026-11-21' }));
    const response = await decide(CONTROLLER_ORG);
    expect(response.statusCode).toBe(409);
    expect(response.body.currentStatus).toBe('EXPIRED');
    expect(tableWrites()).toEqual([]);
  });

  it('answers 409 with the status another decision wrote between the read and the write', async () => {
    givenStored(inForceAgreement());
    givenSubProcessor(pendingRecord());
    ddb.on(TransactWriteItemsCommand).rejects(cancelledAt(0, 9, pendingRecord({ status: 'WITHDRAWN' })));
    const response = await decide(CONTROLLER_ORG);
    expect(response.statusCode).toBe(409);
    expect(response.body.currentStatus).toBe('WITHDRAWN');
    expect(workflowCalls()).toEqual([]);
  });

  it.each([
    ['an unknown decision', { ...approve, decision: 'MAYBE' }, ['decision']],
    ['no reason', { decision: 'APPROVED', signatory: approve.signatory }, ['reason']],
    ['no signatory', { decision: 'APPROVED', reason: 'ok' }, ['signatory']],
    ['a decision date (decided today)', { ...approve, decidedOn: '2026-11-01' }, ['decidedOn']],
  ])('answers 400 for %s, naming the fields, and writes nothing', async (_case, body, fields) => {
    givenStored(inForceAgreement());
    givenSubProcessor(pendingRecord());
    const response = await decide(CONTROLLER_ORG, body);
    expect(response.statusCode).toBe(400);
    expect(response.body.errors.map((error: { field: string }) => error.field)).toEqual(fields);
    expect(tableWrites()).toEqual([]);
  });
});

describe('decisions racing other changes of Vedlegg 3', () => {
  const appendixRace = (codes: string[]) =>
    new TransactionCanceledException({
      message: 'Transaction cancelled',
      $metadata: {},
      CancellationReasons: codes.map((Code) => ({ Code })),
    });

  it('retries while the appendix keeps changing, and answers 409 (never 500) when it never settles', async () => {
    givenStored(inForceAgreement());
    givenSubProcessor(pendingRecord());
    ddb.on(TransactWriteItemsCommand).rejects(appendixRace(['None', 'None', 'ConditionalCheckFailed']));

    const response = await decide(CONTROLLER_ORG);

    expect(response.statusCode).toBe(409);
    expect(response.body.detail).toContain('Vedlegg 3 was changed by other requests');
    expect(ddb.commandCalls(TransactWriteItemsCommand)).toHaveLength(8);
  });

  it("takes DynamoDB's TransactionConflict (another transaction in flight) as a change to retry after", async () => {
    givenStored(inForceAgreement());
    givenSubProcessor(pendingRecord());
    ddb
      .on(TransactWriteItemsCommand)
      .rejectsOnce(appendixRace(['TransactionConflict', 'None', 'None']))
      .resolves({});

    const response = await decide(CONTROLLER_ORG);

    expect(response.statusCode).toBe(200);
    expect(ddb.commandCalls(TransactWriteItemsCommand)).toHaveLength(2);
  });
});
