import { TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import type { Agreement } from '../../../functions/domain/schemas.ts';
import { handler } from '../../../functions/http/report-breach.ts';
import {
  AGREEMENT_ID,
  CONTROLLER_ORG,
  draftAgreement,
  OUTSIDER_ORG,
  PROCESSOR_ORG,
} from '../domain/agreement-fixture.ts';
import {
  conditionFailed,
  ddb,
  givenStored,
  putsWithPartitionKey,
  putsWithSortKey,
  tableWrites,
  transaction,
  useAwsMocks,
} from './aws-mocks.ts';
import { httpEvent, invoke } from './events.ts';

useAwsMocks();

const body = {
  becameAwareAt: '2026-11-21T08:00:00Z',
  nature: 'Feiladressert brev med vedtak sendt til feil mottaker',
  dataSubjectCategories: ['Deltakere i KVP'],
  approximateDataSubjects: 1,
  personalDataCategories: ['Navn'],
  approximateRecords: 1,
  contactPoint: { name: 'Ola Prøvesen', email: 'ola@example.no', phone: '+4798888888' },
  likelyConsequences: 'Uvedkommende kan ha lest opplysninger om én deltaker',
  measuresTaken: 'Mottaker har bekreftet sletting',
};

const inForce = (overrides: Partial<Agreement> = {}) =>
  draftAgreement({ status: 'IN_FORCE', version: 4, ...overrides });

const report = (orgNumber: string, payload: unknown = body) =>
  invoke(
    handler,
    httpEvent('POST /agreements/{id}/breaches', `/agreements/${AGREEMENT_ID}/breaches`, {
      orgNumber,
      pathParameters: { id: AGREEMENT_ID },
      body: payload,
    }),
  );

describe('POST /agreements/{id}/breaches', () => {
  it('records the processor report with history, audit and notifications, only while the agreement allows it', async () => {
    givenStored(inForce());
    const response = await report(PROCESSOR_ORG);

    expect(response.statusCode).toBe(201);
    expect(response.headers.location).toBe(`/agreements/${AGREEMENT_ID}/breaches/${response.body.id}`);
    expect(response.body).toMatchObject({
      notificationDeadline: '2026-11-22T20:00:00.000Z',
      reportedLate: false,
      supervisoryAuthorityDeadline: '2026-11-24T08:00:00.000Z',
    });
    const items = transaction();
    const put = items[0]!.Put!;
    expect(put.ConditionExpression).toBe('attribute_not_exists(pk)');
    expect(unmarshall(put.Item!).sk).toBe(`BREACH#${response.body.id}`);
    const check = items[1]!.ConditionCheck!;
    expect(check.ConditionExpression).toBe('#status IN (:allowed0, :allowed1, :allowed2, :allowed3)');
    expect(putsWithSortKey(items, 'HISTORY#')).toEqual([
      expect.objectContaining({ type: 'BREACH_REPORTED' }),
    ]);
    expect(putsWithSortKey(items, 'AUDIT#')).toEqual([expect.objectContaining({ action: 'breach.report' })]);
    const notices = putsWithPartitionKey(items, 'NOTIFICATIONS#');
    expect(notices.map((n) => n.recipientOrgNumber)).toEqual([CONTROLLER_ORG, PROCESSOR_ORG]);
    expect(String(notices[0]!.subject)).toContain('Datatilsynet');
  });

  it('answers the controller 403 and writes nothing', async () => {
    givenStored(inForce());
    const response = await report(CONTROLLER_ORG);
    expect(response.statusCode).toBe(403);
    expect(tableWrites()).toEqual([]);
  });

  it('answers a non-party 404 and writes nothing', async () => {
    givenStored(inForce());
    const response = await report(OUTSIDER_ORG);
    expect(response.statusCode).toBe(404);
    expect(tableWrites()).toEqual([]);
  });

  it('refuses a report on a draft with 409 and its status', async () => {
    givenStored(inForce({ status: 'DRAFT' }));
    const response = await report(PROCESSOR_ORG);
    expect(response.statusCode).toBe(409);
    expect(response.body.currentStatus).toBe('DRAFT');
    expect(tableWrites()).toEqual([]);
  });

  it('refuses incomplete content with 400 naming the fields, and writes nothing', async () => {
    givenStored(inForce());
    const { likelyConsequences: _a, measuresTaken: _b, ...incomplete } = body;
    const response = await report(PROCESSOR_ORG, incomplete);
    expect(response.statusCode).toBe(400);
    expect(JSON.stringify(response.body.errors)).toContain('likelyConsequences');
    expect(JSON.stringify(response.body.errors)).toContain('measuresTaken');
    expect(tableWrites()).toEqual([]);
  });

  it('answers 409 when the agreement left the reportable states while the report was written', async () => {
    givenStored(inForce());
    const closed = inForce({ status: 'CLOSED' });
    const cancellation = conditionFailed(closed);
    cancellation.CancellationReasons = [{ Code: 'None' }, ...(cancellation.CancellationReasons ?? [])];
    ddb.on(TransactWriteItemsCommand).rejects(cancellation);
    const response = await report(PROCESSOR_ORG);
    expect(response.statusCode).toBe(409);
    expect(response.body.currentStatus).toBe('CLOSED');
  });
});
