import type { Agreement, Notification, PartyRole } from './schemas.ts';

/**
 * A notification to one or both parties. The id is derived from what it is about (`key`), so the same
 * notification is never sent twice however often a task or a daily run is repeated.
 */
export function notificationsFor(
  agreement: Pick<Agreement, 'id' | 'title' | 'controller' | 'processor'>,
  recipients: readonly PartyRole[],
  message: { type: string; key: string; subject: string; details?: Record<string, unknown> },
  at: Date,
): Notification[] {
  return recipients.map((role) => ({
    id: `${message.type}:${agreement.id}:${message.key}`,
    at: at.toISOString(),
    type: message.type,
    recipientOrgNumber: agreement[role].orgNumber,
    agreementId: agreement.id,
    subject: `${message.subject}: ${agreement.title}`,
    ...(message.details ? { details: message.details } : {}),
  }));
}

export const BOTH_PARTIES: readonly PartyRole[] = ['controller', 'processor'];
