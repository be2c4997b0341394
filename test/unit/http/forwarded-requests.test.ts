import { QueryCommand, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import type { StoredRequest } from '../../../functions/domain/forwarded-requests/rules.ts';
import type { RequestTask } from '../../../functions/domain/forwarded-requests/schemas.ts';
import { handler as addTask } from '../../../functions/http/forwarded-requests/add-task.ts';
import { handler as completeTask } from '../../../functions/http/forwarded-requests/complete-task.ts';
import { handler as extend } from '../../../functions/http/forwarded-requests/extend.ts';
import { handler as forward } from '../../../functions/http/forwarded-requests/forward.ts';
import { handler as getRequest } from '../../../functions/http/forwarded-requests/get.ts';
import { handler as listRequests } from '../../../functions/http/forwarded-requests/list.ts';
import { handler as recordOutcome } from '../../../functions/http/forwarded-requests/record-outcome.ts';
import { toForwardedRequestRecord } from '../../../functions/store/forwarded-requests-store.ts';
import { AGREEMENT_ID, CONTROLLER_ORG, OUTSIDER_ORG, PROCESSOR_ORG } from '../domain/agreement-fixture.ts';
import {
  batchGetKeys,
  ddb,
  givenItem,
  givenPartyCheckFails,
  givenStored,
  NOW,
  partyRead,
  tableWrites,
  transaction,
  useAwsMocks,
} from './aws-mocks.ts';
import { httpEvent, invoke } from './events.ts';
import { cancelledAt } from './sub-processor-mocks.ts';
import { inForceAgreement } from './termination-fixture.ts';

useAwsMocks();

/** NOW is 2026-11-22T10:00Z. */
const REQUEST_ID = '5e7a9c1b-3d5f-4b7a-9c1e-3f5a7b9d1c3e';
const PK = `AGREEMENT#${AGREEMENT_ID}`;
const processorActor = { orgNumber: PROCESSOR_ORG, clientId: 'test-client' };

const stored = (overrides: Partial<StoredRequest> = {}): StoredRequest => ({
  id: REQUEST_ID,
  from: 'DATA_SUBJECT',
  kind: 'ERASURE',
  receivedAt: '2026-11-20T08:00:00.000Z',
  receivedOn: '2026-11-20',
  asked: 'Sletting av alle opplysninger',
  forwardedAt: '2026-11-21T08:00:00.000Z',
  forwardedBy: processorActor,
  forwardedAfterDays: 1,
  answerDeadline: '2026-12-20',
  status: 'OPEN',
  ...overrides,
});
const requestItem = (request: StoredRequest) =>
  marshall(
    { pk: PK, sk: `FORWARDED#${REQUEST_ID}`, entity: 'forwarded-request', ...request },
    { removeUndefinedValues: true },
  );
const task = (overrides: Partial<RequestTask> = {}): RequestTask => ({
  number: 1,
  description: 'Slett i fagsystemet',
  dueOn: '2026-11-30',
  assignedAt: '2026-11-21T09:00:00.000Z',
  assignedBy: { orgNumber: CONTROLLER_ORG, clientId: 'test-client' },
  status: 'OPEN',
  ...overrides,
});
const taskItem = (value: RequestTask) =>
  marshall({ pk: PK, sk: `FORWARDED#${REQUEST_ID}#TASK#0001`, requestId: REQUEST_ID, ...value });

const post = (
  handler: Parameters<typeof invoke>[0],
  suffix: string,
  orgNumber: string,
  body: unknown,
  params: Record<string, string> = {},
) =>
  invoke(
    handler,
    httpEvent(
      `POST /agreements/{id}/requests${suffix.replace(REQUEST_ID, '{requestId}').replace(/\/tasks\/\d+/, '/tasks/{taskId}')}`,
      `/agreements/${AGREEMENT_ID}/requests${suffix}`,
      {
        orgNumber,
        pathParameters: { id: AGREEMENT_ID, ...params },
        body,
      },
    ),
  );

const itemsOf = (writes: ReturnType<typeof transaction>) =>
  writes.flatMap((write) => (write.Put ? [unmarshall(write.Put.Item!)] : []));
const deletedKeys = (writes: ReturnType<typeof transaction>) =>
  writes.flatMap((write) => (write.Delete ? [unmarshall(write.Delete.Key!)] : []));

describe('POST /agreements/{id}/requests', () => {
  const body = {
    from: 'DATA_SUBJECT',
    kind: 'ERASURE',
    receivedAt: '2026-11-20T09:00:00+01:00',
    asked: 'Sletting av alle opplysninger',
  };

  it('forwards: 201 with the deadline, and writes request, history, audit, notification, reminder and calendar in one transaction', async () => {
    givenStored(inForceAgreement());
    const response = await post(forward, '', PROCESSOR_ORG, body);

    expect(response.statusCode).toBe(201);
    expect(response.body).toMatchObject({
      from: 'DATA_SUBJECT',
      kind: 'ERASURE',
      receivedOn: '2026-11-20',
      answerDeadline: '2026-12-20',
      forwardedAt: NOW,
      forwardedAfterDays: 2,
      status: 'OPEN',
      tasks: [],
    });
    expect(response.headers.location).toBe(`/agreements/${AGREEMENT_ID}/requests/${response.body.id}`);
    expect(ddb.commandCalls(TransactWriteItemsCommand)).toHaveLength(1);
    const writes = transaction();
    expect(writes[0]!.Put!.ConditionExpression).toBe('attribute_not_exists(pk)');
    expect(writes[1]!.ConditionCheck!.ConditionExpression).toContain('#status IN');
    const items = itemsOf(writes);
    expect(items.find((item) => item.type === 'REQUEST_FORWARDED')).toBeDefined();
    expect(items.find((item) => item.action === 'request.forward')).toBeDefined();
    expect(
      items
        .filter((item) => String(item.pk).startsWith('NOTIFICATIONS#'))
        .map((item) => item.recipientOrgNumber),
    ).toEqual([CONTROLLER_ORG]);
    expect(items.find((item) => item.entity === 'reminder')).toMatchObject({
      kind: `request-deadline#${response.body.id}`,
      dueOn: '2026-12-13',
    });
    expect(items.filter((item) => item.entity === 'calendar-entry').map((item) => item.sk)).toEqual([
      `CALENDAR#${CONTROLLER_ORG}#request-${response.body.id}`,
      `CALENDAR#${PROCESSOR_ORG}#request-${response.body.id}`,
    ]);
  });

  it('refuses the controller (403), a draft agreement (409), an outsider (404), a bad body (400), writing nothing', async () => {
    givenStored(inForceAgreement());
    expect((await post(forward, '', CONTROLLER_ORG, body)).statusCode).toBe(403);
    expect((await post(forward, '', OUTSIDER_ORG, body)).statusCode).toBe(404);
    const bad = await post(forward, '', PROCESSOR_ORG, {
      ...body,
      kind: undefined,
      datatilsynetDeadline: '2026-12-01',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body.errors.map((error: { field: string }) => error.field)).toEqual([
      'kind',
      'datatilsynetDeadline',
    ]);
    givenStored(inForceAgreement({ status: 'DRAFT' }));
    const draft = await post(forward, '', PROCESSOR_ORG, body);
    expect(draft.statusCode).toBe(409);
    expect(tableWrites()).toEqual([]);
  });

  it('answers 409 with the state when the agreement left the allowed states before the write', async () => {
    givenStored(inForceAgreement());
    ddb.on(TransactWriteItemsCommand).rejects(cancelledAt(1, 8, inForceAgreement({ status: 'CLOSED' })));
    const response = await post(forward, '', PROCESSOR_ORG, body);
    expect(response.statusCode).toBe(409);
    expect(response.body.currentStatus).toBe('CLOSED');
  });
});

describe('POST .../requests/{requestId}/extension', () => {
  const extendAs = (orgNumber: string, body: unknown = { months: 2, reason: 'Omfattende sak' }) =>
    post(extend, `/${REQUEST_ID}/extension`, orgNumber, body, { requestId: REQUEST_ID });

  it('moves the deadline two months on from receipt, conditionally, and the reminder and calendar with it', async () => {
    givenStored(inForceAgreement());
    givenItem(requestItem(stored()));
    const response = await extendAs(CONTROLLER_ORG);

    expect(response.statusCode).toBe(200);
    expect(response.body).toMatchObject({
      answerDeadline: '2027-02-20',
      extension: { months: 2, previousDeadline: '2026-12-20', at: NOW },
    });
    expect(batchGetKeys()).toEqual([
      { pk: PK, sk: 'AGREEMENT' },
      { pk: PK, sk: `FORWARDED#${REQUEST_ID}` },
    ]);
    const writes = transaction();
    expect(writes[0]!.Update!.ConditionExpression).toBe(
      'attribute_exists(pk) AND #status = :open AND attribute_not_exists(extension)',
    );
    const items = itemsOf(writes);
    expect(items.find((item) => item.entity === 'reminder')).toMatchObject({ dueOn: '2027-02-13' });
    expect(items.find((item) => item.entity === 'calendar-entry')?.entry.deadlines).toEqual([
      { kind: 'request-answer', on: '2027-02-20' },
    ]);
    expect(
      items
        .filter((item) => String(item.pk).startsWith('NOTIFICATIONS#'))
        .map((item) => item.recipientOrgNumber),
    ).toEqual([PROCESSOR_ORG]);
  });

  it('refuses the processor (403), a second extension (409), a lost race (409)', async () => {
    givenStored(inForceAgreement());
    givenItem(requestItem(stored()));
    expect((await extendAs(PROCESSOR_ORG)).statusCode).toBe(403);
    givenItem(
      requestItem(
        stored({
          extension: { months: 1, reason: 'x', at: NOW, by: processorActor, previousDeadline: '2026-12-20' },
        }),
      ),
    );
    expect((await extendAs(CONTROLLER_ORG)).statusCode).toBe(409);
    expect(tableWrites()).toEqual([]);
    givenItem(requestItem(stored()));
    ddb.on(TransactWriteItemsCommand).rejects(cancelledAt(0, 7));
    const lost = await extendAs(CONTROLLER_ORG);
    expect(lost.statusCode).toBe(409);
    expect(lost.body.detail).toContain('meanwhile');
  });

  it('answers 404 for a request the agreement does not have', async () => {
    givenStored(inForceAgreement());
    expect((await extendAs(CONTROLLER_ORG)).statusCode).toBe(404);
  });
});

describe('POST .../requests/{requestId}/tasks and .../tasks/{taskId}/done', () => {
  it('numbers the task after the last with a conditional count, with its reminder the day after dueOn', async () => {
    givenStored(inForceAgreement());
    givenItem(requestItem(stored({ taskCount: 1 })));
    const response = await post(
      addTask,
      `/${REQUEST_ID}/tasks`,
      CONTROLLER_ORG,
      {
        description: 'Slett også i arkivet',
        dueOn: '2026-12-01',
      },
      { requestId: REQUEST_ID },
    );

    expect(response.statusCode).toBe(201);
    expect(response.body).toMatchObject({ number: 2, status: 'OPEN', dueOn: '2026-12-01' });
    const writes = transaction();
    expect(writes[0]!.Update).toMatchObject({
      UpdateExpression: 'SET taskCount = :number',
      ConditionExpression: 'attribute_exists(pk) AND #status = :open AND taskCount = :previous',
    });
    const items = itemsOf(writes);
    expect(items[0]).toMatchObject({ sk: `FORWARDED#${REQUEST_ID}#TASK#0002`, requestId: REQUEST_ID });
    expect(items.find((item) => item.entity === 'reminder')).toMatchObject({
      kind: `request-task#${REQUEST_ID}.2`,
      dueOn: '2026-12-02',
    });
  });

  it('marks a task done once, by the processor, ending its reminder and calendar entries', async () => {
    givenStored(inForceAgreement());
    givenItem(requestItem(stored({ taskCount: 1 })));
    givenItem(taskItem(task()));
    const done = (orgNumber: string, taskId = '1') =>
      post(
        completeTask,
        `/${REQUEST_ID}/tasks/${taskId}/done`,
        orgNumber,
        { note: 'Slettet' },
        {
          requestId: REQUEST_ID,
          taskId,
        },
      );
    expect((await done(CONTROLLER_ORG)).statusCode).toBe(403);
    expect((await done(PROCESSOR_ORG, '2')).statusCode).toBe(404);
    expect((await done(PROCESSOR_ORG, '01')).statusCode).toBe(404);
    const response = await done(PROCESSOR_ORG);

    expect(response.statusCode).toBe(200);
    expect(response.body).toMatchObject({
      number: 1,
      status: 'DONE',
      note: 'Slettet',
      doneAt: NOW,
      doneLate: false,
    });
    const writes = transaction();
    expect(writes[0]!.Update!.ConditionExpression).toBe('attribute_exists(pk) AND #status = :open');
    expect(deletedKeys(writes)).toEqual([
      { pk: PK, sk: `REMINDER#request-task#${REQUEST_ID}.1` },
      { pk: PK, sk: `CALENDAR#${CONTROLLER_ORG}#request-task-${REQUEST_ID}.1` },
      { pk: PK, sk: `CALENDAR#${PROCESSOR_ORG}#request-task-${REQUEST_ID}.1` },
    ]);
    givenItem(taskItem(response.body as RequestTask));
    expect((await done(PROCESSOR_ORG)).statusCode).toBe(409);
  });
});

describe('POST .../requests/{requestId}/outcome', () => {
  const outcome = { outcome: 'ANSWERED', answeredOn: '2026-11-22', summary: 'Opplysningene er slettet' };

  it('closes the request once, ending its reminder and calendar entries; the processor is told', async () => {
    givenStored(inForceAgreement());
    givenItem(requestItem(stored()));
    const response = await post(recordOutcome, `/${REQUEST_ID}/outcome`, CONTROLLER_ORG, outcome, {
      requestId: REQUEST_ID,
    });

    expect(response.statusCode).toBe(200);
    expect(response.body).toMatchObject({
      status: 'CLOSED',
      outcome: { ...outcome, late: false, recordedAt: NOW },
    });
    const writes = transaction();
    expect(writes[0]!.Update).toMatchObject({
      UpdateExpression: 'SET #status = :closed, outcome = :outcome',
      ConditionExpression: 'attribute_exists(pk) AND #status = :open',
    });
    expect(deletedKeys(writes)).toEqual([
      { pk: PK, sk: `REMINDER#request-deadline#${REQUEST_ID}` },
      { pk: PK, sk: `CALENDAR#${CONTROLLER_ORG}#request-${REQUEST_ID}` },
      { pk: PK, sk: `CALENDAR#${PROCESSOR_ORG}#request-${REQUEST_ID}` },
    ]);
    expect(itemsOf(writes).find((item) => item.type === 'REQUEST_CLOSED')).toBeDefined();
  });

  it('refuses a second outcome (409) and an answer in the future (400)', async () => {
    givenStored(inForceAgreement());
    givenItem(requestItem(stored()));
    const future = await post(
      recordOutcome,
      `/${REQUEST_ID}/outcome`,
      CONTROLLER_ORG,
      {
        ...outcome,
        answeredOn: '2026-11-23',
      },
      { requestId: REQUEST_ID },
    );
    expect(future.statusCode).toBe(400);
    givenItem(requestItem(stored({ status: 'CLOSED' })));
    const again = await post(recordOutcome, `/${REQUEST_ID}/outcome`, CONTROLLER_ORG, outcome, {
      requestId: REQUEST_ID,
    });
    expect(again.statusCode).toBe(409);
    expect(tableWrites()).toEqual([]);
  });
});

describe('GET /agreements/{id}/requests[/{requestId}]', () => {
  const read = (routeKey: string, path: string, orgNumber: string, params: Record<string, string> = {}) =>
    invoke(
      routeKey.endsWith('{requestId}') ? getRequest : listRequests,
      httpEvent(routeKey, path, { orgNumber, pathParameters: { id: AGREEMENT_ID, ...params } }),
    );

  it('lists each request with its tasks in order, in one Query, and logs the read', async () => {
    const second = marshall({
      pk: PK,
      sk: `FORWARDED#${REQUEST_ID}#TASK#0002`,
      requestId: REQUEST_ID,
      ...task({ number: 2 }),
    });
    ddb.on(QueryCommand).resolves({ Items: [requestItem(stored()), second, taskItem(task())] });
    const response = await read(
      'GET /agreements/{id}/requests',
      `/agreements/${AGREEMENT_ID}/requests`,
      CONTROLLER_ORG,
    );

    expect(response.statusCode).toBe(200);
    expect(response.body.items).toHaveLength(1);
    expect(response.body.items[0].tasks.map((t: RequestTask) => t.number)).toEqual([1, 2]);
    expect(response.body.items[0].tasks[0]).not.toHaveProperty('requestId');
    const query = ddb.commandCalls(QueryCommand)[0]!.args[0].input;
    expect(unmarshall(query.ExpressionAttributeValues!)).toEqual({ ':pk': PK, ':prefix': 'FORWARDED#' });
    expect(partyRead().audit).toMatchObject({ action: 'requests.read' });
  });

  it('reads one by its id prefix and logs it; 404 for none, and for an outsider', async () => {
    ddb.on(QueryCommand).resolves({ Items: [requestItem(stored())] });
    const path = `/agreements/${AGREEMENT_ID}/requests/${REQUEST_ID}`;
    const response = await read('GET /agreements/{id}/requests/{requestId}', path, PROCESSOR_ORG, {
      requestId: REQUEST_ID,
    });
    expect(response.statusCode).toBe(200);
    expect(response.body).toEqual(toForwardedRequestRecord(requestItem(stored())));
    expect(partyRead().audit).toMatchObject({ action: 'request.read', details: { requestId: REQUEST_ID } });
    givenPartyCheckFails();
    const outsider = await read('GET /agreements/{id}/requests/{requestId}', path, OUTSIDER_ORG, {
      requestId: REQUEST_ID,
    });
    expect(outsider.statusCode).toBe(404);
  });
});
