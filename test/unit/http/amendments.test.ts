import { SendTaskSuccessCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { proposeAmendment } from '../../../functions/domain/amendments/rules.ts';
import type { Amendment } from '../../../functions/domain/amendments/schemas.ts';
import { handler as propose } from '../../../functions/http/amendments/propose.ts';
import { handler as sign } from '../../../functions/http/amendments/sign.ts';
import { handler as withdraw } from '../../../functions/http/amendments/withdraw.ts';
import { AGREEMENT_ID, CONTROLLER_ORG, OUTSIDER_ORG, PROCESSOR_ORG } from '../domain/agreement-fixture.ts';
import { controllerActor, inForce } from '../domain/termination-fixture.ts';
import {
  agreementUpdate,
  ddb,
  decodeUpdate,
  givenItem,
  givenStored,
  NOW,
  putsWithPartitionKey,
  putsWithSortKey,
  sfn,
  tableWrites,
  transaction,
  useAwsMocks,
} from './aws-mocks.ts';
import { httpEvent, invoke } from './events.ts';

useAwsMocks();
beforeEach(() => {
  process.env.AMENDMENT_STATE_MACHINE_ARN = 'arn:aws:states:eu-north-1:123456789012:stateMachine:Amendment';
});

const AMENDMENT_ID = '7d2c9a51-3b4e-4f6a-8c1d-2e3f4a5b6c7d';
const TOKEN = 'amendment-task-token';
const STRONGER = 'Felles sikkerhetsnormer, og tofaktorinnlogging for alle brukere';

/** The agreement in force with amendment 1 (proposed by the controller) open on it. */
function withOpenAmendment(signatures: Amendment['signatures'] = [], taskToken?: string) {
  const proposal = proposeAmendment({
    agreement: inForce(),
    role: 'controller',
    actor: controllerActor,
    proposal: { changes: { securityMeasures: STRONGER }, reason: 'Sterkere autentisering' },
    approved: [],
    id: AMENDMENT_ID,
    now: new Date(NOW),
  });
  const amendment = { ...proposal.amendment, signatures };
  givenStored(proposal.agreement);
  givenItem(
    marshall(
      {
        pk: `AGREEMENT#${AGREEMENT_ID}`,
        sk: `AGREEMENT#AMENDMENT#${AMENDMENT_ID}`,
        entity: 'amendment',
        ...amendment,
        ...(taskToken ? { taskToken } : {}),
      },
      { removeUndefinedValues: true },
    ),
  );
  return { agreement: proposal.agreement, amendment };
}

const signatureBy = (party: 'controller' | 'processor', contentHash: string) => ({
  party,
  signatory: { name: 'Ola Direktør', title: 'Leder' },
  place: 'Oslo',
  signedOn: NOW.slice(0, 10),
  signedAt: NOW,
  contentHash,
});

const call = (
  fn: typeof propose,
  routeKey: string,
  path: string,
  orgNumber: string,
  body: unknown,
  pathParameters: Record<string, string>,
) => invoke(fn, httpEvent(routeKey, path, { orgNumber, body, pathParameters }));

const proposeAs = (orgNumber: string, body: unknown) =>
  call(
    propose,
    'POST /agreements/{id}/amendments',
    `/agreements/${AGREEMENT_ID}/amendments`,
    orgNumber,
    body,
    {
      id: AGREEMENT_ID,
    },
  );
const signAs = (orgNumber: string, contentHash: string) =>
  call(
    sign,
    'POST /agreements/{id}/amendments/{amendmentId}/signatures',
    `/agreements/${AGREEMENT_ID}/amendments/${AMENDMENT_ID}/signatures`,
    orgNumber,
    { signatory: { name: 'Ola Direktør', title: 'Leder' }, place: 'Oslo', contentHash },
    { id: AGREEMENT_ID, amendmentId: AMENDMENT_ID },
  );
const withdrawAs = (orgNumber: string) =>
  call(
    withdraw,
    'POST /agreements/{id}/amendments/{amendmentId}/withdraw',
    `/agreements/${AGREEMENT_ID}/amendments/${AMENDMENT_ID}/withdraw`,
    orgNumber,
    { reason: 'Trukket' },
    { id: AGREEMENT_ID, amendmentId: AMENDMENT_ID },
  );

const amendmentWrite = (index = 0) => {
  const item = transaction(index).find((write) => {
    const key = write.Put?.Item ?? write.Delete?.Key ?? write.Update?.Key;
    return key !== undefined && String(unmarshall(key).sk).startsWith('AGREEMENT#AMENDMENT#');
  });
  if (!item) throw new Error('no amendment write');
  return item;
};

describe('POST /agreements/{id}/amendments', () => {
  it('writes the amendment with the agreement naming it open, conditional on the version read, and starts its workflow', async () => {
    givenStored(inForce());
    const response = await proposeAs(PROCESSOR_ORG, {
      changes: { securityMeasures: STRONGER },
      reason: 'Sterkere autentisering',
    });
    expect(response.statusCode).toBe(201);
    const id = response.body.id as string;
    expect(response.headers.location).toBe(`/agreements/${AGREEMENT_ID}/amendments/${id}`);
    expect(response.body).toMatchObject({
      number: 1,
      status: 'AWAITING_SIGNATURES',
      proposedBy: 'processor',
    });

    const items = transaction();
    const update = agreementUpdate(items, AGREEMENT_ID);
    expect(update.ConditionExpression).toBe('#status = :expectedStatus AND #version = :expectedVersion');
    expect(unmarshall(update.ExpressionAttributeValues!)).toMatchObject({
      ':expectedStatus': 'IN_FORCE',
      ':expectedVersion': 4,
    });
    expect(decodeUpdate(update).set).toMatchObject({
      openAmendment: { id, number: 1 },
      amendmentCount: 1,
      version: 5,
    });
    const put = amendmentWrite();
    expect(put.Put?.ConditionExpression).toBe('attribute_not_exists(pk)');
    expect(putsWithSortKey(items, 'HISTORY#')).toEqual([
      expect.objectContaining({ type: 'AMENDMENT_PROPOSED' }),
    ]);
    expect(putsWithSortKey(items, 'REMINDER#')).toEqual([
      expect.objectContaining({ kind: `amendment-signature-missing#${id}`, dueOn: '2026-11-29' }),
    ]);
    expect(putsWithPartitionKey(items, 'NOTIFICATIONS#').map((n) => n.type)).toEqual([
      'amendment.proposed',
      'amendment.proposed',
    ]);
    const started = sfn.commandCalls(StartExecutionCommand)[0]!.args[0].input;
    expect(started.name).toBe(`amendment-${id}`);
    expect(JSON.parse(started.input!)).toEqual({ agreementId: AGREEMENT_ID, amendmentId: id });
  });

  it('takes the proposal back when its workflow cannot start: the amendment deleted only if nobody signed', async () => {
    givenStored(inForce());
    sfn.on(StartExecutionCommand).rejects(new Error('Step Functions is down'));
    const response = await proposeAs(CONTROLLER_ORG, {
      changes: { securityMeasures: STRONGER },
      reason: 'x',
    });
    expect(response.statusCode).toBe(500);
    const undo = transaction(1);
    expect(decodeUpdate(agreementUpdate(undo, AGREEMENT_ID)).remove).toContain('openAmendment');
    const deleted = undo.find(
      (write) => write.Delete && String(unmarshall(write.Delete.Key!).sk).startsWith('AGREEMENT#AMENDMENT#'),
    );
    expect(deleted?.Delete?.ConditionExpression).toBe('#status = :awaiting AND size(#signatures) = :none');
  });

  it('refuses a second open amendment (409 naming it) and a non-party (404), writing nothing', async () => {
    withOpenAmendment();
    const second = await proposeAs(PROCESSOR_ORG, { changes: { title: 'Ny' }, reason: 'x' });
    expect(second.statusCode).toBe(409);
    expect(second.body.detail).toContain(AMENDMENT_ID);
    expect((await proposeAs(OUTSIDER_ORG, { changes: { title: 'Ny' }, reason: 'x' })).statusCode).toBe(404);
    expect(tableWrites()).toEqual([]);
  });

  it('names the field of an invalid proposal (400): the parties cannot be amended', async () => {
    givenStored(inForce());
    const response = await proposeAs(CONTROLLER_ORG, {
      changes: { controller: { orgNumber: OUTSIDER_ORG, name: 'Annen' } },
      reason: 'x',
    });
    expect(response.statusCode).toBe(400);
    expect(response.body.errors).toContainEqual({ field: 'changes.controller', message: 'unknown field' });
    expect(tableWrites()).toEqual([]);
  });
});

describe('POST /agreements/{id}/amendments/{amendmentId}/signatures', () => {
  it('records the first signature conditional on the amendment as read (no token yet), leaving the wait alone', async () => {
    const { amendment } = withOpenAmendment();
    const response = await signAs(PROCESSOR_ORG, amendment.contentHash);
    expect(response.statusCode).toBe(201);
    expect(response.body.status).toBe('AWAITING_SIGNATURES');
    const put = amendmentWrite();
    expect(put.Put?.ConditionExpression).toBe('#status = :status AND attribute_not_exists(#token)');
    expect(unmarshall(put.Put!.ExpressionAttributeValues!)).toEqual({ ':status': 'AWAITING_SIGNATURES' });
    expect(agreementUpdate(transaction(), AGREEMENT_ID).ConditionExpression).toBe(
      '#status = :expectedStatus AND #version = :expectedVersion',
    );
    expect(sfn.commandCalls(SendTaskSuccessCommand)).toEqual([]);
  });

  it('puts the amendment in force with the second signature: the content, versions 1 and 2, the wait completed', async () => {
    const { amendment } = withOpenAmendment();
    // The processor signed already, and the workflow's wait holds its token on the amendment.
    withOpenAmendment([signatureBy('processor', amendment.contentHash)], TOKEN);
    const response = await signAs(CONTROLLER_ORG, amendment.contentHash);
    expect(response.statusCode).toBe(201);
    expect(response.body).toMatchObject({
      status: 'IN_FORCE',
      resultingVersion: 2,
      effectiveFrom: '2026-11-22',
    });

    const items = transaction();
    expect(decodeUpdate(agreementUpdate(items, AGREEMENT_ID)).set).toMatchObject({
      securityMeasures: STRONGER,
      contentVersion: 2,
      contentHash: amendment.contentHash,
    });
    const put = amendmentWrite();
    expect(put.Put?.ConditionExpression).toBe('#status = :status AND #token = :token');
    expect(unmarshall(put.Put!.ExpressionAttributeValues!)).toEqual({
      ':status': 'AWAITING_SIGNATURES',
      ':token': TOKEN,
    });
    const versions = items.filter((write) =>
      String(unmarshall(write.Put?.Item ?? {}).sk ?? '').startsWith('AGREEMENT#VERSION#'),
    );
    expect(
      versions.map((write) => [unmarshall(write.Put!.Item!).sk, write.Put!.ConditionExpression]),
    ).toEqual([
      ['AGREEMENT#VERSION#000001', 'attribute_not_exists(pk)'],
      ['AGREEMENT#VERSION#000002', 'attribute_not_exists(pk)'],
    ]);
    const completed = sfn.commandCalls(SendTaskSuccessCommand)[0]!.args[0].input;
    expect(completed.taskToken).toBe(TOKEN);
    expect(JSON.parse(completed.output!)).toEqual({ status: 'IN_FORCE', secondsLeft: 1, effectiveAt: null });
  });

  it('tells the other party the deadline and the content hash to sign', async () => {
    const { amendment } = withOpenAmendment();
    await signAs(PROCESSOR_ORG, amendment.contentHash);
    const notifications = putsWithPartitionKey(transaction(), 'NOTIFICATIONS#');
    expect(notifications.map((n) => n.type)).toEqual(['amendment.signed', 'amendment.signed']);
    expect(notifications[0]!.details).toEqual({
      amendmentId: amendment.id,
      number: amendment.number,
      party: 'processor',
      status: 'AWAITING_SIGNATURES',
      signedOn: NOW.slice(0, 10),
      contentHash: amendment.contentHash,
      signatureDeadline: amendment.signatureDeadline,
    });
  });

  it('tells both parties, with the second signature, the date the amendment applies from', async () => {
    const { amendment } = withOpenAmendment();
    withOpenAmendment([signatureBy('processor', amendment.contentHash)], TOKEN);
    await signAs(CONTROLLER_ORG, amendment.contentHash);
    const signed = putsWithPartitionKey(transaction(), 'NOTIFICATIONS#').find(
      (n) => n.type === 'amendment.signed',
    );
    expect(signed?.details).toMatchObject({ status: 'IN_FORCE', effectiveFrom: '2026-11-22' });
  });

  it('refuses the hash of other content (409 naming the amended one) and changes nothing', async () => {
    const { amendment } = withOpenAmendment();
    const response = await signAs(PROCESSOR_ORG, inForce().contentHash);
    expect(response.statusCode).toBe(409);
    expect(response.body.contentHash).toBe(amendment.contentHash);
    expect(tableWrites()).toEqual([]);
  });

  it('answers 404 for an amendment the agreement does not have, and for a non-party', async () => {
    givenStored(inForce());
    expect((await signAs(PROCESSOR_ORG, inForce().contentHash)).statusCode).toBe(404);
    const { amendment } = withOpenAmendment();
    expect((await signAs(OUTSIDER_ORG, amendment.contentHash)).statusCode).toBe(404);
    expect(tableWrites()).toEqual([]);
  });

  it('reads the agreement and the amendment in one round trip', async () => {
    const { amendment } = withOpenAmendment();
    await signAs(PROCESSOR_ORG, amendment.contentHash);
    expect(ddb.calls().map((c) => c.args[0].constructor.name)).toEqual([
      'BatchGetItemCommand',
      'TransactWriteItemsCommand',
    ]);
  });
});

describe('POST /agreements/{id}/amendments/{amendmentId}/withdraw', () => {
  it('lets only the proposer withdraw (403 for the other party), and completes the wait with WITHDRAWN', async () => {
    withOpenAmendment([], TOKEN);
    expect((await withdrawAs(PROCESSOR_ORG)).statusCode).toBe(403);
    expect(tableWrites()).toEqual([]);

    const response = await withdrawAs(CONTROLLER_ORG);
    expect(response.statusCode).toBe(200);
    expect(response.body).toMatchObject({ status: 'WITHDRAWN', withdrawReason: 'Trukket' });
    expect(decodeUpdate(agreementUpdate(transaction(), AGREEMENT_ID)).remove).toContain('openAmendment');
    expect(putsWithSortKey(transaction(), 'HISTORY#')).toEqual([
      expect.objectContaining({ type: 'AMENDMENT_WITHDRAWN' }),
    ]);
    const completed = sfn.commandCalls(SendTaskSuccessCommand)[0]!.args[0].input;
    expect(JSON.parse(completed.output!)).toMatchObject({ status: 'WITHDRAWN' });
  });
});
