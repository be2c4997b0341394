import {
  BatchGetItemCommand,
  PutItemCommand,
  QueryCommand,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import type { BreachRecord } from '../../../functions/domain/breach-schemas.ts';
import type { Agreement } from '../../../functions/domain/schemas.ts';
import { handler as getOne } from '../../../functions/http/get-breach.ts';
import { handler as list } from '../../../functions/http/list-breaches.ts';
import { handler as report } from '../../../functions/http/report-breach.ts';
import { AGREEMENT_ID, CONTROLLER_ORG, OUTSIDER_ORG, PROCESSOR_ORG } from '../domain/agreement-fixture.ts';
import { BREACH_ID, breachBody } from '../domain/breach-fixture.ts';
import { approvedRecord, SUB_ID } from '../domain/sub-processor-fixture.ts';
import {
  ddb,
  givenPartyCheckFails,
  givenStored,
  NOW,
  PARTY_CONDITION,
  partyRead,
  TABLE_NAME,
  tableWrites,
  transaction,
  useAwsMocks,
} from './aws-mocks.ts';
import { httpEvent, invoke } from './events.ts';
import { cancelledAt, givenSubProcessor } from './sub-processor-mocks.ts';
import { inForceAgreement, terminatedAgreement } from './termination-fixture.ts';

useAwsMocks();

/** 09:00 in Oslo the day before NOW (2026-11-22T10:00Z): 36 hours end at 20:00Z on NOW's day. */
const onTimeBody = () => breachBody({ becameAwareAt: '2026-11-21T09:00:00+01:00' });
const processorActor = { orgNumber: PROCESSOR_ORG, clientId: 'test-client' };

const post = (orgNumber: string, body: unknown = onTimeBody()) =>
  invoke(
    report,
    httpEvent('POST /agreements/{id}/breaches', `/agreements/${AGREEMENT_ID}/breaches`, {
      orgNumber,
      pathParameters: { id: AGREEMENT_ID },
      body,
    }),
  );

const listAs = (orgNumber: string) =>
  invoke(
    list,
    httpEvent('GET /agreements/{id}/breaches', `/agreements/${AGREEMENT_ID}/breaches`, {
      orgNumber,
      pathParameters: { id: AGREEMENT_ID },
    }),
  );

const getAs = (orgNumber: string, breachId = BREACH_ID) =>
  invoke(
    getOne,
    httpEvent(
      'GET /agreements/{id}/breaches/{breachId}',
      `/agreements/${AGREEMENT_ID}/breaches/${breachId}`,
      {
        orgNumber,
        pathParameters: { id: AGREEMENT_ID, breachId },
      },
    ),
  );

const _audits = () => ddb.commandCalls(PutItemCommand).map((call) => unmarshall(call.args[0].input.Item!));

describe('POST /agreements/{id}/breaches', () => {
  it('answers 201 with the report, its deadlines and a Location the processor can read', async () => {
    givenStored(inForceAgreement());
    const response = await post(PROCESSOR_ORG);

    expect(response.statusCode).toBe(201);
    expect(response.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      reporter: 'processor',
      reportedAt: NOW,
      reportedBy: processorActor,
      ...onTimeBody(),
      becameAwareAt: '2026-11-21T08:00:00.000Z',
      outsideScope: ['Fødselsnummer'],
      notificationDeadline: '2026-11-22T20:00:00.000Z',
      reportedLate: false,
      controllerAwareAt: NOW,
      supervisoryAuthorityDeadline: '2026-11-25T10:00:00.000Z',
      // Rule 16: the supplements and questions the case will keep; none yet.
      updates: [],
      questions: [],
    });
    expect(response.headers.location).toBe(`/agreements/${AGREEMENT_ID}/breaches/${response.body.id}`);
  });

  it('writes the report, the agreement check, history, audit, both notifications and both parties’ calendar entries in one transaction', async () => {
    givenStored(inForceAgreement());
    const { body } = await post(PROCESSOR_ORG);
    const id = body.id as string;

    expect(ddb.commandCalls(TransactWriteItemsCommand)).toHaveLength(1);
    const items = transaction();
    expect(items).toHaveLength(11);
    const [breach, check, breachCase, history, audit, ...rest] = items;
    // Rule 16: the case that follows the report, found by the breach's id alone.
    expect(breachCase!.Put).toMatchObject({ ConditionExpression: 'attribute_not_exists(pk)' });
    expect(unmarshall(breachCase!.Put!.Item!)).toEqual({
      pk: `AGREEMENT#${AGREEMENT_ID}`,
      sk: `BREACHCASE#${id}`,
      entity: 'breachcase',
      id,
      reporter: 'processor',
      reportedAt: NOW,
      becameAwareAt: '2026-11-21T08:00:00.000Z',
      supervisoryAuthorityDeadline: '2026-11-25T10:00:00.000Z',
    });
    const notifications = rest.slice(0, 4);
    // Rule 15: the report's two deadlines in each party's calendar feed.
    expect(rest.slice(4).map((item) => unmarshall(item.Put!.Item!))).toEqual(
      [CONTROLLER_ORG, PROCESSOR_ORG].map((org) =>
        expect.objectContaining({
          pk: `AGREEMENT#${AGREEMENT_ID}`,
          sk: `CALENDAR#${org}#breach-${id}`,
          gsi2pk: `DEADLINES#${org}`,
          entry: expect.objectContaining({
            deadlines: [
              { kind: 'breach-notification', at: '2026-11-22T20:00:00.000Z' },
              { kind: 'breach-supervisory-authority', at: '2026-11-25T10:00:00.000Z' },
            ],
          }),
        }),
      ),
    );

    expect(breach!.Put!.TableName).toBe(TABLE_NAME);
    expect(breach!.Put!.ConditionExpression).toBe('attribute_not_exists(pk)');
    expect(unmarshall(breach!.Put!.Item!)).toEqual({
      pk: `AGREEMENT#${AGREEMENT_ID}`,
      sk: `BREACH#${NOW}#${id}`,
      entity: 'breach',
      // The report alone: what follows it is kept in its case.
      ...withoutCase(body),
    });

    expect(check).toEqual({
      ConditionCheck: {
        TableName: TABLE_NAME,
        Key: marshall({ pk: `AGREEMENT#${AGREEMENT_ID}`, sk: 'AGREEMENT' }),
        ConditionExpression: '#status IN (:allowed0, :allowed1, :allowed2, :allowed3)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: marshall({
          ':allowed0': 'IN_FORCE',
          ':allowed1': 'NOTICE_PERIOD',
          ':allowed2': 'TERMINATED',
          ':allowed3': 'RETAINED_UNDER_LAW',
        }),
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      },
    });

    expect(unmarshall(history!.Put!.Item!)).toEqual({
      pk: `AGREEMENT#${AGREEMENT_ID}`,
      sk: expect.stringMatching(new RegExp(`^HISTORY#${NOW}#0#`)),
      entity: 'history',
      gsi3pk: expect.stringMatching(/^ENTRIES#2026-11-22#[0-7]$/),
      gsi3sk: AGREEMENT_ID,
      at: NOW,
      type: 'BREACH_REPORTED',
      actor: processorActor,
      details: {
        breachId: id,
        reporter: 'processor',
        becameAwareAt: '2026-11-21T08:00:00.000Z',
        reportedLate: false,
        notificationDeadline: '2026-11-22T20:00:00.000Z',
        outsideScope: ['Fødselsnummer'],
        supervisoryAuthorityDeadline: '2026-11-25T10:00:00.000Z',
      },
    });

    expect(unmarshall(audit!.Put!.Item!)).toEqual({
      pk: `AGREEMENT#${AGREEMENT_ID}`,
      sk: expect.stringMatching(new RegExp(`^AUDIT#${NOW}#`)),
      entity: 'audit',
      gsi3pk: expect.stringMatching(/^ENTRIES#2026-11-22#[0-7]$/),
      gsi3sk: AGREEMENT_ID,
      at: NOW,
      action: 'breach.report',
      actor: processorActor,
      route: 'POST /agreements/{id}/breaches',
      details: { breachId: id },
    });

    const notificationId = `breach.reported:${AGREEMENT_ID}:${id}`;
    const written = notifications.map((item) => unmarshall(item.Put!.Item!));
    expect(notifications.map((item) => item.Put!.ConditionExpression)).toEqual([
      'attribute_not_exists(pk)',
      undefined,
      'attribute_not_exists(pk)',
      undefined,
    ]);
    expect(written.map((item) => item.pk)).toEqual([
      `NOTIFICATION#${notificationId}#${CONTROLLER_ORG}`,
      `NOTIFICATIONS#${CONTROLLER_ORG}`,
      `NOTIFICATION#${notificationId}#${PROCESSOR_ORG}`,
      `NOTIFICATIONS#${PROCESSOR_ORG}`,
    ]);
    const details = {
      breachId: id,
      reporter: 'processor',
      becameAwareAt: '2026-11-21T08:00:00.000Z',
      reportedAt: NOW,
      notificationDeadline: '2026-11-22T20:00:00.000Z',
      reportedLate: false,
      outsideScope: ['Fødselsnummer'],
      supervisoryAuthorityDeadline: '2026-11-25T10:00:00.000Z',
    };
    expect(written[1]).toMatchObject({
      id: notificationId,
      type: 'breach.reported',
      recipientOrgNumber: CONTROLLER_ORG,
      agreementId: AGREEMENT_ID,
      subject:
        "Personal data breach reported by the processor (reported within the agreed 36 hours); it concerns personal data outside the agreement's scope (Fødselsnummer). Only you, the controller, notify Datatilsynet, by 2026-11-25 11:00 Oslo time (72 hours after you became aware, GDPR Art. 33), and the data subjects where required: Databehandleravtale for digital aktivitetsplan (KVP)",
      details,
    });
    expect(written[3]).toMatchObject({
      id: notificationId,
      type: 'breach.reported',
      recipientOrgNumber: PROCESSOR_ORG,
      subject: expect.stringContaining('Your breach report was delivered to the controller'),
      details,
    });
  });

  it('accepts a late report and marks it late, for the agreed 24 hours', async () => {
    givenStored(inForceAgreement({ breachNotificationHours: 24 }));
    const response = await post(PROCESSOR_ORG);

    expect(response.statusCode).toBe(201);
    expect(response.body).toMatchObject({
      notificationDeadline: '2026-11-22T08:00:00.000Z',
      reportedLate: true,
      supervisoryAuthorityDeadline: '2026-11-25T10:00:00.000Z',
    });
  });

  it.each([
    ['TERMINATED', terminatedAgreement()],
    ['RETAINED_UNDER_LAW', terminatedAgreement({ status: 'RETAINED_UNDER_LAW' })],
    ['NOTICE_PERIOD', inForceAgreement({ status: 'NOTICE_PERIOD', terminatesOn: '2027-01-10' })],
  ] as [string, Agreement][])('accepts a report while the agreement is %s', async (_status, agreement) => {
    givenStored(agreement);
    expect((await post(PROCESSOR_ORG)).statusCode).toBe(201);
  });

  it('takes the controller’s own report (000 §14): no processor deadline, the processor told to help', async () => {
    givenStored(inForceAgreement());
    const response = await post(CONTROLLER_ORG);

    expect(response.statusCode).toBe(201);
    expect(response.body).toMatchObject({
      reporter: 'controller',
      controllerAwareAt: '2026-11-21T08:00:00.000Z',
      supervisoryAuthorityDeadline: '2026-11-24T08:00:00.000Z',
    });
    expect(response.body).not.toHaveProperty('notificationDeadline');
    const notified = transaction()
      .filter((item) => item.Put && String(unmarshall(item.Put.Item!).pk).startsWith('NOTIFICATIONS#'))
      .map((item) => unmarshall(item.Put!.Item!));
    expect(notified.find((n) => n.recipientOrgNumber === PROCESSOR_ORG)?.subject).toContain(
      'reported by the controller',
    );
  });

  it('names the sub-processor where it happened, read with the agreement in one round trip', async () => {
    givenStored(inForceAgreement());
    givenSubProcessor(approvedRecord());
    const response = await post(
      PROCESSOR_ORG,
      breachBody({ becameAwareAt: '2026-11-21T09:00:00+01:00', subProcessorId: SUB_ID }),
    );

    expect(response.statusCode).toBe(201);
    expect(response.body.subProcessor).toEqual({ id: SUB_ID, name: 'Driftshuset AS' });
    expect(ddb.commandCalls(BatchGetItemCommand)).toHaveLength(1);
  });

  it('refuses a sub-processor id the agreement does not have, naming the field, and writes nothing', async () => {
    givenStored(inForceAgreement());
    const response = await post(PROCESSOR_ORG, breachBody({ subProcessorId: SUB_ID }));

    expect(response.statusCode).toBe(400);
    expect(response.body.errors).toEqual([
      { field: 'subProcessorId', message: 'names no sub-processor request of this agreement' },
    ]);
    expect(tableWrites()).toEqual([]);
  });

  it('answers 404 to an organisation that is not a party, and writes nothing', async () => {
    givenStored(inForceAgreement());
    const response = await post(OUTSIDER_ORG);

    expect(response.statusCode).toBe(404);
    expect(tableWrites()).toEqual([]);
  });

  it.each([
    'DRAFT',
    'AWAITING_SIGNATURES',
    'CANCELLED',
    'EXPIRED',
    'CLOSED',
  ] as const)('answers 409 with currentStatus while the agreement is %s, and writes nothing', async (status) => {
    givenStored(inForceAgreement({ status }));
    const response = await post(PROCESSOR_ORG);

    expect(response.statusCode).toBe(409);
    expect(response.body.currentStatus).toBe(status);
    expect(tableWrites()).toEqual([]);
  });

  it('answers 409 with the state the agreement reached between the read and the write', async () => {
    givenStored(inForceAgreement());
    ddb.on(TransactWriteItemsCommand).rejects(cancelledAt(1, 8, inForceAgreement({ status: 'CLOSED' })));
    const response = await post(PROCESSOR_ORG);

    expect(response.statusCode).toBe(409);
    expect(response.body.currentStatus).toBe('CLOSED');
  });

  it.each([
    ['a missing field', { nature: undefined }, ['nature']],
    ['an unknown field', { severity: 'high' }, ['severity']],
    [
      'no categories',
      { dataSubjectCategories: [], personalDataCategories: [] },
      ['dataSubjectCategories', 'personalDataCategories'],
    ],
    [
      'negative or fractional counts',
      { approximateDataSubjects: -1, approximateRecords: 2.5 },
      ['approximateDataSubjects', 'approximateRecords'],
    ],
    ['a timestamp without an offset', { becameAwareAt: '2026-11-21T09:00:00' }, ['becameAwareAt']],
    [
      'a contact point without an e-mail address',
      { contactPoint: { name: 'Ola', email: 'ola', phone: '+4798888888' } },
      ['contactPoint.email'],
    ],
    ['an over-long nature', { nature: 'x'.repeat(4001) }, ['nature']],
  ])('answers 400 for %s, naming the fields, and writes nothing', async (_case, overrides, fields) => {
    givenStored(inForceAgreement());
    const response = await post(PROCESSOR_ORG, { ...onTimeBody(), ...overrides });

    expect(response.statusCode).toBe(400);
    expect(response.body.errors.map((error: { field: string }) => error.field).sort()).toEqual(fields);
    expect(tableWrites()).toEqual([]);
  });

  it('answers 400 when the processor became aware in the future on the stack clock, and writes nothing', async () => {
    givenStored(inForceAgreement());
    const response = await post(
      PROCESSOR_ORG,
      breachBody({ becameAwareAt: '2026-11-22T11:00:00.001+01:00' }),
    );

    expect(response.statusCode).toBe(400);
    expect(response.body.errors).toEqual([
      { field: 'becameAwareAt', message: `may not be in the future (it is now ${NOW})` },
    ]);
    expect(tableWrites()).toEqual([]);
  });
});

function storedBreach(overrides: Partial<BreachRecord> = {}): BreachRecord {
  const body = onTimeBody();
  return {
    id: BREACH_ID,
    reporter: 'processor',
    reportedAt: '2026-11-21T10:00:00.000Z',
    reportedBy: processorActor,
    becameAwareAt: '2026-11-21T08:00:00.000Z',
    nature: body.nature,
    severity: body.severity,
    dataSubjectCategories: body.dataSubjectCategories,
    approximateDataSubjects: body.approximateDataSubjects,
    personalDataCategories: body.personalDataCategories,
    outsideScope: ['Fødselsnummer'],
    approximateRecords: body.approximateRecords,
    contactPoint: body.contactPoint,
    likelyConsequences: body.likelyConsequences,
    measuresTaken: body.measuresTaken,
    notificationDeadline: '2026-11-22T20:00:00.000Z',
    reportedLate: false,
    controllerAwareAt: '2026-11-21T10:00:00.000Z',
    supervisoryAuthorityDeadline: '2026-11-24T10:00:00.000Z',
    ...overrides,
  };
}

const withoutCase = ({ updates: _updates, questions: _questions, ...report }: Record<string, unknown>) =>
  report;

const breachItem = (record: BreachRecord) =>
  marshall({
    pk: `AGREEMENT#${AGREEMENT_ID}`,
    sk: `BREACH#${record.reportedAt}#${record.id}`,
    entity: 'breach',
    ...record,
  });

describe('GET /agreements/{id}/breaches', () => {
  it("lists the agreement's reports in the order made, for the controller, and logs the read", async () => {
    givenStored(inForceAgreement());
    const later = storedBreach({ id: 'c0ffee00-0000-4000-8000-000000000001', reportedAt: NOW });
    const decision = {
      datatilsynet: { notified: false as const, reason: 'Lav risiko' },
      dataSubjects: { informed: false as const, reason: 'Lav risiko' },
      decidedAt: NOW,
      decidedBy: { orgNumber: CONTROLLER_ORG, clientId: 'test-client' },
      late: false,
    };
    const laterCase = marshall({
      pk: `AGREEMENT#${AGREEMENT_ID}`,
      sk: `BREACHCASE#${later.id}`,
      entity: 'breachcase',
      id: later.id,
      reporter: 'processor',
      reportedAt: NOW,
      becameAwareAt: later.becameAwareAt,
      supervisoryAuthorityDeadline: later.supervisoryAuthorityDeadline,
      decision,
    });
    ddb.on(QueryCommand).resolves({ Items: [breachItem(storedBreach()), breachItem(later), laterCase] });
    const response = await listAs(CONTROLLER_ORG);

    expect(response.statusCode).toBe(200);
    // Each report with the decision of its case, in the order made.
    expect(response.body).toEqual({
      items: [storedBreach(), { ...later, updates: [], questions: [], decision }],
    });
    const query = ddb.commandCalls(QueryCommand)[0]!.args[0].input;
    expect(query.KeyConditionExpression).toBe('pk = :pk AND begins_with(sk, :prefix)');
    expect(unmarshall(query.ExpressionAttributeValues!)).toEqual({
      ':pk': `AGREEMENT#${AGREEMENT_ID}`,
      ':prefix': 'BREACH',
    });
    const read = partyRead();
    expect(read.condition).toBe(PARTY_CONDITION);
    expect(read.checkedOrg).toBe(CONTROLLER_ORG);
    expect(read.audit).toEqual(
      expect.objectContaining({
        action: 'breaches.read',
        actor: { orgNumber: CONTROLLER_ORG, clientId: 'test-client' },
        route: 'GET /agreements/{id}/breaches',
      }),
    );
  });

  it('answers 404 to an organisation that is not a party, and shows it no report', async () => {
    ddb.on(QueryCommand).resolves({ Items: [breachItem(storedBreach())] });
    givenPartyCheckFails();
    const response = await listAs(OUTSIDER_ORG);

    expect(response.statusCode).toBe(404);
    expect(response.body).not.toHaveProperty('items');
    expect(tableWrites()).toHaveLength(1);
    expect(partyRead().checkedOrg).toBe(OUTSIDER_ORG);
  });
});

describe('GET /agreements/{id}/breaches/{breachId}', () => {
  it('answers with the report, in the field order of the contract, and logs the read', async () => {
    givenStored(inForceAgreement());
    ddb.on(QueryCommand).resolves({ Items: [breachItem(storedBreach())] });
    const response = await getAs(CONTROLLER_ORG);

    expect(response.statusCode).toBe(200);
    expect(Object.keys(response.body)).toEqual(Object.keys(storedBreach()));
    expect(response.body).toEqual(storedBreach());
    const query = ddb.commandCalls(QueryCommand)[0]!.args[0].input;
    // The report, its case and its supplements: all name the breach.
    expect(query.FilterExpression).toBe('#id = :id OR breachId = :id');
    expect(unmarshall(query.ExpressionAttributeValues!)).toMatchObject({ ':id': BREACH_ID });
    expect(partyRead().audit).toEqual(
      expect.objectContaining({ action: 'breach.read', details: { breachId: BREACH_ID } }),
    );
    expect(partyRead().condition).toBe(PARTY_CONDITION);
  });

  it('answers a report stored before breaches went both ways as the processor’s, with the deadline it was given', async () => {
    givenStored(inForceAgreement());
    const {
      reporter: _r,
      outsideScope: _o,
      controllerAwareAt: _c,
      ...before
    } = storedBreach({
      supervisoryAuthorityDeadline: '2026-11-24T08:00:00.000Z',
    });
    ddb.on(QueryCommand).resolves({ Items: [breachItem(before as BreachRecord)] });
    const response = await getAs(CONTROLLER_ORG);

    expect(response.statusCode).toBe(200);
    expect(response.body).toMatchObject({
      reporter: 'processor',
      outsideScope: [],
      controllerAwareAt: '2026-11-21T08:00:00.000Z',
      supervisoryAuthorityDeadline: '2026-11-24T08:00:00.000Z',
    });
  });

  it('answers 404 for a report that does not exist on the agreement', async () => {
    givenStored(inForceAgreement());
    const response = await getAs(PROCESSOR_ORG);

    expect(response.statusCode).toBe(404);
    expect(response.body.detail).toBe('No such breach report on this agreement');
    expect(tableWrites()).toEqual([]);
  });

  it('answers 404 for an id this system never issues, without asking the table', async () => {
    givenStored(inForceAgreement());
    const response = await getAs(PROCESSOR_ORG, 'not-a-uuid');

    expect(response.statusCode).toBe(404);
    expect(ddb.commandCalls(QueryCommand)).toEqual([]);
  });

  it('answers 404 to an organisation that is not a party', async () => {
    ddb.on(QueryCommand).resolves({ Items: [breachItem(storedBreach())] });
    givenPartyCheckFails();
    const response = await getAs(OUTSIDER_ORG);

    expect(response.statusCode).toBe(404);
    expect(response.body.detail).toBe('No agreement with that id exists for your organisation');
    expect(tableWrites()).toHaveLength(1);
  });

  it('answers 404 to a non-party also for a report that does not exist', async () => {
    givenStored(inForceAgreement());
    const response = await getAs(OUTSIDER_ORG);

    expect(response.statusCode).toBe(404);
    expect(response.body.detail).toBe('No agreement with that id exists for your organisation');
    expect(tableWrites()).toEqual([]);
  });
});
