import {
  TransactionCanceledException,
  type TransactWriteItem,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import type { Instruction } from '../../../functions/domain/instructions/schemas.ts';
import { handler as acknowledge } from '../../../functions/http/instructions/acknowledge.ts';
import { handler as confirm } from '../../../functions/http/instructions/confirm.ts';
import { handler as get } from '../../../functions/http/instructions/get.ts';
import { handler as give } from '../../../functions/http/instructions/give.ts';
import { handler as list } from '../../../functions/http/instructions/list.ts';
import { handler as object } from '../../../functions/http/instructions/object.ts';
import { handler as withdraw } from '../../../functions/http/instructions/withdraw.ts';
import { AGREEMENT_ID, CONTROLLER_ORG, OUTSIDER_ORG, PROCESSOR_ORG } from '../domain/agreement-fixture.ts';
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
import { inForceAgreement } from './termination-fixture.ts';

useAwsMocks();

const INSTRUCTION_ID = '5b7d9f1a-3c5e-4a7b-9d1f-2c4e6a8b0d1f';
const pk = `AGREEMENT#${AGREEMENT_ID}`;
const body = {
  topic: 'THIRD_COUNTRY_TRANSFER',
  title: 'Ingen overføring til tredjeland',
  text: 'Personopplysningene skal ikke overføres til land utenfor EØS.',
  effectiveFrom: '2027-01-01',
};

const stored = (overrides: Partial<Instruction> = {}): Instruction => ({
  id: INSTRUCTION_ID,
  number: 1,
  topic: 'THIRD_COUNTRY_TRANSFER',
  title: body.title,
  text: body.text,
  effectiveFrom: '2027-01-01',
  status: 'AWAITING_ACKNOWLEDGEMENT',
  givenAt: '2026-11-20T09:00:00.000Z',
  givenBy: { orgNumber: CONTROLLER_ORG, clientId: 'kommune-klient' },
  ...overrides,
});
const instructionItem = (instruction: Instruction) =>
  marshall(
    { pk, sk: `INSTRUCTION#${instruction.id}`, entity: 'instruction', ...instruction },
    {
      removeUndefinedValues: true,
    },
  );
const objected = () =>
  stored({
    status: 'OBJECTED',
    objection: {
      at: '2026-11-21T09:00:00.000Z',
      by: { orgNumber: PROCESSOR_ORG, clientId: 'x' },
      reason: 'Ulovlig',
    },
  });

const post = (
  handler: typeof give,
  path: string,
  orgNumber: string,
  requestBody: unknown,
  instructionId = INSTRUCTION_ID,
) =>
  invoke(
    handler,
    httpEvent(
      `POST /agreements/{id}/instructions${path ? `/{instructionId}${path}` : ''}`,
      `/agreements/${AGREEMENT_ID}/instructions${path ? `/${instructionId}${path}` : ''}`,
      {
        orgNumber,
        pathParameters: { id: AGREEMENT_ID, ...(path ? { instructionId } : {}) },
        body: requestBody,
      },
    ),
  );

const putsUnder = (items: TransactWriteItem[], prefix: string) =>
  items
    .filter((item) => item.Put && String(unmarshall(item.Put.Item!).sk).startsWith(prefix))
    .map((item) => unmarshall(item.Put!.Item!));
const notified = (items: TransactWriteItem[]) =>
  items
    .filter((item) => item.Put && String(unmarshall(item.Put.Item!).pk).startsWith('NOTIFICATIONS#'))
    .map((item) => [unmarshall(item.Put!.Item!).type, unmarshall(item.Put!.Item!).recipientOrgNumber]);
const reminders = (items: TransactWriteItem[]) => ({
  put: items
    .filter((item) => item.Put && unmarshall(item.Put.Item!).entity === 'reminder')
    .map((item) => [unmarshall(item.Put!.Item!).kind, unmarshall(item.Put!.Item!).dueOn]),
  deleted: items.filter((item) => item.Delete).map((item) => unmarshall(item.Delete!.Key!).sk),
});

function cancelled(index: number, length: number, item?: Record<string, unknown>) {
  return new TransactionCanceledException({
    message: 'Transaction cancelled',
    $metadata: {},
    CancellationReasons: Array.from({ length }, (_, position) =>
      position === index
        ? { Code: 'ConditionalCheckFailed', ...(item ? { Item: marshall(item) } : {}) }
        : { Code: 'None' },
    ),
  });
}

describe('POST /agreements/{id}/instructions', () => {
  it('gives the first instruction: 201 with Location, numbered 1, the processor told and reminded in a week', async () => {
    givenStored(inForceAgreement());
    const response = await post(give, '', CONTROLLER_ORG, body);

    expect(response.statusCode).toBe(201);
    expect(response.body).toMatchObject({
      number: 1,
      ...body,
      status: 'AWAITING_ACKNOWLEDGEMENT',
      givenAt: NOW,
    });
    expect(response.headers.location).toBe(`/agreements/${AGREEMENT_ID}/instructions/${response.body.id}`);
    expect(batchGetKeys()).toEqual([
      { pk, sk: 'AGREEMENT' },
      { pk, sk: 'INSTRUCTION#COUNT' },
    ]);
    const items = transaction();
    expect(items[0]!.Update).toMatchObject({
      Key: marshall({ pk, sk: 'INSTRUCTION#COUNT' }),
      ConditionExpression: 'attribute_not_exists(pk)',
    });
    expect(items[1]!.Put!.ConditionExpression).toBe('attribute_not_exists(pk)');
    expect(unmarshall(items[1]!.Put!.Item!)).toMatchObject({
      sk: `INSTRUCTION#${response.body.id}`,
      number: 1,
    });
    expect(items[2]!.ConditionCheck!.ConditionExpression).toMatch(/^#status IN/);
    expect(putsUnder(items, 'HISTORY#')).toEqual([expect.objectContaining({ type: 'INSTRUCTION_GIVEN' })]);
    expect(putsUnder(items, 'AUDIT#')).toEqual([expect.objectContaining({ action: 'instruction.give' })]);
    expect(notified(items)).toEqual([['instruction.given', PROCESSOR_ORG]]);
    expect(reminders(items).put).toEqual([[`instruction-acknowledgement#${response.body.id}`, '2026-11-29']]);
    expect(putsUnder(items, 'CALENDAR#').map((entry) => [entry.sk, entry.entry.deadlines])).toEqual(
      [CONTROLLER_ORG, PROCESSOR_ORG].map((org) => [
        `CALENDAR#${org}#instruction-${response.body.id}`,
        [{ kind: 'instruction-answer', on: '2027-01-01' }],
      ]),
    );
  });

  it('numbers the next after the count read, moved only from that number', async () => {
    givenStored(inForceAgreement());
    givenItem(marshall({ pk, sk: 'INSTRUCTION#COUNT', entity: 'instruction-count', count: 2 }));
    const response = await post(give, '', CONTROLLER_ORG, body);

    expect(response.body.number).toBe(3);
    const count = transaction()[0]!.Update!;
    expect(count.ConditionExpression).toBe('#count = :previous');
    expect(unmarshall(count.ExpressionAttributeValues!)).toMatchObject({ ':number': 3, ':previous': 2 });
  });

  it('answers 409 to one that lost the number to another given at the same moment', async () => {
    givenStored(inForceAgreement());
    ddb.on(TransactWriteItemsCommand).rejects(cancelled(0, 8));
    const response = await post(give, '', CONTROLLER_ORG, body);

    expect(response.statusCode).toBe(409);
    expect(response.body.detail).toContain('Another instruction was given meanwhile');
  });

  it('refuses the processor (403), an outsider (404), a past date and an identity number (400), writing nothing', async () => {
    givenStored(inForceAgreement());
    expect((await post(give, '', PROCESSOR_ORG, body)).statusCode).toBe(403);
    expect((await post(give, '', OUTSIDER_ORG, body)).statusCode).toBe(404);
    const past = await post(give, '', CONTROLLER_ORG, { ...body, effectiveFrom: '2026-11-21' });
    expect(past.statusCode).toBe(400);
    expect(past.body.errors).toEqual([expect.objectContaining({ field: 'effectiveFrom' })]);
    const number = await post(give, '', CONTROLLER_ORG, { ...body, text: 'Gjelder 13097248022' });
    expect(number.body.errors).toEqual([expect.objectContaining({ field: 'text' })]);
    expect(tableWrites()).toEqual([]);
  });

  it('answers 409 with the agreement’s status under an agreement never in force', async () => {
    givenStored(inForceAgreement({ status: 'AWAITING_SIGNATURES' }));
    const response = await post(give, '', CONTROLLER_ORG, body);
    expect(response.statusCode).toBe(409);
    expect(response.body.currentStatus).toBe('AWAITING_SIGNATURES');
    expect(tableWrites()).toEqual([]);
  });
});

describe('the steps of an instruction', () => {
  it('acknowledged: written only while still awaiting, its reminder removed, the controller told', async () => {
    givenStored(inForceAgreement());
    givenItem(instructionItem(stored()));
    const response = await post(acknowledge, '/acknowledgement', PROCESSOR_ORG, {});

    expect(response.statusCode).toBe(200);
    expect(response.body).toMatchObject({ status: 'ACKNOWLEDGED', inEffectFrom: '2027-01-01' });
    expect(batchGetKeys()).toEqual([
      { pk, sk: 'AGREEMENT' },
      { pk, sk: `INSTRUCTION#${INSTRUCTION_ID}` },
    ]);
    const items = transaction();
    expect(items[0]!.Put).toMatchObject({
      ConditionExpression: 'attribute_exists(pk) AND #status = :before',
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
    expect(unmarshall(items[0]!.Put!.ExpressionAttributeValues!)).toEqual({
      ':before': 'AWAITING_ACKNOWLEDGEMENT',
    });
    expect(notified(items)).toEqual([['instruction.acknowledged', CONTROLLER_ORG]]);
    expect(reminders(items)).toEqual({
      put: [],
      deleted: [`REMINDER#instruction-acknowledgement#${INSTRUCTION_ID}`],
    });
    expect(putsUnder(items, 'HISTORY#')).toEqual([
      expect.objectContaining({ type: 'INSTRUCTION_ACKNOWLEDGED' }),
    ]);
    // Bound from its date: the feeds show that day instead of the day to answer by.
    expect(putsUnder(items, 'CALENDAR#').map((entry) => entry.entry.deadlines)).toEqual([
      [{ kind: 'instruction-effective', on: '2027-01-01' }],
      [{ kind: 'instruction-effective', on: '2027-01-01' }],
    ]);
  });

  it('objected to: held, the controller told and reminded in a week instead of the processor', async () => {
    givenStored(inForceAgreement());
    givenItem(instructionItem(stored()));
    const response = await post(object, '/objection', PROCESSOR_ORG, {
      reason: 'Overføring til USA uten grunnlag',
      legalReference: 'GDPR art. 44',
    });

    expect(response.statusCode).toBe(200);
    expect(response.body).toMatchObject({
      status: 'OBJECTED',
      objection: { legalReference: 'GDPR art. 44' },
    });
    const items = transaction();
    expect(notified(items)).toEqual([['instruction.objected', CONTROLLER_ORG]]);
    expect(reminders(items)).toEqual({
      put: [[`instruction-objection#${INSTRUCTION_ID}`, '2026-11-29']],
      deleted: [
        `REMINDER#instruction-acknowledgement#${INSTRUCTION_ID}`,
        // Held: the day it was to apply from leaves both calendars.
        `CALENDAR#${CONTROLLER_ORG}#instruction-${INSTRUCTION_ID}`,
        `CALENDAR#${PROCESSOR_ORG}#instruction-${INSTRUCTION_ID}`,
      ],
    });
  });

  it('confirmed with reasons after the objection, or withdrawn: the processor told, the controller’s reminder removed', async () => {
    givenStored(inForceAgreement());
    givenItem(instructionItem(objected()));
    const confirmed = await post(confirm, '/confirmation', CONTROLLER_ORG, { reasons: 'Adekvansbeslutning' });
    expect(confirmed.body).toMatchObject({ status: 'CONFIRMED', inEffectFrom: '2027-01-01' });
    expect(notified(transaction(0))).toEqual([['instruction.confirmed', PROCESSOR_ORG]]);
    expect(reminders(transaction(0)).deleted).toEqual([`REMINDER#instruction-objection#${INSTRUCTION_ID}`]);

    const withdrawn = await post(withdraw, '/withdrawal', CONTROLLER_ORG, {});
    expect(withdrawn.body.status).toBe('WITHDRAWN');
    expect(notified(transaction(1))).toEqual([['instruction.withdrawn', PROCESSOR_ORG]]);
  });

  it('answers 409 with the instruction’s status from a wrong state, and after losing a race', async () => {
    givenStored(inForceAgreement());
    givenItem(instructionItem(stored()));
    const early = await post(confirm, '/confirmation', CONTROLLER_ORG, { reasons: 'x' });
    expect(early.statusCode).toBe(409);
    expect(early.body.currentStatus).toBe('AWAITING_ACKNOWLEDGEMENT');
    expect(tableWrites()).toEqual([]);

    ddb.on(TransactWriteItemsCommand).rejects(cancelled(0, 6, { status: 'WITHDRAWN' }));
    const lost = await post(acknowledge, '/acknowledgement', PROCESSOR_ORG, {});
    expect(lost.statusCode).toBe(409);
    expect(lost.body.currentStatus).toBe('WITHDRAWN');
    expect(lost.body.detail).toContain('meanwhile');
  });

  it('refuses the wrong party (403), an outsider and an unknown id (404), writing nothing', async () => {
    givenStored(inForceAgreement());
    givenItem(instructionItem(stored()));
    expect((await post(acknowledge, '/acknowledgement', CONTROLLER_ORG, {})).statusCode).toBe(403);
    expect((await post(withdraw, '/withdrawal', PROCESSOR_ORG, {})).statusCode).toBe(403);
    expect((await post(acknowledge, '/acknowledgement', OUTSIDER_ORG, {})).statusCode).toBe(404);
    const unknown = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
    expect((await post(acknowledge, '/acknowledgement', PROCESSOR_ORG, {}, unknown)).statusCode).toBe(404);
    expect((await post(acknowledge, '/acknowledgement', PROCESSOR_ORG, {}, 'not-a-uuid')).statusCode).toBe(
      404,
    );
    expect((await post(object, '/objection', PROCESSOR_ORG, { reason: '' })).statusCode).toBe(400);
    expect(tableWrites()).toEqual([]);
  });
});

describe('reading instructions', () => {
  const read = (path: string, orgNumber: string, query?: Record<string, string>, instructionId?: string) =>
    invoke(
      instructionId ? get : list,
      httpEvent(
        `GET /agreements/{id}/instructions${instructionId ? '/{instructionId}' : ''}`,
        `/agreements/${AGREEMENT_ID}/instructions${path}`,
        {
          orgNumber,
          pathParameters: { id: AGREEMENT_ID, ...(instructionId ? { instructionId } : {}) },
          ...(query ? { query } : {}),
        },
      ),
    );

  it('lists them in the order given, by status if asked, without the count item; the read audited', async () => {
    givenStored(inForceAgreement());
    const second = stored({ id: '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d', number: 2 });
    givenItem(instructionItem(second));
    givenItem(instructionItem(objected()));
    givenItem(marshall({ pk, sk: 'INSTRUCTION#COUNT', entity: 'instruction-count', count: 2 }));

    const all = await read('', PROCESSOR_ORG);
    expect(all.statusCode).toBe(200);
    expect(all.body.items.map((i: Instruction) => [i.number, i.status])).toEqual([
      [1, 'OBJECTED'],
      [2, 'AWAITING_ACKNOWLEDGEMENT'],
    ]);
    expect(putsUnder(transaction(0), 'AUDIT#')).toEqual([
      expect.objectContaining({ action: 'instructions.read' }),
    ]);
    const held = await read('?status=OBJECTED', CONTROLLER_ORG, { status: 'OBJECTED' });
    expect(held.body.items.map((i: Instruction) => i.number)).toEqual([1]);
    expect((await read('?status=NONE', CONTROLLER_ORG, { status: 'NONE' })).statusCode).toBe(400);
    expect(
      (await read('?inEffectOn=2027-02-30', CONTROLLER_ORG, { inEffectOn: '2027-02-30' })).statusCode,
    ).toBe(400);
  });

  it('reads one by its id (audited); 404 for an unknown one', async () => {
    givenStored(inForceAgreement());
    givenItem(instructionItem(stored()));
    const one = await read(`/${INSTRUCTION_ID}`, CONTROLLER_ORG, undefined, INSTRUCTION_ID);
    expect(one.statusCode).toBe(200);
    expect(one.body).toEqual(stored());
    expect(putsUnder(transaction(0), 'AUDIT#')).toEqual([
      expect.objectContaining({ action: 'instruction.read', details: { instructionId: INSTRUCTION_ID } }),
    ]);
    const unknown = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
    expect((await read(`/${unknown}`, CONTROLLER_ORG, undefined, unknown)).statusCode).toBe(404);
  });
});
