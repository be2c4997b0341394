import { describe, expect, it } from 'vitest';
import {
  appendixChange,
  byRequestTime,
  EMPTY_APPENDIX,
  INITIAL_APPROVAL_REASON,
  initialAppendix,
  newSubProcessorRequest,
  presented,
  processingAuthorization,
  requestedNotifications,
  transitionHistory,
  vedlegg3On,
  withdrawSubProcessor,
} from '../../../functions/domain/sub-processors.ts';
import { AGREEMENT_ID, CONTROLLER_ORG, PROCESSOR_ORG, signature } from './agreement-fixture.ts';
import { domainErrorOf } from './domain-error.ts';
import {
  approvedRecord,
  inForceAgreement,
  OTHER_SUB_ID,
  pendingRecord,
  requestBody,
  SUB_ID,
} from './sub-processor-fixture.ts';

const processorActor = { orgNumber: PROCESSOR_ORG, clientId: 'nav-system' };
const controllerActor = { orgNumber: CONTROLLER_ORG, clientId: 'kommune-system' };
/** 10:00 in Oslo (winter time) on a date. */
const osloMorning = (date: string) => new Date(`${date}T09:00:00.000Z`);

describe('withdrawal: who may withdraw what, in which state (rule 7)', () => {
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

  it('lets the processor withdraw a pending request even after the agreement has ended', () => {
    const withdrawn = withdraw({ agreement: inForceAgreement({ status: 'TERMINATED' }) });

    expect(withdrawn.status).toBe('WITHDRAWN');
    expect(withdrawn).not.toHaveProperty('approvedUntil');
  });

  it('does not change Vedlegg 3 once the agreement has ended: an approved sub-processor stays in it (409)', () => {
    const error = domainErrorOf(() =>
      withdraw({ agreement: inForceAgreement({ status: 'TERMINATED' }), record: approvedRecord() }),
    );

    expect(error.kind).toBe('conflict');
    expect(error.extra.currentStatus).toBe('TERMINATED');
    expect(error.message).toBe(
      'Vedlegg 3 can change only while the agreement is in force or in its notice period (status TERMINATED)',
    );
  });

  it('refuses to withdraw what is already withdrawn, saying the processor withdrew it (409)', () => {
    const error = domainErrorOf(() => withdraw({ record: pendingRecord({ status: 'WITHDRAWN' }) }));

    expect(error.kind).toBe('conflict');
    expect(error.extra.currentStatus).toBe('WITHDRAWN');
    expect(error.message).toBe('The processor has withdrawn this sub-processor');
  });
});

describe('a duplicate request: only an identical one still pending (rule 7)', () => {
  const request = (overrides: Partial<Parameters<typeof newSubProcessorRequest>[0]> = {}) =>
    newSubProcessorRequest({
      agreement: inForceAgreement(),
      role: 'processor',
      request: requestBody(),
      actor: processorActor,
      existing: [pendingRecord({ id: OTHER_SUB_ID })],
      id: SUB_ID,
      now: osloMorning('2026-11-25'),
      ...overrides,
    });

  it('is not a request for another sub-processor while one is pending', () => {
    const made = request({
      request: requestBody({
        name: 'Skyhuset AS',
        orgNumber: undefined,
        address: 'Kongens gate 2, Trondheim',
      }),
    });

    expect(made.status).toBe('REQUESTED');
  });

  it('is not a request for the same sub-processor with one more data type', () => {
    const made = request({ request: requestBody({ personalDataTypes: ['Navn', 'Fødselsnummer'] }) });

    expect(made.personalDataTypes).toEqual(['Navn', 'Fødselsnummer']);
  });

  it('is not a request identical to one that expired unanswered: it may be asked again', () => {
    // The pending request's deadline was 2026-12-20; silence is never approval, so the processor asks again.
    const made = request({ now: osloMorning('2026-12-21') });

    expect(made).toMatchObject({ status: 'REQUESTED', decisionDeadline: '2027-01-20' });
  });
});

describe('Vedlegg 3 on a given day (rule 7: the list in force on any past date)', () => {
  const today = new Date('2026-12-15T09:00:00Z');

  it('may be asked for today, and gives the list as it stands now', () => {
    const records = [approvedRecord()];

    expect(vedlegg3On(records, '2026-12-15', today).map((record) => record.id)).toEqual([SUB_ID]);
  });

  it('counts a sub-processor approved at midnight to the new day, not the one that ended', () => {
    // 2026-12-01T23:00Z is midnight in Oslo, the first instant of 2 December.
    const records = [approvedRecord({ approvedFrom: '2026-12-01T23:00:00.000Z' })];

    expect(vedlegg3On(records, '2026-12-01', today)).toEqual([]);
    expect(vedlegg3On(records, '2026-12-02', today).map((record) => record.id)).toEqual([SUB_ID]);
  });

  it('keeps a sub-processor withdrawn at midnight in the list of the whole day that ended', () => {
    const records = [approvedRecord({ status: 'WITHDRAWN', approvedUntil: '2026-12-10T23:00:00.000Z' })];

    expect(vedlegg3On(records, '2026-12-10', today).map((record) => record.id)).toEqual([SUB_ID]);
    expect(vedlegg3On(records, '2026-12-11', today)).toEqual([]);
  });
});

describe('the versions of Vedlegg 3 (rule 7: every change gives a new version)', () => {
  const at = new Date('2026-12-01T09:00:00Z');
  const alfa = approvedRecord({ id: 'a', name: 'Alfa Drift AS' });
  const beta = approvedRecord({ id: 'b', name: 'Beta Sky AS' });

  it('keeps those approved before when one more is approved, and names the one added', () => {
    const first = appendixChange(EMPTY_APPENDIX, { added: alfa }, controllerActor, at).after;

    const { after, history } = appendixChange(first, { added: beta }, controllerActor, at);

    expect(after).toEqual({
      version: 2,
      approved: [
        { id: 'a', name: 'Alfa Drift AS', personalDataTypes: ['Navn'] },
        { id: 'b', name: 'Beta Sky AS', personalDataTypes: ['Navn'] },
      ],
    });
    expect(history).toEqual({
      at: at.toISOString(),
      type: 'APPENDIX_3_VERSION',
      actor: controllerActor,
      details: { version: 2, approved: after.approved, effectiveFrom: at.toISOString(), added: 'b' },
    });
  });

  it('keeps the others when one leaves', () => {
    const head = {
      version: 2,
      approved: [
        { id: 'a', name: 'Alfa Drift AS' },
        { id: 'b', name: 'Beta Sky AS' },
      ],
    };

    const { after } = appendixChange(head, { removed: alfa }, processorActor, at);

    expect(after).toEqual({ version: 3, approved: [{ id: 'b', name: 'Beta Sky AS' }] });
  });

  it('records version 1, approved by the two signatures, in the history when the agreement enters into force', () => {
    const agreement = inForceAgreement({
      subProcessors: [requestBody()],
      signatures: [signature('processor', '2026-11-16'), signature('controller', '2026-11-16')],
    });
    const at16 = new Date('2026-11-16T12:00:00Z');

    const { history } = initialAppendix(agreement, controllerActor, at16, () => SUB_ID);

    expect(history).toEqual([
      {
        at: at16.toISOString(),
        type: 'APPENDIX_3_VERSION',
        actor: controllerActor,
        details: {
          version: 1,
          approved: [{ id: SUB_ID, name: 'Driftshuset AS', personalDataTypes: ['Navn'] }],
          effectiveFrom: at16.toISOString(),
          basis: INITIAL_APPROVAL_REASON,
        },
      },
    ]);
  });
});

describe('the list of requests', () => {
  it('is oldest first, requests of the same instant by id, and leaves the stored list as it was', () => {
    const late = pendingRecord({ id: 'c', requestedAt: '2026-11-22T09:00:00.000Z' });
    const sameTimeB = pendingRecord({ id: 'b', requestedAt: '2026-11-20T09:00:00.000Z' });
    const sameTimeA = pendingRecord({ id: 'a', requestedAt: '2026-11-20T09:00:00.000Z' });
    const stored = [late, sameTimeB, sameTimeA];

    const listed = byRequestTime(stored);

    expect(listed.map((record) => record.id)).toEqual(['a', 'b', 'c']);
    expect(stored.map((record) => record.id)).toEqual(['c', 'b', 'a']);
  });
});

describe('a request as a caller sees it', () => {
  it('is the stored record while its decision period runs', () => {
    const record = pendingRecord();

    expect(presented(record, osloMorning('2026-12-20'))).toBe(record);
  });

  it('is the stored record once decided', () => {
    const record = approvedRecord();

    expect(presented(record, osloMorning('2027-01-15'))).toBe(record);
  });
});

describe('the processing gate for a pending request (rule 8)', () => {
  it('says that the controller has not decided and that silence is never approval', () => {
    const answer = processingAuthorization(inForceAgreement(), pendingRecord(), osloMorning('2026-12-01'));

    expect(answer).toEqual({
      authorized: false,
      reasons: [
        'The sub-processor is not approved (status REQUESTED): the controller has not decided, and silence is never approval',
      ],
    });
  });
});

describe('the history of a request (rule 10: every change, who, when)', () => {
  const at = new Date('2026-11-25T09:00:00Z');

  it('records a request with where it will process and by when the controller must decide', () => {
    const entry = transitionHistory(undefined, pendingRecord(), processorActor, at);

    expect(entry).toEqual({
      at: at.toISOString(),
      type: 'SUB_PROCESSOR_REQUESTED',
      actor: processorActor,
      details: {
        subProcessorId: SUB_ID,
        name: 'Driftshuset AS',
        processingLocation: { city: 'Oslo', countryCode: 'NO' },
        decisionDeadline: '2026-12-20',
      },
    });
  });

  it('records the transfer mechanism of a request outside the EEA', () => {
    const outside = pendingRecord({
      processingLocation: { city: 'Seattle', countryCode: 'US' },
      transferMechanism: 'SCC',
    });

    const entry = transitionHistory(undefined, outside, processorActor, at);

    expect(entry.details).toMatchObject({
      processingLocation: { city: 'Seattle', countryCode: 'US' },
      transferMechanism: 'SCC',
    });
  });

  it("records an approval with the controller's reason, signatory and date", () => {
    const entry = transitionHistory(pendingRecord(), approvedRecord(), controllerActor, at);

    expect(entry).toEqual({
      at: at.toISOString(),
      type: 'SUB_PROCESSOR_APPROVED',
      actor: controllerActor,
      details: {
        subProcessorId: SUB_ID,
        name: 'Driftshuset AS',
        decision: 'APPROVED',
        reason: 'Databehandleravtale med Driftshuset AS er inngått',
        signatory: { name: 'Kari Testesen', title: 'Rådmann' },
        decidedOn: '2026-11-21',
      },
    });
  });

  it("records a rejection with the controller's reason", () => {
    const rejected = approvedRecord({
      status: 'REJECTED',
      approvedFrom: undefined,
      decision: { ...approvedRecord().decision!, decision: 'REJECTED', reason: 'Behandling i USA' },
    });

    const entry = transitionHistory(pendingRecord(), rejected, controllerActor, at);

    expect(entry.type).toBe('SUB_PROCESSOR_REJECTED');
    expect(entry.details).toMatchObject({ decision: 'REJECTED', reason: 'Behandling i USA' });
  });

  it('records an expiry, by no one, with the deadline that passed in silence', () => {
    const expired = pendingRecord({ status: 'EXPIRED', expiredAt: '2026-12-20T23:00:00.000Z' });

    const entry = transitionHistory(pendingRecord(), expired, undefined, new Date('2026-12-20T23:00:00Z'));

    expect(entry).toEqual({
      at: '2026-12-20T23:00:00.000Z',
      type: 'SUB_PROCESSOR_EXPIRED',
      details: { subProcessorId: SUB_ID, name: 'Driftshuset AS', decisionDeadline: '2026-12-20' },
    });
  });

  it('records the withdrawal of an approved sub-processor with the state it left and the reason', () => {
    const withdrawn = approvedRecord({
      status: 'WITHDRAWN',
      approvedUntil: at.toISOString(),
      withdrawal: {
        withdrawnAt: at.toISOString(),
        withdrawnBy: processorActor,
        reason: 'Avtalen med dem er sagt opp',
      },
    });

    const entry = transitionHistory(approvedRecord(), withdrawn, processorActor, at);

    expect(entry).toEqual({
      at: at.toISOString(),
      type: 'SUB_PROCESSOR_WITHDRAWN',
      actor: processorActor,
      details: {
        subProcessorId: SUB_ID,
        name: 'Driftshuset AS',
        previousStatus: 'APPROVED',
        reason: 'Avtalen med dem er sagt opp',
      },
    });
  });

  it('records the withdrawal of a pending request without a reason as such', () => {
    const withdrawn = pendingRecord({
      status: 'WITHDRAWN',
      withdrawal: { withdrawnAt: at.toISOString(), withdrawnBy: processorActor },
    });

    const entry = transitionHistory(pendingRecord(), withdrawn, processorActor, at);

    expect(entry.details).toStrictEqual({
      subProcessorId: SUB_ID,
      name: 'Driftshuset AS',
      previousStatus: 'REQUESTED',
    });
  });
});

describe('the notification of a request (rule 7)', () => {
  const at = new Date('2026-11-20T09:00:00Z');

  it('ask the controller alone to decide, by the deadline', () => {
    const notifications = requestedNotifications(inForceAgreement(), pendingRecord(), at);

    expect(notifications).toEqual([
      {
        id: `sub-processor.requested:${AGREEMENT_ID}:${SUB_ID}`,
        at: at.toISOString(),
        type: 'sub-processor.requested',
        recipientOrgNumber: CONTROLLER_ORG,
        agreementId: AGREEMENT_ID,
        subject: `Approval requested for sub-processor Driftshuset AS (Oslo, NO); decide by 2026-12-20: ${inForceAgreement().title}`,
        details: {
          subProcessorId: SUB_ID,
          name: 'Driftshuset AS',
          processingLocation: { city: 'Oslo', countryCode: 'NO' },
          decisionDeadline: '2026-12-20',
        },
      },
    ]);
  });
});
