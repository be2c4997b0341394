import { describe, expect, it } from 'vitest';
import { DomainError } from '../../../functions/domain/errors.ts';
import {
  appendixChange,
  decideOnRequest,
  decisionDeadlineFor,
  EMPTY_APPENDIX,
  effectiveStatus,
  expireRequest,
  INITIAL_APPROVAL_REASON,
  initialAppendix,
  newSubProcessorRequest,
  outcomeNotifications,
  presented,
  processingAuthorization,
  secondsUntilDecisionDeadline,
  vedlegg3On,
  withdrawSubProcessor,
} from '../../../functions/domain/sub-processors.ts';
import { CONTROLLER_ORG, PROCESSOR_ORG, signature } from './agreement-fixture.ts';
import {
  approvedRecord,
  inForceAgreement,
  OTHER_SUB_ID,
  pendingRecord,
  requestBody,
  SUB_ID,
} from './sub-processor-fixture.ts';

const processorActor = { orgNumber: PROCESSOR_ORG, clientId: 'test-client' };
const controllerActor = { orgNumber: CONTROLLER_ORG, clientId: 'test-client' };
const decision = {
  decision: 'APPROVED' as const,
  reason: 'Avtale med underleverandøren er inngått',
  signatory: { name: 'Kari Testesen', title: 'Rådmann' },
};

/** The domain error a call throws, for asserting its kind, status and fields. */
function errorOf(call: () => unknown): DomainError {
  try {
    call();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a DomainError');
}

/** 10:00 in Oslo (winter time) on a date. */
const osloMorning = (date: string) => new Date(`${date}T09:00:00.000Z`);

describe('the decision deadline', () => {
  it('is 30 days after the request date in Oslo, open to the end of that day', () => {
    expect(decisionDeadlineFor(new Date('2026-11-20T09:00:00Z'))).toBe('2026-12-20');
    // 00:30 on 21 November in Oslo is still 20 November in UTC: the Oslo date counts.
    expect(decisionDeadlineFor(new Date('2026-11-20T23:30:00Z'))).toBe('2026-12-21');
  });

  it('leaves a request REQUESTED at 23:59:59 of the last day and EXPIRED at midnight', () => {
    const record = pendingRecord();
    expect(effectiveStatus(record, new Date('2026-12-20T22:59:59.999Z'))).toBe('REQUESTED');
    expect(effectiveStatus(record, new Date('2026-12-20T23:00:00.000Z'))).toBe('EXPIRED');
  });

  it('is waited for in whole seconds, at least one', () => {
    expect(secondsUntilDecisionDeadline('2026-12-20', new Date('2026-12-20T22:59:00Z'))).toBe(60);
    expect(secondsUntilDecisionDeadline('2026-12-20', new Date('2027-01-01T00:00:00Z'))).toBe(1);
  });

  it('shows a request past its deadline as EXPIRED before the workflow records it', () => {
    expect(presented(pendingRecord(), new Date('2026-12-21T08:00:00Z'))).toMatchObject({
      status: 'EXPIRED',
      expiredAt: '2026-12-20T23:00:00.000Z',
    });
  });
});

describe('a request (POST /sub-processors)', () => {
  const request = (overrides: Partial<Parameters<typeof newSubProcessorRequest>[0]> = {}) =>
    newSubProcessorRequest({
      agreement: inForceAgreement(),
      role: 'processor',
      request: requestBody(),
      actor: processorActor,
      existing: [],
      id: SUB_ID,
      now: osloMorning('2026-11-20'),
      ...overrides,
    });

  it('is REQUESTED, with the deadline 30 days on', () => {
    expect(request()).toEqual({
      id: SUB_ID,
      ...requestBody(),
      status: 'REQUESTED',
      requestedAt: '2026-11-20T09:00:00.000Z',
      requestedBy: processorActor,
      decisionDeadline: '2026-12-20',
    });
  });

  it("keeps the agreement's spelling of each data type", () => {
    expect(request({ request: requestBody({ personalDataTypes: ['navn', 'NAVN'] }) })).toMatchObject({
      personalDataTypes: ['Navn'],
    });
  });

  it('is the processor’s to make: the controller gets 403', () => {
    expect(errorOf(() => request({ role: 'controller' })).kind).toBe('forbidden');
  });

  it.each([
    'DRAFT',
    'AWAITING_SIGNATURES',
    'TERMINATED',
    'CANCELLED',
  ] as const)('is refused with 409 while the agreement is %s', (status) => {
    const error = errorOf(() => request({ agreement: inForceAgreement({ status }) }));
    expect(error.kind).toBe('conflict');
    expect(error.extra.currentStatus).toBe(status);
  });

  it('may be made in the notice period, but not after terminatesOn has ended', () => {
    const notice = inForceAgreement({ status: 'NOTICE_PERIOD', terminatesOn: '2027-02-28' });
    expect(request({ agreement: notice }).status).toBe('REQUESTED');
    const ended = errorOf(() => request({ agreement: notice, now: osloMorning('2027-03-01') }));
    expect(ended.message).toContain('it ended with 2027-02-28');
  });

  it('outside the EEA without a mechanism is a 400 whose detail says why', () => {
    const error = errorOf(() =>
      request({
        request: requestBody({ processingLocation: { city: 'Seattle', countryCode: 'US' } }),
      }),
    );
    expect(error.kind).toBe('validation');
    expect(error.message).toContain(
      'processing in US is outside the EEA and needs a transfer mechanism: EU standard contractual clauses (SCC) or an adequacy decision (ADEQUACY)',
    );
    expect(error.extra.errors).toEqual([{ field: 'transferMechanism', message: expect.any(String) }]);
  });

  it('outside the EEA with SCC is accepted', () => {
    const made = request({
      request: requestBody({
        processingLocation: { city: 'Seattle', countryCode: 'US' },
        transferMechanism: 'SCC',
      }),
    });
    expect(made).toMatchObject({ status: 'REQUESTED', transferMechanism: 'SCC' });
  });

  it('refuses a data type outside the agreement, naming the field', () => {
    const error = errorOf(() => request({ request: requestBody({ personalDataTypes: ['Kontonummer'] }) }));
    expect(error.extra.errors).toEqual([{ field: 'personalDataTypes.0', message: expect.any(String) }]);
  });

  it('refuses an identical request still pending, naming it', () => {
    const error = errorOf(() => request({ existing: [pendingRecord({ id: OTHER_SUB_ID })] }));
    expect(error.kind).toBe('conflict');
    expect(error.message).toContain(OTHER_SUB_ID);
    expect(request({ existing: [pendingRecord({ id: OTHER_SUB_ID, status: 'REJECTED' })] }).status).toBe(
      'REQUESTED',
    );
  });
});

describe('the decision (POST .../decision)', () => {
  const decide = (overrides: Partial<Parameters<typeof decideOnRequest>[0]> = {}) =>
    decideOnRequest({
      agreement: inForceAgreement(),
      role: 'controller',
      record: pendingRecord(),
      decision,
      actor: controllerActor,
      now: osloMorning('2026-11-25'),
      ...overrides,
    });

  it('approves, signed and dated, and the sub-processor is in Vedlegg 3 from that moment', () => {
    expect(decide()).toMatchObject({
      status: 'APPROVED',
      decision: { ...decision, decidedOn: '2026-11-25', decidedAt: '2026-11-25T09:00:00.000Z' },
      approvedFrom: '2026-11-25T09:00:00.000Z',
    });
  });

  it('rejects with its reason, and nothing is approved', () => {
    const rejected = decide({ decision: { ...decision, decision: 'REJECTED', reason: 'Behandling i USA' } });
    expect(rejected).toMatchObject({ status: 'REJECTED', decision: { reason: 'Behandling i USA' } });
    expect(rejected.approvedFrom).toBeUndefined();
  });

  it('is the controller’s: the processor gets 403', () => {
    expect(errorOf(() => decide({ role: 'processor' })).kind).toBe('forbidden');
  });

  it('checks the request against the scope in force when it is decided (rule 13): outside it, only rejection', () => {
    const amended = inForceAgreement();
    const narrowed = { ...amended, scope: { ...amended.scope, personalDataTypes: ['Adresse'] } };
    const error = errorOf(() => decide({ agreement: narrowed }));
    expect(error.kind).toBe('conflict');
    expect(error.message).toContain('no longer covers');
    expect(
      decide({
        agreement: narrowed,
        decision: { ...decision, decision: 'REJECTED', reason: 'Utenfor omfanget' },
      }).status,
    ).toBe('REJECTED');
  });

  it('on an unknown request is 404', () => {
    expect(errorOf(() => decide({ record: undefined })).kind).toBe('not-found');
  });

  it.each([
    ['APPROVED', approvedRecord()],
    ['REJECTED', pendingRecord({ status: 'REJECTED' })],
    ['WITHDRAWN', pendingRecord({ status: 'WITHDRAWN' })],
    ['EXPIRED', pendingRecord({ status: 'EXPIRED' })],
  ] as const)('is made once: 409 with currentStatus %s', (status, record) => {
    const error = errorOf(() => decide({ record }));
    expect(error.kind).toBe('conflict');
    expect(error.extra.currentStatus).toBe(status);
  });

  it('at 23:59 of the last day counts; a minute after midnight it is 409 EXPIRED', () => {
    expect(decide({ now: new Date('2026-12-20T22:59:00Z') }).status).toBe('APPROVED');
    const late = errorOf(() => decide({ now: new Date('2026-12-20T23:01:00Z') }));
    expect(late.extra.currentStatus).toBe('EXPIRED');
    expect(late.message).toContain('silence is never approval');
  });

  it('is refused once the agreement is terminated', () => {
    const error = errorOf(() => decide({ agreement: inForceAgreement({ status: 'TERMINATED' }) }));
    expect(error.extra.currentStatus).toBe('TERMINATED');
  });
});

describe('withdrawal and expiry', () => {
  const withdraw = (overrides: Partial<Parameters<typeof withdrawSubProcessor>[0]> = {}) =>
    withdrawSubProcessor({
      agreement: inForceAgreement(),
      role: 'processor',
      record: pendingRecord(),
      request: { reason: 'Valgte en annen leverandør' },
      actor: processorActor,
      now: osloMorning('2026-11-25'),
      ...overrides,
    });

  it('withdraws a pending request', () => {
    expect(withdraw()).toMatchObject({
      status: 'WITHDRAWN',
      withdrawal: { withdrawnAt: '2026-11-25T09:00:00.000Z', reason: 'Valgte en annen leverandør' },
    });
    expect(withdraw().approvedUntil).toBeUndefined();
  });

  it('takes an approved sub-processor out of Vedlegg 3 from now on', () => {
    expect(withdraw({ record: approvedRecord() })).toMatchObject({
      status: 'WITHDRAWN',
      approvedFrom: '2026-11-21T10:00:00.000Z',
      approvedUntil: '2026-11-25T09:00:00.000Z',
    });
  });

  it('needs a stated reason to take an approved sub-processor out of Vedlegg 3 (rule 10), not to withdraw a request', () => {
    const refused = errorOf(() => withdraw({ record: approvedRecord(), request: {} }));
    expect(refused.kind).toBe('validation');
    expect(JSON.stringify(refused.extra.errors)).toContain('reason');
    expect(withdraw({ request: {} }).status).toBe('WITHDRAWN');
  });

  it('is the processor’s (403 for the controller) and not after a decision (409)', () => {
    expect(errorOf(() => withdraw({ role: 'controller' })).kind).toBe('forbidden');
    expect(
      errorOf(() => withdraw({ record: pendingRecord({ status: 'REJECTED' }) })).extra.currentStatus,
    ).toBe('REJECTED');
  });

  it('expires a request only once its deadline has ended', () => {
    expect(expireRequest(pendingRecord(), new Date('2026-12-20T22:59:59Z'))).toBeUndefined();
    expect(expireRequest(pendingRecord(), new Date('2026-12-20T23:00:00Z'))).toMatchObject({
      status: 'EXPIRED',
      expiredAt: '2026-12-20T23:00:00.000Z',
    });
    expect(expireRequest(approvedRecord(), new Date('2027-01-01T00:00:00Z'))).toBeUndefined();
  });
});

describe('the processing gate (rule 8)', () => {
  const now = osloMorning('2026-12-01');

  it('authorises an approved sub-processor of an agreement in force, saying why', () => {
    expect(processingAuthorization(inForceAgreement(), approvedRecord(), now)).toEqual({
      authorized: true,
      reasons: [
        'The agreement is in force',
        'The sub-processor Driftshuset AS is approved (in Vedlegg 3 since 2026-11-21T10:00:00.000Z)',
      ],
    });
  });

  it('authorises during the notice period', () => {
    const notice = inForceAgreement({ status: 'NOTICE_PERIOD', terminatesOn: '2027-02-28' });
    expect(processingAuthorization(notice, approvedRecord(), now)).toMatchObject({
      authorized: true,
      reasons: [
        'The agreement is in force, in its notice period until the end of 2027-02-28',
        expect.any(String),
      ],
    });
  });

  it.each([
    'REQUESTED',
    'REJECTED',
    'EXPIRED',
    'WITHDRAWN',
  ] as const)('refuses a sub-processor %s', (status) => {
    const answer = processingAuthorization(inForceAgreement(), pendingRecord({ status }), now);
    expect(answer.authorized).toBe(false);
    expect(answer.reasons).toHaveLength(1);
    expect(answer.reasons[0]).toMatch(
      new RegExp(`^The sub-processor is not approved \\(status ${status}\\)`),
    );
  });

  it('refuses a request whose deadline passed before the workflow recorded the expiry', () => {
    expect(processingAuthorization(inForceAgreement(), pendingRecord(), osloMorning('2026-12-21'))).toEqual({
      authorized: false,
      reasons: ['The sub-processor is not approved (status EXPIRED)'],
    });
  });

  it('refuses an id the agreement does not know', () => {
    expect(processingAuthorization(inForceAgreement(), undefined, now)).toEqual({
      authorized: false,
      reasons: ['No such sub-processor on this agreement'],
    });
  });

  it('refuses after termination, naming the status, even for an approved sub-processor', () => {
    expect(
      processingAuthorization(inForceAgreement({ status: 'TERMINATED' }), approvedRecord(), now),
    ).toEqual({
      authorized: false,
      reasons: ['The agreement is not in force (status TERMINATED)'],
    });
  });

  it('names both conditions when both fail', () => {
    expect(
      processingAuthorization(inForceAgreement({ status: 'AWAITING_SIGNATURES' }), undefined, now).reasons,
    ).toEqual([
      'The agreement is not in force (status AWAITING_SIGNATURES)',
      'No such sub-processor on this agreement',
    ]);
  });

  it('refuses the moment terminatesOn has ended, before the workflow records TERMINATED', () => {
    const notice = inForceAgreement({ status: 'NOTICE_PERIOD', terminatesOn: '2027-02-28' });
    expect(processingAuthorization(notice, approvedRecord(), new Date('2027-02-28T23:00:00Z'))).toEqual({
      authorized: false,
      reasons: ['The agreement is not in force (it ended with 2027-02-28)'],
    });
  });
});

describe('Vedlegg 3 over time', () => {
  const first = approvedRecord({ id: 'a', name: 'Alfa Drift AS', approvedFrom: '2026-11-16T11:00:00.000Z' });
  // Approved at 00:30 Oslo time on 1 December (still 30 November in UTC).
  const second = approvedRecord({ id: 'b', name: 'Beta Sky AS', approvedFrom: '2026-11-30T23:30:00.000Z' });
  // Withdrawn at 23:59 Oslo time on 10 December: not in the list at the end of that day.
  const withdrawn = approvedRecord({
    id: 'c',
    name: 'Gamma Backup AS',
    status: 'WITHDRAWN',
    approvedFrom: '2026-11-20T09:00:00.000Z',
    approvedUntil: '2026-12-10T22:59:00.000Z',
  });
  const rejected = pendingRecord({ id: 'd', status: 'REJECTED' });
  const records = [withdrawn, second, rejected, first];
  const today = new Date('2026-12-15T09:00:00Z');
  const idsOn = (date: string) => vedlegg3On(records, date, today).map((record) => record.id);

  it('is empty before anything was approved', () => {
    expect(idsOn('2026-11-15')).toEqual([]);
  });

  it('has what was approved by the end of the day, in the order of approval', () => {
    expect(idsOn('2026-11-16')).toEqual(['a']);
    expect(idsOn('2026-11-30')).toEqual(['a', 'c']);
    expect(idsOn('2026-12-01')).toEqual(['a', 'c', 'b']);
  });

  it('leaves out what was withdrawn before the end of the day, but shows it on earlier days as APPROVED', () => {
    expect(idsOn('2026-12-09')).toEqual(['a', 'c', 'b']);
    expect(vedlegg3On(records, '2026-12-09', today)[1]).toMatchObject({ id: 'c', status: 'APPROVED' });
    expect(vedlegg3On(records, '2026-12-09', today)[1]).not.toHaveProperty('approvedUntil');
    expect(idsOn('2026-12-10')).toEqual(['a', 'b']);
  });

  it('refuses a future day with 400 on "on"', () => {
    expect(errorOf(() => vedlegg3On(records, '2026-12-16', today)).extra.errors).toEqual([
      { field: 'on', message: 'may not be after today (2026-12-15)' },
    ]);
  });

  it('gets a new version with every change, recorded in the history', () => {
    const at = new Date('2026-12-01T09:00:00Z');
    const added = appendixChange(EMPTY_APPENDIX, { added: first }, controllerActor, at);
    expect(added.after).toEqual({
      version: 1,
      approved: [{ id: 'a', name: 'Alfa Drift AS', personalDataTypes: ['Navn'] }],
    });
    const removed = appendixChange(added.after, { removed: first }, processorActor, at);
    expect(removed.after).toEqual({ version: 2, approved: [] });
    expect(removed.history).toMatchObject({
      type: 'APPENDIX_3_VERSION',
      details: { version: 2, approved: [], effectiveFrom: at.toISOString(), removed: 'a' },
    });
  });
});

describe('the initial Vedlegg 3 (sub-processors listed in the draft)', () => {
  const at = new Date('2026-11-16T12:00:00Z');

  it('is approved by the two signatures, as version 1, when the agreement enters into force', () => {
    const agreement = inForceAgreement({
      subProcessors: [requestBody({ personalDataTypes: ['navn'] })],
      signatures: [signature('processor', '2026-11-16'), signature('controller', '2026-11-16')],
    });
    const ids = [SUB_ID];
    const { records, head, history } = initialAppendix(agreement, controllerActor, at, () => ids.shift()!);
    expect(records).toEqual([
      expect.objectContaining({
        id: SUB_ID,
        status: 'APPROVED',
        personalDataTypes: ['Navn'],
        approvedFrom: at.toISOString(),
        decision: expect.objectContaining({
          decision: 'APPROVED',
          reason: INITIAL_APPROVAL_REASON,
          signatory: signature('controller', '2026-11-16').signatory,
          decidedOn: '2026-11-16',
        }),
      }),
    ]);
    expect(head).toEqual({
      version: 1,
      approved: [{ id: SUB_ID, name: 'Driftshuset AS', personalDataTypes: ['Navn'] }],
    });
    expect(history).toEqual([expect.objectContaining({ type: 'APPENDIX_3_VERSION' })]);
  });

  it('does not exist when the draft lists none', () => {
    expect(initialAppendix(inForceAgreement(), controllerActor, at, () => SUB_ID)).toEqual({
      records: [],
      history: [],
    });
  });
});

describe('outcome notifications', () => {
  it('go to both parties once per outcome, with the reason', () => {
    const notifications = outcomeNotifications(inForceAgreement(), approvedRecord(), new Date());
    expect(notifications.map((n) => [n.id, n.recipientOrgNumber])).toEqual([
      [`sub-processor.approved:${inForceAgreement().id}:${SUB_ID}`, CONTROLLER_ORG],
      [`sub-processor.approved:${inForceAgreement().id}:${SUB_ID}`, PROCESSOR_ORG],
    ]);
    expect(notifications[0]!.details).toMatchObject({ status: 'APPROVED', reason: expect.any(String) });
  });

  it('are none for a request still pending', () => {
    expect(outcomeNotifications(inForceAgreement(), pendingRecord(), new Date())).toEqual([]);
  });
});
