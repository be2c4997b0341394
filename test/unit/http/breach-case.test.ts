import { TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import type { BreachDecision } from '../../../functions/domain/breach-schemas.ts';
import { handler as addUpdate } from '../../../functions/http/add-breach-update.ts';
import { handler } from '../../../functions/http/decide-breach.ts';
import { AGREEMENT_ID, CONTROLLER_ORG, OUTSIDER_ORG, PROCESSOR_ORG } from '../domain/agreement-fixture.ts';
import { BREACH_ID } from '../domain/breach-fixture.ts';
import {
  batchGetKeys,
  ddb,
  givenItem,
  givenStored,
  NOW,
  tableWrites,
  transaction,
  useAwsMocks,
} from './aws-mocks.ts';
import { httpEvent, invoke } from './events.ts';
import { cancelledAt } from './sub-processor-mocks.ts';
import { inForceAgreement } from './termination-fixture.ts';

useAwsMocks();

/** Reported at 10:00 UTC the day before NOW: the 72 hours end 2026-11-24T10:00Z. */
const breachCase = (decision?: BreachDecision, updateCount?: number) =>
  marshall(
    {
      pk: `AGREEMENT#${AGREEMENT_ID}`,
      sk: `BREACHCASE#${BREACH_ID}`,
      entity: 'breachcase',
      id: BREACH_ID,
      reporter: 'processor',
      reportedAt: '2026-11-21T10:00:00.000Z',
      becameAwareAt: '2026-11-21T08:00:00.000Z',
      supervisoryAuthorityDeadline: '2026-11-24T10:00:00.000Z',
      ...(decision ? { decision } : {}),
      ...(updateCount ? { updateCount } : {}),
    },
    { removeUndefinedValues: true },
  );

const decisionBody = {
  datatilsynet: { notified: true, notifiedAt: '2026-11-22T10:30:00+01:00', reference: '26/01234' },
  dataSubjects: { informed: false, reason: 'Lav risiko: mottakeren har slettet e-posten' },
};

const decide = (orgNumber: string, body: unknown = decisionBody, breachId = BREACH_ID) =>
  invoke(
    handler,
    httpEvent(
      'POST /agreements/{id}/breaches/{breachId}/decision',
      `/agreements/${AGREEMENT_ID}/breaches/${breachId}/decision`,
      { orgNumber, pathParameters: { id: AGREEMENT_ID, breachId }, body },
    ),
  );

describe('POST /agreements/{id}/breaches/{breachId}/decision', () => {
  it('records the controller’s decision: 201, read with the agreement in one round trip, written in one transaction', async () => {
    givenStored(inForceAgreement());
    givenItem(breachCase());
    const response = await decide(CONTROLLER_ORG);

    expect(response.statusCode).toBe(201);
    expect(response.body).toMatchObject({
      datatilsynet: { notified: true, notifiedAt: '2026-11-22T09:30:00.000Z', reference: '26/01234' },
      dataSubjects: decisionBody.dataSubjects,
      decidedAt: NOW,
      late: false,
    });
    expect(batchGetKeys()).toEqual([
      { pk: `AGREEMENT#${AGREEMENT_ID}`, sk: 'AGREEMENT' },
      { pk: `AGREEMENT#${AGREEMENT_ID}`, sk: `BREACHCASE#${BREACH_ID}` },
    ]);
    const [update, history, audit, ...notifications] = transaction();
    expect(update!.Update).toMatchObject({
      UpdateExpression: 'SET decision = :decision',
      ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(decision)',
    });
    expect(unmarshall(history!.Put!.Item!)).toMatchObject({
      type: 'BREACH_DECIDED',
      details: { breachId: BREACH_ID, datatilsynetNotified: true, late: false },
    });
    expect(unmarshall(audit!.Put!.Item!)).toMatchObject({
      action: 'breach.decide',
      details: { breachId: BREACH_ID },
    });
    expect(
      notifications
        .filter((item) => item.Put && String(unmarshall(item.Put.Item!).pk).startsWith('NOTIFICATIONS#'))
        .map((item) => unmarshall(item.Put!.Item!).recipientOrgNumber),
    ).toEqual([PROCESSOR_ORG]);
  });

  it('refuses the processor with 403 and writes nothing', async () => {
    givenStored(inForceAgreement());
    givenItem(breachCase());
    const response = await decide(PROCESSOR_ORG);

    expect(response.statusCode).toBe(403);
    expect(tableWrites()).toEqual([]);
  });

  it('answers 404 for a breach the agreement does not have, and for an outsider, writing nothing', async () => {
    givenStored(inForceAgreement());
    expect((await decide(CONTROLLER_ORG)).statusCode).toBe(404);
    givenItem(breachCase());
    expect((await decide(OUTSIDER_ORG)).statusCode).toBe(404);
    expect((await decide(CONTROLLER_ORG, decisionBody, 'not-a-uuid')).statusCode).toBe(404);
    expect(tableWrites()).toEqual([]);
  });

  it('answers 409 to a second decision, and to one that lost the race to another', async () => {
    givenStored(inForceAgreement());
    givenItem(breachCase((await decide(CONTROLLER_ORG)).body as BreachDecision));
    ddb.resetHistory();
    expect((await decide(CONTROLLER_ORG)).statusCode).toBe(409);
    expect(tableWrites()).toEqual([]);

    givenItem(breachCase());
    ddb.on(TransactWriteItemsCommand).rejects(cancelledAt(0, 6));
    const lost = await decide(CONTROLLER_ORG);
    expect(lost.statusCode).toBe(409);
    expect(lost.body.detail).toContain('meanwhile');
  });

  it('answers 400 naming the fields: a national identity number in a reason, an unknown field', async () => {
    givenStored(inForceAgreement());
    givenItem(breachCase());
    const response = await decide(CONTROLLER_ORG, {
      ...decisionBody,
      dataSubjects: { informed: false, reason: 'Gjelder 13097248022' },
      extra: true,
    });

    expect(response.statusCode).toBe(400);
    expect(response.body.errors.map((error: { field: string }) => error.field).sort()).toEqual([
      'dataSubjects.reason',
      'extra',
    ]);
    expect(tableWrites()).toEqual([]);
  });
});

const supplement = (orgNumber: string, body: unknown) =>
  invoke(
    addUpdate,
    httpEvent(
      'POST /agreements/{id}/breaches/{breachId}/updates',
      `/agreements/${AGREEMENT_ID}/breaches/${BREACH_ID}/updates`,
      { orgNumber, pathParameters: { id: AGREEMENT_ID, breachId: BREACH_ID }, body },
    ),
  );

describe('POST /agreements/{id}/breaches/{breachId}/updates', () => {
  const body = {
    facts: 'To brev til ble sendt feil samme dag',
    corrections: { approximateDataSubjects: 3, personalDataCategories: ['Navn', 'Kontonummer'] },
  };

  it('numbers the reporter’s supplement after the last, flags data outside the scope, and tells the controller', async () => {
    givenStored(inForceAgreement());
    givenItem(breachCase(undefined, 2));
    const response = await supplement(PROCESSOR_ORG, body);

    expect(response.statusCode).toBe(201);
    expect(response.body).toMatchObject({ number: 3, at: NOW, ...body, outsideScope: ['Kontonummer'] });
    const [count, item, history, , ...notifications] = transaction();
    expect(count!.Update).toMatchObject({
      UpdateExpression: 'SET updateCount = :number',
      ConditionExpression: 'attribute_exists(pk) AND updateCount = :previous',
    });
    expect(unmarshall(count!.Update!.ExpressionAttributeValues!)).toEqual({ ':number': 3, ':previous': 2 });
    expect(unmarshall(item!.Put!.Item!)).toMatchObject({
      sk: `BREACHCASE#${BREACH_ID}#UPDATE#0003`,
      breachId: BREACH_ID,
      number: 3,
    });
    expect(unmarshall(history!.Put!.Item!)).toMatchObject({
      type: 'BREACH_UPDATED',
      details: { breachId: BREACH_ID, number: 3, outsideScope: ['Kontonummer'] },
    });
    expect(
      notifications
        .filter((n) => n.Put && String(unmarshall(n.Put.Item!).pk).startsWith('NOTIFICATIONS#'))
        .map((n) => unmarshall(n.Put!.Item!).recipientOrgNumber),
    ).toEqual([CONTROLLER_ORG]);
  });

  it('takes the first supplement only while the case has none', async () => {
    givenStored(inForceAgreement());
    givenItem(breachCase());
    expect((await supplement(PROCESSOR_ORG, { measuresTaken: 'Rutinen er endret' })).body.number).toBe(1);
    expect(transaction()[0]!.Update!.ConditionExpression).toBe(
      'attribute_exists(pk) AND attribute_not_exists(updateCount)',
    );
  });

  it('refuses the party that did not report (403), an empty supplement (400), and a lost race (409)', async () => {
    givenStored(inForceAgreement());
    givenItem(breachCase());
    expect((await supplement(CONTROLLER_ORG, body)).statusCode).toBe(403);
    const empty = await supplement(PROCESSOR_ORG, {});
    expect(empty.statusCode).toBe(400);
    expect(tableWrites()).toEqual([]);

    ddb.on(TransactWriteItemsCommand).rejects(cancelledAt(0, 6));
    const lost = await supplement(PROCESSOR_ORG, body);
    expect(lost.statusCode).toBe(409);
    expect(lost.body.detail).toContain('send yours again');
  });
});
