import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiClient,
  agreementRequest,
  CONTROLLER_ORG,
  OUTSIDER_ORG,
  PROCESSOR_ORG,
  signature,
} from '../support/api-client.ts';
import { LocalStackProcess } from '../support/local-stack-process.ts';

/**
 * Rule 16 as the parties meet it over HTTP on the local stack: the processor forwards a data subject's
 * requests and one from Datatilsynet; the controller's deadlines are computed, one is extended, the
 * processor's assistance is asked for and given, the outcomes recorded; the virtual clock crosses the
 * deadlines and the daily run reminds. Invented content; the organisation numbers are public bodies'.
 */

interface Task {
  number: number;
  status: string;
  dueOn: string;
  doneLate?: boolean;
}
interface ForwardedRequest {
  id: string;
  from: string;
  kind?: string;
  receivedOn: string;
  answerDeadline: string;
  forwardedAfterDays: number;
  status: string;
  extension?: { months: number; previousDeadline: string };
  outcome?: { outcome: string; late: boolean };
  tasks: Task[];
}
interface Notification {
  type: string;
  agreementId: string;
  subject: string;
  details?: Record<string, unknown>;
}

describe('forwarded requests on the local stack', () => {
  let stack: LocalStackProcess;
  let controller: ApiClient;
  let processor: ApiClient;
  let outsider: ApiClient;
  let id: string;
  /** Received on 31 January: answered by the end of February. */
  let access: ForwardedRequest;
  /** Received on 31 January, extended by two months. */
  let erasure: ForwardedRequest;
  let datatilsynet: ForwardedRequest;

  const setClock = async (instant: string) =>
    expect((await controller.post('/local/clock', { set: instant })).status).toBe(200);
  const notifications = async (client: ApiClient, type: string, requestId?: string) =>
    (await client.get<{ items: Notification[] }>('/notifications?limit=100')).body.items.filter(
      (n) => n.agreementId === id && n.type === type && (!requestId || n.details?.requestId === requestId),
    );
  const read = async (request: ForwardedRequest) =>
    (await controller.get<ForwardedRequest>(`/agreements/${id}/requests/${request.id}`)).body;

  beforeAll(async () => {
    stack = await LocalStackProcess.create();
    await stack.start();
    controller = await ApiClient.forOrganisation(stack.url, CONTROLLER_ORG);
    processor = await ApiClient.forOrganisation(stack.url, PROCESSOR_ORG);
    outsider = await ApiClient.forOrganisation(stack.url, OUTSIDER_ORG);
    const created = await controller.post('/agreements', agreementRequest());
    id = created.body.id as string;
    const hash = created.body.contentHash as string;
    await controller.post(`/agreements/${id}/submit`);
    await processor.post(`/agreements/${id}/signatures`, signature('Per Testesen', 'Oslo', hash));
    const signed = await controller.post(
      `/agreements/${id}/signatures`,
      signature('Kari Testesen', 'Radøy', hash),
    );
    expect(signed.body.status).toBe('IN_FORCE');
    // The last day of January, late morning in Oslo (CET).
    await setClock('2027-01-31T11:00:00+01:00');
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it("forwards a data subject's request received on 31 January: answer by 28 February (Art. 12(3))", async () => {
    const forwarded = await processor.post<ForwardedRequest>(`/agreements/${id}/requests`, {
      from: 'DATA_SUBJECT',
      kind: 'ACCESS',
      receivedAt: '2027-01-31T09:15:00+01:00',
      asked: 'Innbygger ber om innsyn i alle registreringer i aktivitetsplanen',
      reference: 'KS-2027-0042',
    });

    expect(forwarded.status).toBe(201);
    access = forwarded.body;
    expect(access).toMatchObject({
      from: 'DATA_SUBJECT',
      kind: 'ACCESS',
      receivedOn: '2027-01-31',
      answerDeadline: '2027-02-28',
      forwardedAfterDays: 0,
      status: 'OPEN',
      tasks: [],
    });
    const location = forwarded.headers.get('location')!;
    expect(location).toBe(`/agreements/${id}/requests/${access.id}`);
    expect((await controller.get(location)).body).toEqual(access);
    const told = await notifications(controller, 'request.forwarded', access.id);
    expect(told).toHaveLength(1);
    expect(told[0]!.details).toMatchObject({ answerDeadline: '2027-02-28', kind: 'ACCESS' });
    // What was asked is read with the API, never carried in a notification.
    expect(JSON.stringify(told)).not.toContain('aktivitetsplanen');
  });

  it('refuses the controller forwarding (403), an outsider (404), and a national identity number (400)', async () => {
    const body = {
      from: 'DATA_SUBJECT',
      kind: 'ERASURE',
      receivedAt: '2027-01-31T09:00:00+01:00',
      asked: 'Sletting',
    };
    expect((await controller.post(`/agreements/${id}/requests`, body)).status).toBe(403);
    expect((await outsider.post(`/agreements/${id}/requests`, body)).status).toBe(404);
    const named = await processor.post(`/agreements/${id}/requests`, {
      ...body,
      asked: 'Gjelder 130972 48022',
    });
    expect(named.status).toBe(400);
    expect(JSON.stringify(named.body)).toContain('asked');
    expect((await outsider.get(`/agreements/${id}/requests/${access.id}`)).status).toBe(404);
  });

  it("extends an erasure request by two months from receipt (30 April), once; Datatilsynet's deadline is as given", async () => {
    erasure = (
      await processor.post<ForwardedRequest>(`/agreements/${id}/requests`, {
        from: 'DATA_SUBJECT',
        kind: 'ERASURE',
        receivedAt: '2027-01-30T14:00:00+01:00',
        asked: 'Sletting av alle opplysninger i tre fagsystemer',
      })
    ).body;
    expect(erasure).toMatchObject({ answerDeadline: '2027-02-28', forwardedAfterDays: 1 });
    const extension = { months: 2, reason: 'Opplysningene ligger i tre fagsystemer og må gjennomgås' };
    expect(
      (await processor.post(`/agreements/${id}/requests/${erasure.id}/extension`, extension)).status,
    ).toBe(403);
    const extended = await controller.post<ForwardedRequest>(
      `/agreements/${id}/requests/${erasure.id}/extension`,
      extension,
    );
    expect(extended.status).toBe(200);
    expect(extended.body).toMatchObject({
      answerDeadline: '2027-04-30',
      extension: { months: 2, previousDeadline: '2027-02-28' },
    });
    expect(
      (await controller.post(`/agreements/${id}/requests/${erasure.id}/extension`, extension)).status,
    ).toBe(409);
    expect(await notifications(processor, 'request.extended', erasure.id)).toHaveLength(1);

    const letter = await processor.post<ForwardedRequest>(`/agreements/${id}/requests`, {
      from: 'DATATILSYNET',
      receivedAt: '2027-01-31T08:00:00+01:00',
      asked: 'Redegjørelse for tilgangsstyringen i aktivitetsplanen',
      reference: '27/00311',
      datatilsynetDeadline: '2027-02-14',
    });
    expect(letter.status).toBe(201);
    datatilsynet = letter.body;
    expect(datatilsynet).toMatchObject({ from: 'DATATILSYNET', answerDeadline: '2027-02-14' });
    expect(datatilsynet.kind).toBeUndefined();
    const notExtended = await controller.post(
      `/agreements/${id}/requests/${datatilsynet.id}/extension`,
      extension,
    );
    expect(notExtended.status).toBe(409);
  });

  it('asks the processor for assistance; the daily run reminds once its day has passed, until it is done', async () => {
    const asked = await controller.post<Task>(`/agreements/${id}/requests/${access.id}/tasks`, {
      description: 'Hent ut alle registreringer om innbyggeren fra aktivitetsplanen',
      dueOn: '2027-02-07',
    });
    expect(asked.status).toBe(201);
    expect(asked.body).toMatchObject({ number: 1, status: 'OPEN', dueOn: '2027-02-07' });
    expect(await notifications(processor, 'request.task-assigned', access.id)).toHaveLength(1);

    // 8 February, after the daily run: the task's day has passed.
    await setClock('2027-02-08T12:00:00+01:00');
    const reminded = await notifications(processor, 'reminder.request-task', access.id);
    expect(reminded).toHaveLength(1);
    expect(reminded[0]!.details).toMatchObject({ task: 1, dueOn: '2027-02-07' });
    // Datatilsynet's deadline (14 February) came within 7 days on the 7th: the controller was reminded.
    const before = await notifications(controller, 'reminder.request-deadline', datatilsynet.id);
    expect(before.map((n) => n.details?.daysLeft)).toEqual([7]);

    const done = await processor.post<Task>(`/agreements/${id}/requests/${access.id}/tasks/1/done`, {
      note: 'Uttrekket er lagt i sikker sone 8. februar',
    });
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ status: 'DONE', doneLate: true });
    expect(await notifications(controller, 'request.task-done', access.id)).toHaveLength(1);
    await setClock('2027-02-16T12:00:00+01:00');
    // Done: no second weekly task reminder on the 15th.
    expect(await notifications(processor, 'reminder.request-task', access.id)).toHaveLength(1);
    expect((await read(access)).tasks).toEqual([expect.objectContaining({ number: 1, status: 'DONE' })]);
  });

  it("reminds the controller of Datatilsynet's passed deadline, and records its late answer", async () => {
    const reminders = await notifications(controller, 'reminder.request-deadline', datatilsynet.id);
    expect(reminders.map((n) => n.details?.overdue)).toEqual([false, false, true]);
    const answered = await controller.post<ForwardedRequest>(
      `/agreements/${id}/requests/${datatilsynet.id}/outcome`,
      {
        outcome: 'ANSWERED',
        answeredOn: '2027-02-16',
        summary: 'Redegjørelse sendt Datatilsynet i brev',
      },
    );
    expect(answered.status).toBe(200);
    expect(answered.body).toMatchObject({ status: 'CLOSED', outcome: { outcome: 'ANSWERED', late: true } });
    expect(await notifications(processor, 'request.closed', datatilsynet.id)).toHaveLength(1);
  });

  it('answers the data subject by the end of February: on time, its later reminders dropped', async () => {
    await setClock('2027-02-28T20:00:00+01:00');
    // Reminded on the 21st (7 days before) and the 27th (1 day before).
    const reminders = await notifications(controller, 'reminder.request-deadline', access.id);
    expect(reminders.map((n) => n.details?.daysLeft)).toEqual([7, 1]);
    const answered = await controller.post<ForwardedRequest>(
      `/agreements/${id}/requests/${access.id}/outcome`,
      {
        outcome: 'PARTLY_ANSWERED',
        answeredOn: '2027-02-28',
        summary: 'Innsyn gitt; opplysninger om andre er unntatt',
      },
    );
    expect(answered.body).toMatchObject({ status: 'CLOSED', outcome: { late: false } });
    const again = await controller.post(`/agreements/${id}/requests/${access.id}/outcome`, {
      outcome: 'ANSWERED',
      answeredOn: '2027-02-28',
      summary: 'Igjen',
    });
    expect(again.status).toBe(409);
    await setClock('2027-03-10T12:00:00+01:00');
    expect(await notifications(controller, 'reminder.request-deadline', access.id)).toHaveLength(2);
    // The extended erasure request is not overdue on 1 March: nothing reminded it yet.
    expect(await notifications(controller, 'reminder.request-deadline', erasure.id)).toEqual([]);
    expect(
      (
        await controller.post(`/agreements/${id}/requests/${access.id}/tasks`, {
          description: 'Mer',
          dueOn: '2027-03-20',
        })
      ).status,
    ).toBe(409);
  });

  it('reminds of the extended deadline before it and weekly after it, and keeps it all in history and audit log', async () => {
    await setClock('2027-05-09T12:00:00+02:00');
    const reminders = await notifications(controller, 'reminder.request-deadline', erasure.id);
    expect(reminders.map((n) => [n.details?.overdue, n.details?.answerDeadline])).toEqual([
      [false, '2027-04-30'],
      [false, '2027-04-30'],
      [true, '2027-04-30'],
      [true, '2027-04-30'],
    ]);
    const list = await processor.get<{ items: ForwardedRequest[] }>(`/agreements/${id}/requests`);
    expect(list.body.items.map((request) => [request.id, request.status])).toEqual([
      [access.id, 'CLOSED'],
      [erasure.id, 'OPEN'],
      [datatilsynet.id, 'CLOSED'],
    ]);
    const history = await controller.get<{ items: { type: string }[] }>(
      `/agreements/${id}/history?limit=100`,
    );
    const types = history.body.items.map((entry) => entry.type).filter((type) => type.startsWith('REQUEST_'));
    expect(types).toEqual([
      'REQUEST_FORWARDED',
      'REQUEST_FORWARDED',
      'REQUEST_EXTENDED',
      'REQUEST_FORWARDED',
      'REQUEST_TASK_ASSIGNED',
      'REQUEST_TASK_DONE',
      'REQUEST_CLOSED',
      'REQUEST_CLOSED',
    ]);
    const audit = await controller.get<{ items: { action: string }[] }>(
      `/agreements/${id}/audit-log?limit=100`,
    );
    const actions = audit.body.items.map((entry) => entry.action);
    expect(actions).toEqual(
      expect.arrayContaining(['request.forward', 'request.read', 'requests.read', 'request.outcome']),
    );
  });
});
