import { describe, expect, it } from 'vitest';
import { newBreachReport, reportedHistory } from '../../../functions/domain/breaches.ts';
import { draftAgreement, PROCESSOR_ORG } from './agreement-fixture.ts';
import { BREACH_ID, breachBody } from './breach-fixture.ts';

const processorActor = { orgNumber: PROCESSOR_ORG, clientId: 'nav-system', person: 'Ola Testesen' };

describe('the history entry of a breach report (rules 9 and 10)', () => {
  it('records who reported when, and the deadlines of both parties, without the report’s content', () => {
    const record = newBreachReport({
      agreement: draftAgreement({ status: 'IN_FORCE', breachNotificationHours: 36 }),
      request: breachBody(),
      actor: processorActor,
      id: BREACH_ID,
      now: new Date('2026-11-21T10:00:00Z'),
    });

    const entry = reportedHistory(record, processorActor);

    expect(entry).toEqual({
      at: '2026-11-21T10:00:00.000Z',
      type: 'BREACH_REPORTED',
      actor: processorActor,
      details: {
        breachId: BREACH_ID,
        reporter: 'processor',
        becameAwareAt: '2026-11-20T08:30:00.000Z',
        reportedLate: false,
        notificationDeadline: '2026-11-21T20:30:00.000Z',
        outsideScope: ['Fødselsnummer'],
        supervisoryAuthorityDeadline: '2026-11-24T10:00:00.000Z',
      },
    });
  });
});
