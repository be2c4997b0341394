import { TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import type { Agreement, AgreementStatus } from '../../../functions/domain/schemas.ts';
import { handler } from '../../../functions/http/put-contact.ts';
import {
  AGREEMENT_ID,
  awaitingAgreement,
  CONTROLLER_ORG,
  draftAgreement,
  OUTSIDER_ORG,
  PROCESSOR_ORG,
} from '../domain/agreement-fixture.ts';
import { inForce } from '../domain/termination-fixture.ts';
import {
  agreementUpdate,
  conditionFailed,
  ddb,
  decodeUpdate,
  givenStored,
  NOW,
  putsWithPartitionKey,
  putsWithSortKey,
  tableWrites,
  transaction,
  useAwsMocks,
} from './aws-mocks.ts';
import { httpEvent, invoke } from './events.ts';

useAwsMocks();

const newContact = { name: 'Åse Ny-Kontakt', email: 'ase@example.no', phone: '+47 977 77 777' };

const put = (
  party: string,
  body: unknown,
  headers: Record<string, string> = { 'if-match': '"4"' },
  orgNumber = PROCESSOR_ORG,
) =>
  invoke(
    handler,
    httpEvent('PUT /agreements/{id}/contacts/{party}', `/agreements/${AGREEMENT_ID}/contacts/${party}`, {
      orgNumber,
      pathParameters: { id: AGREEMENT_ID, party },
      body,
      headers,
    }),
  );

describe('PUT /agreements/{id}/contacts/{party} (rule 13, 003 §16)', () => {
  it('replaces the caller’s own contact person: 200, the next ETag, the content hash unchanged', async () => {
    const agreement = inForce();
    givenStored(agreement);
    const response = await put('processor', newContact);
    expect(response.statusCode).toBe(200);
    expect(response.headers.etag).toBe('"5"');
    expect(response.body).toMatchObject({
      contacts: { controller: agreement.contacts.controller, processor: newContact },
      contentHash: agreement.contentHash,
      version: 5,
      updatedAt: NOW,
      status: 'IN_FORCE',
    });
  });

  it('writes conditionally on the status and version it read, with old and new in the history', async () => {
    const agreement = inForce();
    givenStored(agreement);
    await put('processor', newContact);
    const items = transaction();
    const update = agreementUpdate(items, AGREEMENT_ID);
    expect(update.ConditionExpression).toBe('#status = :expectedStatus AND #version = :expectedVersion');
    expect(unmarshall(update.ExpressionAttributeValues!)).toMatchObject({
      ':expectedStatus': 'IN_FORCE',
      ':expectedVersion': 4,
    });
    expect(decodeUpdate(update).set).toMatchObject({
      contacts: { controller: agreement.contacts.controller, processor: newContact },
      version: 5,
    });
    expect(decodeUpdate(update).set).not.toHaveProperty('contentHash');
    expect(putsWithSortKey(items, 'HISTORY#')).toEqual([
      expect.objectContaining({
        type: 'CONTACT_CHANGED',
        actor: expect.objectContaining({ orgNumber: PROCESSOR_ORG }),
        details: { party: 'processor', from: agreement.contacts.processor, to: newContact },
      }),
    ]);
    expect(putsWithSortKey(items, 'AUDIT#')).toEqual([
      expect.objectContaining({
        action: 'agreement.contact.update',
        route: 'PUT /agreements/{id}/contacts/{party}',
      }),
    ]);
  });

  it('tells the other party only (contact.changed), with the new contact', async () => {
    givenStored(inForce());
    await put('processor', newContact);
    const notifications = putsWithPartitionKey(transaction(), 'NOTIFICATIONS#');
    expect(notifications).toEqual([
      expect.objectContaining({
        type: 'contact.changed',
        recipientOrgNumber: CONTROLLER_ORG,
        agreementId: AGREEMENT_ID,
        details: { party: 'processor', contact: newContact },
      }),
    ]);
  });

  it('lets the controller replace its own contact too', async () => {
    givenStored(inForce());
    const response = await put('controller', newContact, { 'if-match': '"4"' }, CONTROLLER_ORG);
    expect(response.statusCode).toBe(200);
    expect(response.body.contacts.controller).toEqual(newContact);
    expect(putsWithPartitionKey(transaction(), 'NOTIFICATIONS#')).toEqual([
      expect.objectContaining({ recipientOrgNumber: PROCESSOR_ORG }),
    ]);
  });

  it('refuses the other party’s contact (403) and writes nothing', async () => {
    givenStored(inForce());
    const response = await put('controller', newContact);
    expect(response.statusCode).toBe(403);
    expect(response.body.detail).toContain('Only the controller');
    expect(tableWrites()).toEqual([]);
  });

  it('answers a non-party 404 and writes nothing', async () => {
    givenStored(inForce());
    const response = await put('processor', newContact, { 'if-match': '"4"' }, OUTSIDER_ORG);
    expect(response.statusCode).toBe(404);
    expect(tableWrites()).toEqual([]);
  });

  it('answers 404 for a party that is neither controller nor processor, and writes nothing', async () => {
    givenStored(inForce());
    const response = await put('supplier', newContact);
    expect(response.statusCode).toBe(404);
    expect(response.body.detail).toContain('/contacts/controller and /contacts/processor');
    expect(tableWrites()).toEqual([]);
  });

  it('names the field of an invalid contact (400) and writes nothing', async () => {
    givenStored(inForce());
    const response = await put('processor', { ...newContact, email: 'not-an-address', extra: 1 });
    expect(response.statusCode).toBe(400);
    expect(response.body.errors.map((error: { field: string }) => error.field).sort()).toEqual([
      'email',
      'extra',
    ]);
    expect(tableWrites()).toEqual([]);
  });

  it('requires If-Match (428) and refuses a stale one (412), writing nothing', async () => {
    givenStored(inForce());
    expect((await put('processor', newContact, {})).statusCode).toBe(428);
    const stale = await put('processor', newContact, { 'if-match': '"3"' });
    expect(stale.statusCode).toBe(412);
    expect(stale.body.detail).toContain('"4"');
    expect(tableWrites()).toEqual([]);
  });

  it('answers 412 when another request changed the agreement between read and write', async () => {
    givenStored(inForce());
    ddb.on(TransactWriteItemsCommand).rejects(conditionFailed(inForce({ version: 5 })));
    expect((await put('processor', newContact)).statusCode).toBe(412);
  });

  it('changes nothing and tells no one when the contact is the one already named', async () => {
    const agreement = inForce();
    givenStored(agreement);
    const response = await put('processor', agreement.contacts.processor);
    expect(response.statusCode).toBe(200);
    expect(response.headers.etag).toBe('"4"');
    expect(tableWrites()).toEqual([]);
  });

  const allowed: [AgreementStatus, Agreement][] = [
    ['AWAITING_SIGNATURES', awaitingAgreement({ version: 4 })],
    ['IN_FORCE', inForce()],
    ['NOTICE_PERIOD', inForce({ status: 'NOTICE_PERIOD' })],
    ['TERMINATED', inForce({ status: 'TERMINATED' })],
    ['RETAINED_UNDER_LAW', inForce({ status: 'RETAINED_UNDER_LAW' })],
  ];
  it.each(allowed)('is allowed while %s', async (_status, agreement) => {
    givenStored(agreement);
    expect((await put('processor', newContact)).statusCode).toBe(200);
  });

  it.each([
    'DRAFT',
    'CANCELLED',
    'EXPIRED',
    'CLOSED',
  ] as const)('is refused (409 with the state) while %s, writing nothing', async (status) => {
    givenStored(draftAgreement({ status, version: 4 }));
    const response = await put('processor', newContact);
    expect(response.statusCode).toBe(409);
    expect(response.body.currentStatus).toBe(status);
    expect(tableWrites()).toEqual([]);
  });
});
