import type { BreachRecord, BreachReportRequest } from './breach-schemas.ts';
import { conflict, validationError } from './errors.ts';
import { requireRole } from './parties.ts';
import type { Actor, Agreement, AgreementStatus, PartyRole } from './schemas.ts';

const HOUR_MS = 3_600_000;
/** GDPR Art. 33: the controller notifies Datatilsynet within 72 hours of becoming aware. */
export const SUPERVISORY_AUTHORITY_HOURS = 72;

/**
 * While the processor holds personal data under the agreement a breach can happen or come to light:
 * in force, in the notice period, and after termination until the data are gone.
 */
export const BREACH_REPORTABLE_STATES: readonly AgreementStatus[] = [
  'IN_FORCE',
  'NOTICE_PERIOD',
  'TERMINATED',
  'RETAINED_UNDER_LAW',
];

/**
 * Rule 9: the processor reports to the controller no later than the agreed number of hours after it
 * became aware. The report is always accepted (a late report is better than none) and marked late.
 * Only the controller informs Datatilsynet, within 72 hours of the processor becoming aware.
 */
export function decideBreachReport(input: {
  agreement: Agreement;
  role: PartyRole;
  request: BreachReportRequest;
  actor: Actor;
  id: string;
  now: Date;
}): BreachRecord {
  const { agreement, request, now } = input;
  requireRole(input.role, 'processor', 'report a breach');
  if (!BREACH_REPORTABLE_STATES.includes(agreement.status)) {
    throw conflict(
      `A breach can be reported while the processor holds data under the agreement; this one is ${agreement.status}`,
      agreement.status,
    );
  }
  const awareAt = new Date(request.becameAwareAt);
  if (awareAt.getTime() > now.getTime()) {
    throw validationError('Invalid breach report', [
      { field: 'becameAwareAt', message: 'may not be in the future' },
    ]);
  }
  const notificationDeadline = new Date(awareAt.getTime() + agreement.breachNotificationHours * HOUR_MS);
  return {
    id: input.id,
    agreementId: agreement.id,
    ...request,
    becameAwareAt: awareAt.toISOString(),
    reportedAt: now.toISOString(),
    reportedBy: input.actor,
    notificationDeadline: notificationDeadline.toISOString(),
    reportedLate: now.getTime() > notificationDeadline.getTime(),
    supervisoryAuthorityDeadline: new Date(
      awareAt.getTime() + SUPERVISORY_AUTHORITY_HOURS * HOUR_MS,
    ).toISOString(),
  };
}
