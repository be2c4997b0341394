import { historyEntry, nextVersion } from '../domain/changes.ts';
import { conflict, forbidden } from '../domain/errors.ts';
import { canTransition } from '../domain/lifecycle.ts';
import { BOTH_PARTIES, notificationsFor } from '../domain/notifications.ts';
import { SIGNING_REMINDERS } from '../domain/reminders.ts';
import { cancelRequestSchema } from '../domain/schemas.ts';
import { actorOf } from '../shared/caller.ts';
import { now } from '../shared/clock.ts';
import { etagOf, httpHandler } from '../shared/http.ts';
import { failTask, notifyWorkflow } from '../shared/workflows.ts';
import { saveChange } from '../store/agreements-store.ts';
import { retryOnStaleRead } from '../store/items.ts';
import { auditEntry, loadForParty } from './agreement-access.ts';
import { idempotent } from './idempotency.ts';

/**
 * The creator withdraws an agreement before it enters into force; a waiting signing workflow ends.
 * Two round trips: the agreement (with the signing waits' tokens) is read, and the cancellation written
 * only if the tokens are still the ones read, so every wait registered before it is ended with them
 * (a wait registering in between makes the write fail, and it is decided again on a fresh read; one
 * registering after it finds the agreement CANCELLED and ends itself).
 */
export const handler = httpHandler(
  { body: cancelRequestSchema },
  idempotent(async ({ caller, body, params, route }) => {
    const { cancelled, tokens } = await retryOnStaleRead(async () => {
      const { stored, agreement, role } = await loadForParty(params.id, caller);
      if (agreement.createdBy.orgNumber !== caller.orgNumber) {
        throw forbidden('Only the party that created the agreement may cancel it');
      }
      if (!canTransition(agreement.status, 'CANCELLED')) {
        throw conflict(
          `An agreement that is ${agreement.status} can no longer be cancelled`,
          agreement.status,
        );
      }
      const at = now();
      const cancelled = nextVersion(agreement, { status: 'CANCELLED', cancelledAt: at.toISOString() }, at);
      await saveChange({
        before: agreement,
        after: cancelled,
        history: [
          historyEntry(actorOf(caller), 'CANCELLED', at, {
            from: agreement.status,
            to: 'CANCELLED',
            ...(body.reason ? { details: { reason: body.reason } } : {}),
          }),
        ],
        audit: auditEntry(caller, 'agreement.cancel', route, at),
        reminders: { remove: SIGNING_REMINDERS },
        notifications: notificationsFor(
          cancelled,
          BOTH_PARTIES,
          {
            type: 'agreement.cancelled',
            key: 'cancelled',
            subject: 'Agreement withdrawn',
            // Who withdrew it and why, in the creator's own words (rule 15).
            details: { cancelledBy: role, ...(body.reason ? { reason: body.reason } : {}) },
          },
          at,
        ),
        signingTokensAsRead: { roles: ['controller', 'processor'], tokens: stored.signingTokens },
      });
      return { cancelled, tokens: stored.signingTokens };
    });
    for (const token of Object.values(tokens)) {
      await notifyWorkflow('end the signature wait', () =>
        failTask(token, 'SigningClosed', 'The agreement was cancelled'),
      );
    }
    return { status: 200, body: cancelled, headers: { etag: etagOf(cancelled.version) } };
  }),
);
