import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiClient,
  agreementRequest,
  breachReport,
  CONTROLLER_ORG,
  OUTSIDER_ORG,
  PROCESSOR_ORG,
  signature,
} from '../support/api-client.ts';
import { type ParsedCalendar, type ParsedEvent, parseCalendar } from '../support/ical.ts';
import { LocalStackProcess } from '../support/local-stack-process.ts';

/**
 * Rule 15, the calendar feed, as a municipality's integration developer meets it: the local stack
 * started with `npm start`'s command, agreements put in various states over HTTP, a feed created, its
 * address fetched with no token as a calendar client does, and the iCalendar read back with ical.js
 * (Mozilla's parser, not ours) and checked against the agreements' own dates as the API returns them.
 */

interface Agreement {
  id: string;
  title: string;
  status: string;
  contentHash: string;
  signatureDeadline?: string;
  terminatesOn?: string;
}
interface CreatedFeed {
  id: string;
  name?: string;
  createdAt: string;
  path: string;
  url: string;
}

/** `date` plus `days`, computed here independently of functions/domain. */
const plusDays = (date: string, days: number) =>
  new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
/** iCalendar times are whole seconds: a deadline shows at the second it falls in, never later. */
const toTheSecond = (instant: string) => `${instant.slice(0, 19)}.000Z`;
/** The Oslo calendar date at an instant. */
const osloDate = (instant: Date) =>
  new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Oslo' }).format(instant);

const subProcessorRequest = (name: string) => ({
  name,
  orgNumber: '953264382',
  address: 'Storgata 1, 0155 Oslo',
  processingLocation: { city: 'Oslo', countryCode: 'NO' },
  activities: 'Drift og sikkerhetskopi av fagsystemet',
  personalDataTypes: ['Navn'],
});

describe('the calendar feed on the local stack', () => {
  let stack: LocalStackProcess;
  let controller: ApiClient;
  let processor: ApiClient;
  let outsider: ApiClient;
  let anonymous: ApiClient;
  const agreements: Record<string, Agreement> = {};
  let pendingSub: { id: string; decisionDeadline: string };
  let decidedSub: { id: string };
  let amendment: { id: string; number: number; signatureDeadline: string };
  let breach: { id: string; notificationDeadline: string; supervisoryAuthorityDeadline: string };
  let reviewOn: string;
  let feed: CreatedFeed;
  let calendar: ParsedCalendar;

  const expectStatus = async <T>(promise: Promise<{ status: number; body: T }>, status: number) => {
    const response = await promise;
    expect(response.status, JSON.stringify(response.body)).toBe(status);
    return response.body;
  };

  async function create(title: string, overrides: Record<string, unknown> = {}): Promise<Agreement> {
    return expectStatus(
      controller.post<Agreement>('/agreements', agreementRequest({ title, ...overrides })),
      201,
    );
  }
  async function submit(id: string): Promise<Agreement> {
    return expectStatus(controller.post<Agreement>(`/agreements/${id}/submit`), 200);
  }
  async function putInForce(title: string, overrides: Record<string, unknown> = {}): Promise<Agreement> {
    const { id } = await create(title, overrides);
    const { contentHash } = await submit(id);
    await expectStatus(
      processor.post(`/agreements/${id}/signatures`, signature('Per Testesen', 'Oslo', contentHash)),
      201,
    );
    return expectStatus(
      controller.post<Agreement>(
        `/agreements/${id}/signatures`,
        signature('Kari Testesen', 'Radøy', contentHash),
      ),
      201,
    );
  }
  const today = async () =>
    osloDate(new Date((await controller.get<{ now: string }>('/local/clock')).body.now));

  /** The feed as a calendar client fetches it: the address alone, no bearer token. */
  async function fetchFeed(url: string) {
    const response = await fetch(url);
    return {
      status: response.status,
      type: response.headers.get('content-type'),
      text: await response.text(),
    };
  }
  const eventsOf = (agreementId: string) =>
    calendar.events.filter((event) => event.uid.startsWith(`${agreementId}.`));
  const byKind = (events: ParsedEvent[], kind: string) =>
    events.filter((event) => event.uid.includes(`.${kind}.`));

  beforeAll(async () => {
    stack = await LocalStackProcess.create();
    await stack.start();
    controller = await ApiClient.forOrganisation(stack.url, CONTROLLER_ORG);
    processor = await ApiClient.forOrganisation(stack.url, PROCESSOR_ORG);
    outsider = await ApiClient.forOrganisation(stack.url, OUTSIDER_ORG);
    anonymous = new ApiClient(stack.url);

    // Data retained under law (rule 6): one month's notice, the time passed, disposition chosen, and an
    // attestation that keeps data until a review date. First, as it moves the stack's clock.
    const retained = await putInForce('Avtale med lagring etter lov', { noticePeriodMonths: 1 });
    const noticed = await expectStatus(
      processor.post<Agreement>(`/agreements/${retained.id}/termination-notice`, {
        reason: 'Tjenesten avvikles',
      }),
      200,
    );
    await expectStatus(
      controller.post('/local/clock', { set: `${plusDays(noticed.terminatesOn!, 2)}T11:00:00Z` }),
      200,
    );
    await expectStatus(
      controller.post(`/agreements/${retained.id}/data-disposition`, { method: 'DELETE' }),
      200,
    );
    reviewOn = plusDays(await today(), 365);
    agreements.retained = await expectStatus(
      processor.post<Agreement>(`/agreements/${retained.id}/data-disposition/attestation`, {
        method: 'DELETE',
        completedOn: await today(),
        statement: 'Alt er slettet unntatt regnskapsbilag',
        signatory: { name: 'Per Testesen', title: 'Personvernombud' },
        retainedUnderLaw: { legalBasis: 'Bokføringsloven § 13', reviewOn },
      }),
      201,
    );
    expect(agreements.retained.status).toBe('RETAINED_UNDER_LAW');

    // Awaiting signatures: the signature deadline.
    const awaiting = await create('Avtale som venter på signatur');
    agreements.awaiting = await submit(awaiting.id);

    // Under notice, with a pending sub-processor request, a decided one, an open amendment and a breach.
    const busy = await putInForce('Avtale med mange frister');
    pendingSub = await expectStatus(
      processor.post<{ id: string; decisionDeadline: string }>(
        `/agreements/${busy.id}/sub-processors`,
        subProcessorRequest('Ventende Drift AS'),
      ),
      202,
    );
    decidedSub = await expectStatus(
      processor.post<{ id: string }>(
        `/agreements/${busy.id}/sub-processors`,
        subProcessorRequest('Avgjort Drift AS'),
      ),
      202,
    );
    await expectStatus(
      controller.post(`/agreements/${busy.id}/sub-processors/${decidedSub.id}/decision`, {
        decision: 'REJECTED',
        reason: 'Ikke nødvendig',
        signatory: { name: 'Kari Testesen', title: 'Rådmann' },
      }),
      200,
    );
    const now = new Date((await controller.get<{ now: string }>('/local/clock')).body.now);
    breach = await expectStatus(
      processor.post<typeof breach>(
        `/agreements/${busy.id}/breaches`,
        breachReport(new Date(now.getTime() - 3_600_000).toISOString()),
      ),
      201,
    );
    agreements.busy = await expectStatus(
      controller.post<Agreement>(`/agreements/${busy.id}/termination-notice`, {
        reason: 'Fagsystemet erstattes',
      }),
      200,
    );
    amendment = await expectStatus(
      controller.post<typeof amendment>(`/agreements/${busy.id}/amendments`, {
        changes: { breachNotificationHours: 24 },
        reason: 'Kortere varslingsfrist',
      }),
      201,
    );

    // In force with nothing due, and cancelled: no deadlines.
    agreements.quiet = await putInForce('Avtale uten frister');
    const cancelled = await create('Avtale som trekkes');
    await submit(cancelled.id);
    agreements.cancelled = await expectStatus(
      controller.post<Agreement>(`/agreements/${cancelled.id}/cancel`, { reason: 'Feil motpart' }),
      200,
    );

    feed = await expectStatus(
      controller.post<CreatedFeed>('/calendar-feeds', { name: 'Personvernombudet' }),
      201,
    );
    const fetched = await fetchFeed(feed.url);
    expect(fetched.status).toBe(200);
    expect(fetched.type).toBe('text/calendar; charset=utf-8');
    calendar = parseCalendar(fetched.text);
  }, 240_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it('gives the organisation a secret address on this stack, the token 256 bits of base64url', () => {
    expect(feed.url).toBe(`${stack.url}${feed.path}`);
    expect(feed.path).toMatch(/^\/calendar\/[A-Za-z0-9_-]{43}\.ics$/);
  });

  it('lists the signature deadline of the agreement awaiting signatures, as an all-day event', () => {
    const events = eventsOf(agreements.awaiting!.id);

    expect(events.map((event) => [event.summary, event.date])).toEqual([
      [`Signaturfrist: ${agreements.awaiting!.title}`, agreements.awaiting!.signatureDeadline],
    ]);
    expect(events[0]!.description).toContain(`(id ${agreements.awaiting!.id})`);
    expect(events[0]!.description).toContain(`POST /agreements/${agreements.awaiting!.id}/signatures`);
  });

  it('lists terminatesOn and the 30- and 7-day marks before it', () => {
    const events = eventsOf(agreements.busy!.id);
    const terminatesOn = agreements.busy!.terminatesOn!;

    expect(byKind(events, 'termination')[0]?.date).toBe(terminatesOn);
    expect(byKind(events, 'termination-30-days')[0]?.date).toBe(plusDays(terminatesOn, -30));
    expect(byKind(events, 'termination-7-days')[0]?.date).toBe(plusDays(terminatesOn, -7));
    expect(byKind(events, 'termination')[0]?.summary).toBe(`Avtalen opphører: ${agreements.busy!.title}`);
  });

  it('lists the pending sub-processor decision, not the decided one', () => {
    const decisions = byKind(eventsOf(agreements.busy!.id), 'sub-processor-decision');

    expect(decisions.map((event) => [event.date, event.uid])).toEqual([
      [pendingSub.decisionDeadline, expect.stringContaining(pendingSub.id)],
    ]);
    expect(decisions[0]!.summary).toContain('Ventende Drift AS');
    expect(decisions[0]!.description).toContain(
      `POST /agreements/${agreements.busy!.id}/sub-processors/${pendingSub.id}/decision`,
    );
    expect(calendar.events.some((event) => event.uid.includes(decidedSub.id))).toBe(false);
  });

  it("lists the amendment's signature deadline", () => {
    const [event] = byKind(eventsOf(agreements.busy!.id), 'amendment-signature');

    expect(event?.date).toBe(amendment.signatureDeadline);
    expect(event?.summary).toBe(`Signaturfrist for endring ${amendment.number}: ${agreements.busy!.title}`);
  });

  it("lists the breach's deadlines at their instants, in Europe/Oslo", () => {
    const events = eventsOf(agreements.busy!.id);
    const notification = byKind(events, 'breach-notification')[0];
    const authority = byKind(events, 'breach-supervisory-authority')[0];

    expect(notification).toMatchObject({
      tzid: 'Europe/Oslo',
      instant: toTheSecond(breach.notificationDeadline),
    });
    expect(authority).toMatchObject({
      tzid: 'Europe/Oslo',
      instant: toTheSecond(breach.supervisoryAuthorityDeadline),
    });
    expect(authority?.summary).toBe(`Frist for melding til Datatilsynet: ${agreements.busy!.title}`);
    expect(calendar.timezones).toEqual(['Europe/Oslo']);
  });

  it('lists the retention review date of data kept under law', () => {
    const events = eventsOf(agreements.retained!.id);

    expect(events.map((event) => [event.summary, event.date])).toEqual([
      [`Gjennomgang av lagring etter lov: ${agreements.retained!.title}`, reviewOn],
    ]);
    expect(events[0]!.description).toContain('Bokføringsloven § 13');
  });

  it('lists nothing for an agreement in force with nothing due, or cancelled', () => {
    expect(eventsOf(agreements.quiet!.id)).toEqual([]);
    expect(eventsOf(agreements.cancelled!.id)).toEqual([]);
  });

  it('gives the same UIDs on every fetch, and to the other party, so clients update rather than duplicate', async () => {
    const again = parseCalendar((await fetchFeed(feed.url)).text);
    const processorFeed = await expectStatus(processor.post<CreatedFeed>('/calendar-feeds', {}), 201);
    const theirs = parseCalendar((await fetchFeed(processorFeed.url)).text);

    const uids = calendar.events.map((event) => event.uid).sort();
    expect(new Set(uids).size).toBe(uids.length);
    expect(again.events.map((event) => event.uid).sort()).toEqual(uids);
    expect(theirs.events.map((event) => event.uid).sort()).toEqual(uids);
  });

  it('drops a deadline once it is met: the sub-processor decided', async () => {
    await expectStatus(
      controller.post(`/agreements/${agreements.busy!.id}/sub-processors/${pendingSub.id}/decision`, {
        decision: 'APPROVED',
        reason: 'Godkjent',
        signatory: { name: 'Kari Testesen', title: 'Rådmann' },
      }),
      200,
    );

    const after = parseCalendar((await fetchFeed(feed.url)).text);

    expect(after.events.some((event) => event.uid.includes(pendingSub.id))).toBe(false);
    expect(after.events.length).toBe(calendar.events.length - 1);
  });

  it("shows another organisation none of the parties' deadlines", async () => {
    const theirs = await expectStatus(outsider.post<CreatedFeed>('/calendar-feeds', {}), 201);

    const events = parseCalendar((await fetchFeed(theirs.url)).text).events;

    expect(events).toEqual([]);
  });

  it("lists the organisation's feeds without their secret", async () => {
    const listed = await expectStatus(
      controller.get<{ items: Record<string, unknown>[] }>('/calendar-feeds'),
      200,
    );

    expect(listed.items.map((item) => item.id)).toEqual([feed.id]);
    expect(listed.items[0]).toMatchObject({
      name: 'Personvernombudet',
      createdBy: { orgNumber: CONTROLLER_ORG },
    });
    expect(JSON.stringify(listed)).not.toContain(feed.path.slice('/calendar/'.length, -'.ics'.length));
  });

  it('answers a retry with the same Idempotency-Key with the same feed, but never the secret again', async () => {
    const headers = { 'idempotency-key': 'kalender-1' };
    const first = await processor.request<CreatedFeed>('POST', '/calendar-feeds', { name: 'Drift' }, headers);
    const retry = await processor.request<Partial<CreatedFeed>>(
      'POST',
      '/calendar-feeds',
      { name: 'Drift' },
      headers,
    );

    expect(first.status).toBe(201);
    expect(retry.status).toBe(201);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.headers.get('location')).toBe(`/calendar-feeds/${first.body.id}`);
    expect(retry.body.url).toBeUndefined();
    const listed = await processor.get<{ items: { id: string }[] }>('/calendar-feeds');
    expect(listed.body.items.filter((item) => item.id === first.body.id)).toHaveLength(1);
  });

  it('refuses bad input with 400 problem+json naming the field', async () => {
    const response = await controller.post<{ errors: { field: string }[] }>('/calendar-feeds', {
      colour: 'red',
    });

    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(response.body.errors.map((error) => error.field)).toEqual(['colour']);
  });

  it('answers an address that is no feed with 404 problem+json', async () => {
    const response = await anonymous.get<{ detail: string }>(`/calendar/${'A'.repeat(43)}.ics`);

    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
  });

  it('lets no other organisation revoke the feed: 404, and the feed still answers', async () => {
    const response = await outsider.request('DELETE', `/calendar-feeds/${feed.id}`);

    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect((await fetchFeed(feed.url)).status).toBe(200);
  });

  it('revokes the feed for its organisation: 204, then its address answers 404', async () => {
    const response = await controller.request('DELETE', `/calendar-feeds/${feed.id}`);
    const fetched = await fetchFeed(feed.url);

    expect(response.status).toBe(204);
    expect(fetched.status).toBe(404);
    expect(fetched.type).toBe('application/problem+json');
    expect((await controller.get<{ items: unknown[] }>('/calendar-feeds')).body.items).toEqual([]);
    expect((await controller.request('DELETE', `/calendar-feeds/${feed.id}`)).status).toBe(404);
  });
});
