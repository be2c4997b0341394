import { afterEach, describe, expect, it } from 'vitest';
import type { Amendment } from '../../../functions/domain/amendments/schemas.ts';
import { newBreachReport } from '../../../functions/domain/breaches.ts';
import {
  agreementEntry,
  amendmentEntry,
  breachEntry,
  type CalendarEntry,
  subProcessorEntry,
  uidOf,
  upcomingDeadlines,
} from '../../../functions/domain/calendar-feed/deadlines.ts';
import { renderCalendar } from '../../../functions/domain/calendar-feed/ical.ts';
import {
  feedTokenHash,
  newFeedToken,
  tokenOfFeedFile,
} from '../../../functions/domain/calendar-feed/tokens.ts';
import { parseCalendar } from '../../support/ical.ts';
import { AGREEMENT_ID, awaitingAgreement } from './agreement-fixture.ts';
import { breachBody } from './breach-fixture.ts';
import { approvedRecord, inForceAgreement, pendingRecord, SUB_ID } from './sub-processor-fixture.ts';

const AMENDMENT_ID = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';
const BREACH_ID = '5b6c7d8e-9f0a-4b1c-8d2e-3f4a5b6c7d8e';

const underNotice = (terminatesOn: string) =>
  inForceAgreement({
    status: 'NOTICE_PERIOD',
    termination: { givenBy: 'processor', givenOn: '2026-11-30', reason: 'Fagsystemet erstattes' },
    terminatesOn,
  });

function amendment(overrides: Partial<Amendment> = {}): Amendment {
  return {
    id: AMENDMENT_ID,
    agreementId: AGREEMENT_ID,
    number: 2,
    status: 'AWAITING_SIGNATURES',
    signatureDeadline: '2027-01-05',
    ...overrides,
  } as Amendment;
}

const breach = (becameAwareAt: string) =>
  newBreachReport({
    agreement: inForceAgreement({ breachNotificationHours: 24 }),
    request: breachBody({ becameAwareAt }),
    actor: { orgNumber: '889640782', clientId: 'test-client' },
    id: BREACH_ID,
    now: new Date(becameAwareAt),
  });

describe('which deadlines a party’s feed lists', () => {
  it('an agreement awaiting signatures: its signature deadline, as a date', () => {
    const entry = agreementEntry(awaitingAgreement({ signatureDeadline: '2026-12-22' }));

    expect(entry?.deadlines).toEqual([{ kind: 'signature', on: '2026-12-22' }]);
  });

  it('an agreement in force, cancelled or closed: none', () => {
    expect(agreementEntry(inForceAgreement())).toBeUndefined();
    expect(agreementEntry(inForceAgreement({ status: 'CANCELLED' }))).toBeUndefined();
    expect(agreementEntry(inForceAgreement({ status: 'CLOSED' }))).toBeUndefined();
  });

  it('under notice: the 30- and 7-day marks and terminatesOn (2026-11-30 + 3 months = 2027-02-28)', () => {
    const entry = agreementEntry(underNotice('2027-02-28'));

    expect(entry?.deadlines).toEqual([
      { kind: 'termination-30-days', on: '2027-01-29' },
      { kind: 'termination-7-days', on: '2027-02-21' },
      { kind: 'termination', on: '2027-02-28' },
    ]);
  });

  it('data retained under law: the review date, with the legal basis', () => {
    const agreement = inForceAgreement({
      status: 'RETAINED_UNDER_LAW',
      attestation: {
        method: 'DELETE',
        completedOn: '2027-03-01',
        statement: 'Slettet unntatt regnskapsbilag',
        signatory: { name: 'Per Hansen', title: 'Personvernombud' },
        retainedUnderLaw: { legalBasis: 'Bokføringsloven § 13', reviewOn: '2028-03-01' },
        attestedAt: '2027-03-01T10:00:00.000Z',
        attestedBy: { orgNumber: '889640782', clientId: 'test-client' },
      },
    });

    const entry = agreementEntry(agreement);

    expect(entry?.subject).toEqual({ type: 'retention', legalBasis: 'Bokføringsloven § 13' });
    expect(entry?.deadlines).toEqual([{ kind: 'retention-review', on: '2028-03-01' }]);
  });

  it('a sub-processor request awaiting the decision: the last day to decide; decided: none', () => {
    const agreement = inForceAgreement();

    expect(subProcessorEntry(agreement, pendingRecord())).toMatchObject({
      subject: { type: 'sub-processor', id: SUB_ID, name: 'Driftshuset AS' },
      deadlines: [{ kind: 'sub-processor-decision', on: '2026-12-20' }],
    });
    expect(subProcessorEntry(agreement, approvedRecord())).toBeUndefined();
  });

  it('an amendment awaiting signatures: its deadline; signed or withdrawn: none', () => {
    const agreement = inForceAgreement();

    expect(amendmentEntry(agreement, amendment())?.deadlines).toEqual([
      { kind: 'amendment-signature', on: '2027-01-05' },
    ]);
    expect(amendmentEntry(agreement, amendment({ status: 'SIGNED' }))).toBeUndefined();
    expect(amendmentEntry(agreement, amendment({ status: 'WITHDRAWN' }))).toBeUndefined();
  });

  it('a breach: the agreed hours and the 72 hours towards Datatilsynet, as instants', () => {
    const record = breach('2026-11-20T09:30:00+01:00');

    const entry = breachEntry(inForceAgreement({ breachNotificationHours: 24 }), record);

    expect(entry.deadlines).toEqual([
      { kind: 'breach-notification', at: '2026-11-21T08:30:00.000Z' },
      { kind: 'breach-supervisory-authority', at: '2026-11-23T08:30:00.000Z' },
    ]);
  });
});

describe('upcoming deadlines', () => {
  const entry = agreementEntry(underNotice('2027-02-28'))!;

  it('keeps a date deadline until its day has ended in Oslo, then drops it', () => {
    // 22:30 UTC on 28 February is 23:30 in Oslo (CET): still the day.
    expect(upcomingDeadlines([entry], new Date('2027-02-28T22:30:00Z')).map((d) => d.deadline.kind)).toEqual([
      'termination',
    ]);
    // 23:30 UTC is 00:30 on 1 March in Oslo.
    expect(upcomingDeadlines([entry], new Date('2027-02-28T23:30:00Z'))).toEqual([]);
  });

  it('drops marks already past and orders the rest nearest first, across subjects', () => {
    const subProcessor = subProcessorEntry(
      inForceAgreement(),
      pendingRecord({ decisionDeadline: '2027-02-10' }),
    )!;

    const upcoming = upcomingDeadlines([entry, subProcessor], new Date('2027-02-01T12:00:00Z'));

    expect(upcoming.map(({ deadline }) => deadline)).toEqual([
      { kind: 'sub-processor-decision', on: '2027-02-10' },
      { kind: 'termination-7-days', on: '2027-02-21' },
      { kind: 'termination', on: '2027-02-28' },
    ]);
  });

  it('drops a timed deadline once its instant has passed', () => {
    const record = breach('2026-11-20T09:30:00+01:00');
    const breachDeadlines = breachEntry(inForceAgreement({ breachNotificationHours: 24 }), record);

    const upcoming = upcomingDeadlines([breachDeadlines], new Date('2026-11-21T08:30:00.001Z'));

    expect(upcoming.map(({ deadline }) => deadline.kind)).toEqual(['breach-supervisory-authority']);
  });
});

describe('stable UIDs', () => {
  it('are the same for the same deadline whatever else changed (title, date), so clients update', () => {
    const before = agreementEntry(underNotice('2027-02-28'))!;
    const after = agreementEntry({ ...underNotice('2027-03-31'), title: 'Ny tittel' })!;

    expect(after.deadlines.map((d) => uidOf(after, d))).toEqual(
      before.deadlines.map((d) => uidOf(before, d)),
    );
  });

  it('differ by agreement, kind and subject', () => {
    const agreement = inForceAgreement();
    const first = subProcessorEntry(agreement, pendingRecord())!;
    const second = subProcessorEntry(
      agreement,
      pendingRecord({ id: '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d' }),
    )!;
    const other = subProcessorEntry(
      { ...agreement, id: 'b0b0b0b0-0000-4000-8000-000000000000' },
      pendingRecord(),
    )!;
    const uids = [first, second, other].map((entry) => uidOf(entry, entry.deadlines[0]!));

    expect(new Set(uids).size).toBe(3);
    expect(uids[0]).toBe(
      `${AGREEMENT_ID}.sub-processor-decision.sub-processor-${SUB_ID}@databehandleravtaler`,
    );
  });
});

describe('the feed as iCalendar, read back with ical.js', () => {
  const originalTz = process.env.TZ;
  afterEach(() => {
    process.env.TZ = originalTz;
  });

  const entries = (): CalendarEntry[] => [
    agreementEntry(awaitingAgreement({ signatureDeadline: '2027-03-28' }))!,
    // Aware 09:30 CET on 27 March; 24 hours later is 10:30 CEST on the 28th (the clocks went forward).
    breachEntry(inForceAgreement({ breachNotificationHours: 24 }), breach('2027-03-27T09:30:00+01:00')),
  ];

  it('writes a date deadline as an all-day event on that date', () => {
    const calendar = parseCalendar(
      renderCalendar({ entries: entries(), now: new Date('2027-03-01T10:00:00Z'), name: 'Frister' }),
    );

    const signature = calendar.events.find((event) => event.uid.includes('.signature.'));
    expect(signature?.date).toBe('2027-03-28');
    expect(signature?.tzid).toBeUndefined();
  });

  it.each([
    'UTC',
    'America/New_York',
    'Pacific/Kiritimati',
  ])('writes timed deadlines in Europe/Oslo with its VTIMEZONE, across the change to summer time (process zone %s)', (zone) => {
    process.env.TZ = zone;

    const calendar = parseCalendar(
      renderCalendar({ entries: entries(), now: new Date('2027-03-01T10:00:00Z'), name: 'Frister' }),
    );

    expect(calendar.timezones).toEqual(['Europe/Oslo']);
    const byKind = (kind: string) => calendar.events.find((event) => event.uid.includes(`.${kind}.`));
    expect(byKind('breach-notification')).toMatchObject({
      tzid: 'Europe/Oslo',
      wallTime: '2027-03-28T10:30:00',
      instant: '2027-03-28T08:30:00.000Z',
    });
    expect(byKind('breach-supervisory-authority')).toMatchObject({
      tzid: 'Europe/Oslo',
      // 72 hours of elapsed time: 09:30 CET becomes 10:30 CEST.
      wallTime: '2027-03-30T10:30:00',
      instant: '2027-03-30T08:30:00.000Z',
    });
    const winter = parseCalendar(
      renderCalendar({
        entries: [
          breachEntry(inForceAgreement({ breachNotificationHours: 24 }), breach('2027-01-10T09:30:00+01:00')),
        ],
        now: new Date('2027-01-10T09:00:00Z'),
        name: 'Frister',
      }),
    );
    expect(winter.events[0]).toMatchObject({
      wallTime: '2027-01-11T09:30:00',
      instant: '2027-01-11T08:30:00.000Z',
    });
  });

  it('stamps events in UTC, leaves the time free, and names the feed', () => {
    const calendar = parseCalendar(
      renderCalendar({
        entries: entries(),
        now: new Date('2027-03-01T10:00:00Z'),
        name: 'Frister (org.nr. 954748634)',
      }),
    );

    expect(calendar.name).toBe('Frister (org.nr. 954748634)');
    expect(calendar.events.map((event) => event.stamp)).toEqual(
      calendar.events.map(() => '20270301T100000Z'),
    );
    expect(calendar.events.every((event) => event.transparent)).toBe(true);
  });

  it('says in bokmål what is due, for which agreement (title and id), and which call to make', () => {
    const [signature] = parseCalendar(
      renderCalendar({
        entries: [
          agreementEntry(awaitingAgreement({ signatureDeadline: '2027-03-28', title: 'Avtale om KVP' }))!,
        ],
        now: new Date('2027-03-01T10:00:00Z'),
        name: 'Frister',
      }),
    ).events;

    expect(signature?.summary).toBe('Signaturfrist: Avtale om KVP');
    expect(signature?.description).toContain(`Avtalen «Avtale om KVP» (id ${AGREEMENT_ID})`);
    expect(signature?.description).toContain('innen utgangen av 28.03.2027 (norsk tid)');
    expect(signature?.description).toContain(`POST /agreements/${AGREEMENT_ID}/signatures`);
  });

  it('names the sub-processor and the decision call, and the amendment and its signature call', () => {
    const agreement = inForceAgreement({ title: 'Avtale om KVP' });
    const events = parseCalendar(
      renderCalendar({
        entries: [subProcessorEntry(agreement, pendingRecord())!, amendmentEntry(agreement, amendment())!],
        now: new Date('2026-12-01T10:00:00Z'),
        name: 'Frister',
      }),
    ).events;

    expect(events.map((event) => event.summary)).toEqual([
      'Frist for beslutning om underdatabehandler Driftshuset AS: Avtale om KVP',
      'Signaturfrist for endring 2: Avtale om KVP',
    ]);
    expect(events[0]?.description).toContain(
      `POST /agreements/${AGREEMENT_ID}/sub-processors/${SUB_ID}/decision`,
    );
    expect(events[0]?.description).toContain('taushet er aldri godkjenning');
    expect(events[1]?.description).toContain(
      `POST /agreements/${AGREEMENT_ID}/amendments/${AMENDMENT_ID}/signatures`,
    );
  });

  it('lists nothing past: an empty calendar is still a valid one', () => {
    const calendar = parseCalendar(
      renderCalendar({ entries: entries(), now: new Date('2027-06-01T10:00:00Z'), name: 'Frister' }),
    );

    expect(calendar.events).toEqual([]);
  });
});

describe('feed tokens', () => {
  it('are 256 random bits in base64url, and only their SHA-256 is kept', () => {
    const token = newFeedToken();

    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    expect(newFeedToken()).not.toBe(token);
    expect(feedTokenHash(token)).toMatch(/^[0-9a-f]{64}$/);
    expect(feedTokenHash(token)).not.toContain(token);
  });

  it('are read from `<token>.ics` only', () => {
    const token = newFeedToken();

    expect(tokenOfFeedFile(`${token}.ics`)).toBe(token);
    expect(tokenOfFeedFile(token)).toBeUndefined();
    expect(tokenOfFeedFile(`${token}.ics.ics`)).toBeUndefined();
    expect(tokenOfFeedFile(`${token.slice(1)}.ics`)).toBeUndefined();
    expect(tokenOfFeedFile('../etc.ics')).toBeUndefined();
  });
});
