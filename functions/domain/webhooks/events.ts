/**
 * Rule 15: the event types a webhook may subscribe to, which are every notification type the system
 * emits: each type with an e-mail template (`EMAIL_TEMPLATE_TYPES` in domain/delivery/email.ts) and the
 * machine events that no person acts on. Written out rather than read from the templates, so that the
 * routes validating a subscription do not bundle every e-mail text; a test holds the two lists equal.
 */
export const NOTIFICATION_TYPES: readonly string[] = [
  'agreement.awaiting-signatures',
  'agreement.cancelled',
  'agreement.closed',
  'agreement.data-disposition-attested',
  'agreement.data-disposition-chosen',
  'agreement.expired',
  'agreement.in-force',
  'agreement.retained-under-law',
  'agreement.signed',
  'agreement.terminated',
  'agreement.termination-notice',
  'amendment.expired',
  'amendment.in-force',
  'amendment.proposed',
  'amendment.signed',
  'amendment.withdrawn',
  'audit.sealed',
  'breach.answered',
  'breach.deadline-passed',
  'breach.decided',
  'breach.question',
  'breach.reported',
  'breach.updated',
  'contact.changed',
  'escalation.attestation-overdue',
  'escalation.breach-decision',
  'escalation.disposition-overdue',
  'instruction.acknowledged',
  'instruction.confirmed',
  'instruction.given',
  'instruction.objected',
  'instruction.withdrawn',
  'oversight.closed',
  'oversight.finding-closed',
  'oversight.finding-recorded',
  'oversight.material-submitted',
  'oversight.planned',
  'reminder.amendment-signature-missing',
  'reminder.attestation-missing',
  'reminder.breach-decision',
  'reminder.disposition-missing',
  'reminder.instruction-acknowledgement',
  'reminder.instruction-objection',
  'reminder.oversight-due',
  'reminder.oversight-finding-due',
  'reminder.oversight-finding-overdue',
  'reminder.oversight-overdue',
  'reminder.request-deadline',
  'reminder.request-task',
  'reminder.retention-review',
  'reminder.signature-missing',
  'reminder.sub-processor-decision',
  'reminder.termination-ahead-30',
  'reminder.termination-ahead-7',
  'request.closed',
  'request.extended',
  'request.forwarded',
  'request.task-assigned',
  'request.task-done',
  'sub-processor.approved',
  'sub-processor.expired',
  'sub-processor.rejected',
  'sub-processor.requested',
  'sub-processor.withdrawn',
  'webhook.disabled',
];

/** `events: ["*"]`: every type, including any added later. */
export const ALL_EVENTS = '*';

/** At most this many types in one subscription (there are fewer; the bound keeps a request small). */
export const MAX_SUBSCRIBED_EVENTS = 100;

const known: ReadonlySet<string> = new Set(NOTIFICATION_TYPES);

export const isNotificationType = (type: string): boolean => known.has(type);

/** Whether a webhook subscribed to `events` gets a notification of this type. */
export function matchesEvent(webhook: { events: readonly string[] }, type: string): boolean {
  return webhook.events.includes(ALL_EVENTS) || webhook.events.includes(type);
}

/**
 * What is wrong with a subscription, as messages about the `events` field; none when it is valid:
 * `["*"]`, or 1 to 100 distinct known types.
 */
export function subscriptionProblems(events: readonly string[]): string[] {
  if (events.includes(ALL_EVENTS)) {
    return events.length === 1 ? [] : ['"*" subscribes to every event type and must stand alone'];
  }
  const problems = events
    .filter((type) => !known.has(type))
    .map((type) => `unknown event type ${JSON.stringify(type)} (see the list of notification types)`);
  const duplicates = [...new Set(events.filter((type, index) => events.indexOf(type) !== index))];
  for (const type of duplicates) problems.push(`${JSON.stringify(type)} is listed more than once`);
  return problems;
}
