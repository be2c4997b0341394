import { TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import { contentHashOf } from '../../../functions/domain/content-hash.ts';
import { handler } from '../../../functions/http/patch-agreement.ts';
import {
  AGREEMENT_ID,
  awaitingAgreement,
  draftAgreement,
  OUTSIDER_ORG,
  PROCESSOR_ORG,
} from '../domain/agreement-fixture.ts';
import {
  agreementUpdate,
  conditionFailed,
  ddb,
  decodeUpdate,
  givenStored,
  NOW,
  putsWithSortKey,
  tableWrites,
  transaction,
  useAwsMocks,
} from './aws-mocks.ts';
import { httpEvent, invoke } from './events.ts';

useAwsMocks();

const patch = (body: unknown, headers: Record<string, string>, orgNumber = PROCESSOR_ORG) =>
  invoke(
    handler,
    httpEvent('PATCH /agreements/{id}', `/agreements/${AGREEMENT_ID}`, {
      orgNumber,
      pathParameters: { id: AGREEMENT_ID },
      body,
      headers,
    }),
  );

describe('PATCH /agreements/{id}', () => {
  it('requires If-Match (428) and writes nothing', async () => {
    givenStored(draftAgreement({ version: 2 }));
    const response = await patch({ title: 'Ny tittel' }, {});
    expect(response.statusCode).toBe(428);
    expect(response.headers['content-type']).toBe('application/problem+json');
    expect(tableWrites()).toEqual([]);
  });

  it('refuses a stale ETag (412) and writes nothing', async () => {
    givenStored(draftAgreement({ version: 2 }));
    const response = await patch({ title: 'Ny tittel' }, { 'if-match': '"1"' });
    expect(response.statusCode).toBe(412);
    expect(response.body.detail).toContain('"2"');
    expect(tableWrites()).toEqual([]);
  });

  it('refuses to edit an agreement that is no longer a DRAFT (409 with its state)', async () => {
    givenStored(awaitingAgreement({ version: 2 }));
    const response = await patch({ title: 'Ny tittel' }, { 'if-match': '"2"' });
    expect(response.statusCode).toBe(409);
    expect(response.body.currentStatus).toBe('AWAITING_SIGNATURES');
    expect(tableWrites()).toEqual([]);
  });

  it('edits a draft with the current ETag: 200 and the next ETag', async () => {
    givenStored(draftAgreement({ version: 2 }));
    const response = await patch({ title: 'Ny tittel', noticePeriodMonths: 6 }, { 'If-Match': '"2"' });
    expect(response.statusCode).toBe(200);
    expect(response.headers.etag).toBe('"3"');
    expect(response.body).toMatchObject({
      title: 'Ny tittel',
      noticePeriodMonths: 6,
      version: 3,
      updatedAt: NOW,
    });
  });

  it('moves the content hash with the content, and keeps it when only a contact person changes', async () => {
    const draft = draftAgreement({ version: 2 });
    givenStored(draft);
    const edited = await patch({ title: 'Ny tittel' }, { 'If-Match': '"2"' });
    expect(edited.body.contentHash).toBe(contentHashOf({ ...draft, title: 'Ny tittel' }));
    expect(edited.body.contentHash).not.toBe(draft.contentHash);
    expect(decodeUpdate(agreementUpdate(transaction(), AGREEMENT_ID)).set).toMatchObject({
      contentHash: edited.body.contentHash,
    });

    ddb.reset();
    givenStored(draft);
    const contacts = {
      controller: draft.contacts.controller,
      processor: { name: 'Ny Kontakt', email: 'ny@example.no', phone: '+4797777777' },
    };
    const recontacted = await patch({ contacts }, { 'If-Match': '"2"' });
    expect(recontacted.statusCode).toBe(200);
    expect(recontacted.body.contentHash).toBe(draft.contentHash);
  });

  it('writes the edit conditionally on the status and version it read, with history and audit', async () => {
    givenStored(draftAgreement({ version: 2 }));
    await patch({ title: 'Ny tittel' }, { 'if-match': '"2"' });

    const items = transaction();
    const update = agreementUpdate(items, AGREEMENT_ID);
    expect(update.ConditionExpression).toBe('#status = :expectedStatus AND #version = :expectedVersion');
    expect(update.ExpressionAttributeNames).toMatchObject({ '#status': 'status', '#version': 'version' });
    expect(unmarshall(update.ExpressionAttributeValues!)).toMatchObject({
      ':expectedStatus': 'DRAFT',
      ':expectedVersion': 2,
    });
    expect(update.ReturnValuesOnConditionCheckFailure).toBe('ALL_OLD');
    expect(decodeUpdate(update).set).toMatchObject({ title: 'Ny tittel', version: 3, status: 'DRAFT' });
    expect(putsWithSortKey(items, 'HISTORY#')).toEqual([
      expect.objectContaining({ type: 'DRAFT_UPDATED', details: { fields: ['title'] } }),
    ]);
    expect(putsWithSortKey(items, 'AUDIT#')).toEqual([
      expect.objectContaining({ action: 'agreement.update', route: 'PATCH /agreements/{id}' }),
    ]);
  });

  it('answers 412 when another request changed the agreement between read and write', async () => {
    givenStored(draftAgreement({ version: 2 }));
    ddb.on(TransactWriteItemsCommand).rejects(conditionFailed(draftAgreement({ version: 3 })));
    const response = await patch({ title: 'Ny tittel' }, { 'if-match': '"2"' });
    expect(response.statusCode).toBe(412);
  });

  it('refuses (400) a change of the parties as an unknown field', async () => {
    givenStored(draftAgreement());
    const response = await patch(
      { processor: { orgNumber: OUTSIDER_ORG, name: 'Annen' } },
      { 'if-match': '"1"' },
    );
    expect(response.statusCode).toBe(400);
    expect(response.body.errors).toContainEqual({ field: 'processor', message: 'unknown field' });
    expect(tableWrites()).toEqual([]);
  });

  it('answers a non-party 404 even with a matching ETag, and writes nothing', async () => {
    givenStored(draftAgreement());
    const response = await patch({ title: 'Ny tittel' }, { 'if-match': '"1"' }, OUTSIDER_ORG);
    expect(response.statusCode).toBe(404);
    expect(tableWrites()).toEqual([]);
  });
});
