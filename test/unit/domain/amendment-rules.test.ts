import { describe, expect, it } from 'vitest';
import {
  applyAmendment,
  contentOf,
  expireAmendment,
  proposeAmendment,
  signAmendment,
  withdrawAmendment,
} from '../../../functions/domain/amendments/rules.ts';
import {
  type Amendment,
  type AmendmentProposal,
  amendmentProposalSchema,
} from '../../../functions/domain/amendments/schemas.ts';
import { contentHashOf } from '../../../functions/domain/content-hash.ts';
import { decideReminder } from '../../../functions/domain/reminders.ts';
import type { Agreement } from '../../../functions/domain/schemas.ts';
import { CONTROLLER_ORG } from './agreement-fixture.ts';
import { domainErrorOf as domainError } from './domain-error.ts';
import { controllerActor, inForce, noticed, processorActor } from './termination-fixture.ts';

const AMENDMENT_ID = '7d2c9a51-3b4e-4f6a-8c1d-2e3f4a5b6c7d';
/** 10:00 in Oslo on 2026-12-01. */
const NOW = new Date('2026-12-01T09:00:00.000Z');

const stronger = 'Felles sikkerhetsnormer, og tofaktorinnlogging for alle brukere';
const proposal = (overrides: Partial<AmendmentProposal> = {}): AmendmentProposal => ({
  changes: { securityMeasures: stronger },
  reason: 'Sterkere autentisering etter ROS-analyse',
  ...overrides,
});

function propose(
  agreement: Agreement = inForce(),
  overrides: Partial<AmendmentProposal> = {},
  approved = [],
) {
  return proposeAmendment({
    agreement,
    role: 'controller',
    actor: controllerActor,
    proposal: proposal(overrides),
    approved,
    id: AMENDMENT_ID,
    now: NOW,
  });
}

const sign = (party: 'controller' | 'processor', amendment: Amendment, signedOn?: string, at = NOW) =>
  signAmendment(
    inForce(),
    amendment,
    party,
    {
      signatory: { name: party === 'controller' ? 'Kari Ordfører' : 'Ola Direktør', title: 'Leder' },
      place: 'Radøy',
      contentHash: amendment.contentHash,
      ...(signedOn ? { signedOn } : {}),
    },
    at,
  );

describe('rule 13: proposing an amendment', () => {
  it('numbers it, hashes the amended content and gives a 30-day deadline by default', () => {
    const { amendment, agreement } = propose();
    expect(amendment).toMatchObject({
      id: AMENDMENT_ID,
      number: 1,
      status: 'AWAITING_SIGNATURES',
      proposedBy: 'controller',
      baseVersion: 1,
      baseContentHash: inForce().contentHash,
      contentHash: contentHashOf({ ...contentOf(inForce()), securityMeasures: stronger }),
      signatureDeadline: '2026-12-31',
      signatures: [],
    });
    expect(agreement.openAmendment).toEqual({ id: AMENDMENT_ID, number: 1 });
    expect(agreement.amendmentCount).toBe(1);
    // Proposing changes no content: the agreement keeps its hash until the amendment takes effect.
    expect(agreement.contentHash).toBe(inForce().contentHash);
  });

  it('numbers the next one after those proposed before, whatever became of them', () => {
    expect(propose(inForce({ amendmentCount: 3 })).amendment.number).toBe(4);
  });

  it('takes its deadline in days and an agreed later effective date', () => {
    const { amendment } = propose(inForce(), { signatureDeadlineDays: 10, effectiveFrom: '2027-01-01' });
    expect(amendment.signatureDeadline).toBe('2026-12-11');
    expect(amendment.agreedEffectiveFrom).toBe('2027-01-01');
  });

  it('is allowed in the notice period too', () => {
    expect(propose(noticed()).amendment.status).toBe('AWAITING_SIGNATURES');
  });

  it.each([
    'DRAFT',
    'AWAITING_SIGNATURES',
    'TERMINATED',
    'CLOSED',
    'CANCELLED',
  ] as const)('is refused while the agreement is %s (409 with its state)', (status) => {
    const error = domainError(() => propose(inForce({ status })));
    expect(error.kind).toBe('conflict');
    expect(error.extra.currentStatus).toBe(status);
  });

  it('is refused while another is open, naming it', () => {
    const error = domainError(() => propose(inForce({ openAmendment: { id: 'other-id', number: 2 } })));
    expect(error.kind).toBe('conflict');
    expect(error.message).toContain('Amendment 2 (other-id) is still open');
  });

  it('refuses a change that changes nothing (400 naming changes)', () => {
    const error = domainError(() =>
      propose(inForce(), { changes: { securityMeasures: inForce().securityMeasures } }),
    );
    expect(error.kind).toBe('validation');
    expect(error.extra.errors).toEqual([
      { field: 'changes', message: 'must differ from the content in force' },
    ]);
  });

  it('refuses an effective date before today, or after the agreement terminates', () => {
    expect(
      domainError(() => propose(inForce(), { effectiveFrom: '2026-11-30' })).extra.errors?.[0]?.field,
    ).toBe('effectiveFrom');
    const late = domainError(() => propose(noticed(), { effectiveFrom: '2027-03-01' }));
    expect(late.extra.errors?.[0]?.message).toContain('after the agreement terminates (2027-02-28)');
    expect(propose(noticed(), { effectiveFrom: '2027-02-28' }).amendment.agreedEffectiveFrom).toBe(
      '2027-02-28',
    );
  });

  it('refuses a scope that leaves an approved sub-processor outside it, naming it and the data types', () => {
    const scope = { ...inForce().scope, personalDataTypes: ['Navn', 'Telefonnummer'] };
    const approved = [
      { id: 'sp-1', name: 'Skyhuset AB', personalDataTypes: ['Adresse'] },
      { id: 'sp-2', name: 'Drift AS', personalDataTypes: ['navn'] },
    ];
    const error = domainError(() =>
      proposeAmendment({
        agreement: inForce(),
        role: 'processor',
        actor: processorActor,
        proposal: proposal({ changes: { scope } }),
        approved,
        id: AMENDMENT_ID,
        now: NOW,
      }),
    );
    expect(error.kind).toBe('conflict');
    expect(error.message).toContain('Skyhuset AB (sp-1: Adresse)');
    expect(error.message).not.toContain('Drift AS');
  });

  it('accepts a scope that still covers every approved sub-processor', () => {
    const scope = { ...inForce().scope, personalDataTypes: ['Navn', 'Adresse', 'Telefonnummer'] };
    const result = proposeAmendment({
      agreement: inForce(),
      role: 'processor',
      actor: processorActor,
      proposal: proposal({ changes: { scope } }),
      approved: [{ id: 'sp-1', name: 'Skyhuset AB', personalDataTypes: ['Adresse'] }],
      id: AMENDMENT_ID,
      now: NOW,
    });
    expect(result.amendment.proposedBy).toBe('processor');
  });

  it('tells both parties, records it in the history, and reminds in a week', () => {
    const { history, notifications, reminder } = propose();
    expect(history).toEqual([
      expect.objectContaining({
        type: 'AMENDMENT_PROPOSED',
        details: expect.objectContaining({
          amendmentId: AMENDMENT_ID,
          number: 1,
          changes: ['securityMeasures'],
        }),
      }),
    ]);
    expect(notifications.map((n) => [n.type, n.recipientOrgNumber])).toEqual([
      ['amendment.proposed', CONTROLLER_ORG],
      ['amendment.proposed', inForce().processor.orgNumber],
    ]);
    expect(reminder).toEqual({ kind: `amendment-signature-missing#${AMENDMENT_ID}`, dueOn: '2026-12-08' });
  });
});

describe('rule 13: signing an amendment', () => {
  const open = () => propose().amendment;

  it('takes each party once, in any order; the second puts it in force from the later signature date', () => {
    const first = sign('processor', open(), '2026-12-01');
    expect(first.completes).toBe(false);
    expect(first.amendment.status).toBe('AWAITING_SIGNATURES');
    const second = sign('controller', first.amendment);
    expect(second).toMatchObject({ completes: true, appliesNow: true });
    expect(second.amendment).toMatchObject({ status: 'IN_FORCE', effectiveFrom: '2026-12-01' });
    expect(second.amendment.signatures.map((s) => [s.party, s.contentHash])).toEqual([
      ['processor', open().contentHash],
      ['controller', open().contentHash],
    ]);
  });

  it('is SIGNED until an agreed later effective date', () => {
    const amendment = propose(inForce(), { effectiveFrom: '2027-01-01' }).amendment;
    const signed = sign('controller', sign('processor', amendment).amendment);
    expect(signed).toMatchObject({ completes: true, appliesNow: false });
    expect(signed.amendment).toMatchObject({ status: 'SIGNED', effectiveFrom: '2027-01-01' });
  });

  it('refuses a second signature of one party, and a stale content hash naming the amended one', () => {
    const once = sign('processor', open()).amendment;
    expect(domainError(() => sign('processor', once)).message).toContain('already signed amendment 1');
    const stale = domainError(() =>
      signAmendment(
        inForce(),
        open(),
        'controller',
        { signatory: { name: 'Kari', title: 'Leder' }, place: 'Radøy', contentHash: inForce().contentHash },
        NOW,
      ),
    );
    expect(stale.kind).toBe('conflict');
    expect(stale.extra.contentHash).toBe(open().contentHash);
  });

  it('refuses a signature after the deadline, dated before the proposal, or on a closed amendment', () => {
    const afterDeadline = new Date('2026-12-31T23:00:00.000Z');
    expect(domainError(() => sign('processor', open(), undefined, afterDeadline)).message).toContain(
      'deadline of amendment 1 (2026-12-31) has passed',
    );
    expect(domainError(() => sign('processor', open(), '2026-11-30')).extra.errors?.[0]?.field).toBe(
      'signedOn',
    );
    const withdrawn = { ...open(), status: 'WITHDRAWN' as const };
    expect(domainError(() => sign('processor', withdrawn)).extra.currentStatus).toBe('WITHDRAWN');
  });

  it('refuses while the agreement is no longer in force or under notice', () => {
    const error = domainError(() =>
      signAmendment(
        inForce({ status: 'TERMINATED' }),
        open(),
        'processor',
        { signatory: { name: 'Ola', title: 'Leder' }, place: 'Oslo', contentHash: open().contentHash },
        NOW,
      ),
    );
    expect(error.extra.currentStatus).toBe('TERMINATED');
  });
});

describe('rule 13: an amendment taking effect', () => {
  const signedBoth = (agreement = inForce()) => {
    const amendment = proposeAmendment({
      agreement,
      role: 'controller',
      actor: controllerActor,
      proposal: proposal({ changes: { securityMeasures: stronger, noticePeriodMonths: 6 } }),
      approved: [],
      id: AMENDMENT_ID,
      now: NOW,
    }).amendment;
    return sign('controller', sign('processor', amendment).amendment).amendment;
  };

  it('makes the amended content version 2 and stores version 1 as first signed', () => {
    const effect = applyAmendment(
      inForce({ openAmendment: { id: AMENDMENT_ID, number: 1 } }),
      signedBoth(),
      controllerActor,
      NOW,
    );
    expect(effect.agreement).toMatchObject({
      securityMeasures: stronger,
      noticePeriodMonths: 6,
      contentVersion: 2,
    });
    expect(effect.agreement.openAmendment).toBeUndefined();
    expect(effect.agreement.contentHash).toBe(signedBoth().contentHash);
    expect(effect.versions.map((v) => [v.number, v.contentHash, v.effectiveFrom])).toEqual([
      [1, inForce().contentHash, '2026-10-01'],
      [2, signedBoth().contentHash, '2026-12-01'],
    ]);
    expect(effect.versions[1]!.amendment).toEqual({ id: AMENDMENT_ID, number: 1 });
    expect(effect.amendment).toMatchObject({ status: 'IN_FORCE', resultingVersion: 2 });
  });

  it('keeps the terminatesOn of a notice already given when the notice period changes', () => {
    const effect = applyAmendment(noticed(), signedBoth(noticed()), controllerActor, NOW);
    expect(effect.agreement.noticePeriodMonths).toBe(6);
    expect(effect.agreement.terminatesOn).toBe('2027-02-28');
  });

  it('stores only the new version when an earlier amendment already stored version 1', () => {
    const amended = applyAmendment(inForce(), signedBoth(), controllerActor, NOW).agreement;
    const next = proposeAmendment({
      agreement: amended,
      role: 'processor',
      actor: processorActor,
      proposal: proposal({ changes: { breachNotificationHours: 24 } }),
      approved: [],
      id: 'second-id',
      now: NOW,
    }).amendment;
    expect(next).toMatchObject({ number: 1, baseVersion: 2 });
    const signedNext = signAmendment(
      amended,
      signAmendment(
        amended,
        next,
        'processor',
        { signatory: { name: 'Ola', title: 'Leder' }, place: 'Oslo', contentHash: next.contentHash },
        NOW,
      ).amendment,
      'controller',
      { signatory: { name: 'Kari', title: 'Leder' }, place: 'Radøy', contentHash: next.contentHash },
      NOW,
    ).amendment;
    const effect = applyAmendment(amended, signedNext, processorActor, NOW);
    expect(effect.versions.map((v) => v.number)).toEqual([3]);
    expect(effect.agreement.breachNotificationHours).toBe(24);
  });
});

describe('rule 13: withdrawal and expiry', () => {
  const opened = () => propose();

  it('lets only the proposer withdraw, while it awaits signatures', () => {
    const { amendment, agreement } = opened();
    expect(
      domainError(() => withdrawAmendment(agreement, amendment, 'processor', processorActor, undefined, NOW))
        .kind,
    ).toBe('forbidden');
    const withdrawn = withdrawAmendment(
      agreement,
      amendment,
      'controller',
      controllerActor,
      'Feil tekst',
      NOW,
    );
    expect(withdrawn.amendment).toMatchObject({ status: 'WITHDRAWN', withdrawReason: 'Feil tekst' });
    expect(withdrawn.agreement.openAmendment).toBeUndefined();
    expect(withdrawn.notifications.map((n) => n.type)).toEqual([
      'amendment.withdrawn',
      'amendment.withdrawn',
    ]);
    const again = domainError(() =>
      withdrawAmendment(agreement, withdrawn.amendment, 'controller', controllerActor, undefined, NOW),
    );
    expect(again.extra.currentStatus).toBe('WITHDRAWN');
  });

  it('tells both parties who withdrew it and why', () => {
    const { amendment, agreement } = opened();
    const withdrawn = withdrawAmendment(
      agreement,
      amendment,
      'controller',
      controllerActor,
      'Feil tekst',
      NOW,
    );
    expect(withdrawn.notifications.map((n) => n.details)).toEqual([
      {
        amendmentId: amendment.id,
        number: amendment.number,
        withdrawnBy: 'controller',
        reason: 'Feil tekst',
      },
      {
        amendmentId: amendment.id,
        number: amendment.number,
        withdrawnBy: 'controller',
        reason: 'Feil tekst',
      },
    ]);
  });

  it('tells both parties which signature deadline passed when it expires by it', () => {
    const { amendment, agreement } = opened();
    const expired = expireAmendment(
      agreement,
      amendment,
      'SIGNATURE_DEADLINE',
      undefined,
      new Date('2026-12-31T23:00:00.000Z'),
    );
    expect(expired?.notifications[0]?.details).toEqual({
      amendmentId: amendment.id,
      number: amendment.number,
      because: 'SIGNATURE_DEADLINE',
      signatureDeadline: amendment.signatureDeadline,
    });
  });

  it('expires by the deadline only once it has passed', () => {
    const { amendment, agreement } = opened();
    expect(expireAmendment(agreement, amendment, 'SIGNATURE_DEADLINE', undefined, NOW)).toBeUndefined();
    const expired = expireAmendment(
      agreement,
      amendment,
      'SIGNATURE_DEADLINE',
      undefined,
      new Date('2026-12-31T23:00:00.000Z'),
    );
    expect(expired?.amendment).toMatchObject({ status: 'EXPIRED', expiredBecause: 'SIGNATURE_DEADLINE' });
    expect(expired?.agreement.openAmendment).toBeUndefined();
  });

  it('expires a signed amendment not yet in effect when the agreement terminates', () => {
    const { amendment, agreement } = opened();
    const signed = { ...amendment, status: 'SIGNED' as const, effectiveFrom: '2027-01-01' };
    const expired = expireAmendment(agreement, signed, 'AGREEMENT_TERMINATED', undefined, NOW);
    expect(expired?.amendment).toMatchObject({ status: 'EXPIRED', expiredBecause: 'AGREEMENT_TERMINATED' });
    expect(
      expireAmendment(
        agreement,
        { ...amendment, status: 'IN_FORCE' },
        'AGREEMENT_TERMINATED',
        undefined,
        NOW,
      ),
    ).toBeUndefined();
  });
});

describe('rule 13: the weekly reminder of a missing amendment signature', () => {
  const { amendment } = propose();
  const due = (
    dueOn: string,
    subject: unknown,
    agreement = inForce(),
    at = new Date(`${dueOn}T06:00:00.000Z`),
  ) => decideReminder({ kind: `amendment-signature-missing#${AMENDMENT_ID}`, dueOn }, agreement, at, subject);

  it('goes weekly to each party that has not signed, until the deadline', () => {
    const decision = due('2026-12-08', amendment);
    expect(decision.notifications.map((n) => [n.type, n.recipientOrgNumber])).toEqual([
      ['reminder.amendment-signature-missing', CONTROLLER_ORG],
      ['reminder.amendment-signature-missing', inForce().processor.orgNumber],
    ]);
    expect(decision.nextDueOn).toBe('2026-12-15');
    expect(due('2026-12-29', amendment).nextDueOn).toBeUndefined();
  });

  it('skips the party that has signed', () => {
    const signedByProcessor = sign('processor', amendment).amendment;
    expect(due('2026-12-08', signedByProcessor).notifications.map((n) => n.recipientOrgNumber)).toEqual([
      CONTROLLER_ORG,
    ]);
  });

  it('is dropped unsent once the amendment is closed, the agreement terminated, or the amendment gone', () => {
    expect(due('2026-12-08', { ...amendment, status: 'WITHDRAWN' })).toEqual({ notifications: [] });
    expect(due('2026-12-08', amendment, inForce({ status: 'TERMINATED' }))).toEqual({ notifications: [] });
    expect(due('2026-12-08', undefined)).toEqual({ notifications: [] });
  });
});

describe('rule 13: Vedlegg 3 within the new scope when the amendment is concluded', () => {
  it('refuses the second signature of a scope that no longer covers a sub-processor approved since', () => {
    const scope = { ...inForce().scope, personalDataTypes: ['Navn', 'Telefonnummer'] };
    const { amendment } = propose(inForce(), { changes: { scope } });
    const first = sign('processor', amendment).amendment;
    const approvedSince = [{ id: 'sp-9', name: 'Nyhuset AS', personalDataTypes: ['Adresse'] }];
    const signLast = (approved: typeof approvedSince) =>
      signAmendment(
        inForce(),
        first,
        'controller',
        { signatory: { name: 'Kari', title: 'Leder' }, place: 'Radøy', contentHash: amendment.contentHash },
        NOW,
        undefined,
        approved,
      );
    const error = domainError(() => signLast(approvedSince));
    expect(error.kind).toBe('conflict');
    expect(error.message).toContain('Nyhuset AS (sp-9: Adresse)');
    expect(signLast([{ id: 'sp-1', name: 'Drift AS', personalDataTypes: ['Navn'] }]).completes).toBe(true);
  });
});

describe('rule 13: the agreed effective date, beside the changes or among them', () => {
  it('takes effectiveFrom among the changes as the agreed date, never as content', () => {
    const { amendment } = propose(inForce(), {
      changes: { securityMeasures: stronger, effectiveFrom: '2027-01-01' },
    });
    expect(amendment.agreedEffectiveFrom).toBe('2027-01-01');
    expect(amendment.changes).toEqual({ securityMeasures: stronger });
    expect(amendment.contentHash).toBe(
      contentHashOf({ ...contentOf(inForce()), securityMeasures: stronger }),
    );
  });

  it('refuses two different dates (400 naming changes.effectiveFrom) and changes of nothing but the date', () => {
    const both = amendmentProposalSchema.safeParse({
      changes: { title: 'Ny', effectiveFrom: '2027-01-01' },
      reason: 'x',
      effectiveFrom: '2027-02-01',
    });
    expect(both.success).toBe(false);
    expect(both.error?.issues.map((issue) => issue.path.join('.'))).toEqual(['changes.effectiveFrom']);
    const onlyDate = amendmentProposalSchema.safeParse({
      changes: { effectiveFrom: '2027-01-01' },
      reason: 'x',
    });
    expect(onlyDate.error?.issues.map((issue) => issue.message)).toEqual(['must change at least one field']);
  });
});
