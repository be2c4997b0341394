import { historyEntry, nextVersion } from '../domain/changes.ts';
import { BOTH_PARTIES, notificationsFor } from '../domain/notifications.ts';
import { requireRole } from '../domain/parties.ts';
import { decideAttestation } from '../domain/termination.ts';
import {
  ATTESTATION_MISSING,
  DISPOSITION_MISSING,
  RETENTION_REVIEW,
  retentionReviewReminder,
} from '../domain/termination-reminders.ts';
import { attestationRequestSchema } from '../domain/termination-schemas.ts';
import { actorOf } from '../shared/caller.ts';
import { now } from '../shared/clock.ts';
import { etagOf, httpHandler } from '../shared/http.ts';
import { completeTask, notifyWorkflow } from '../shared/workflows.ts';
import { saveChange } from '../store/agreements-store.ts';
import { retryOnStaleRead } from '../store/items.ts';
import { auditEntry } from './agreement-access.ts';
import { idempotent } from './idempotency.ts';
import { loadForPartyWithTerminationWait } from './termination-access.ts';

/**
 * Rule 6: the processor attests in writing that the data were returned or deleted as the controller
 * chose. TERMINATED -> CLOSED, or -> RETAINED_UNDER_LAW when EEA law requires keeping some data (legal
 * basis and review date recorded); RETAINED_UNDER_LAW -> CLOSED with the final deletion attestation.
 * The latest attestation is on the agreement; every attestation is in its history.
 *
 * Two round trips: the agreement and the wait's token item are read together, and the attestation
 * written only if the token is still the one read (else all is read again).
 */
export const handler = httpHandler(
  { body: attestationRequestSchema },
  idempotent(async ({ caller, body, params, route }) => {
    const result = await retryOnStaleRead(async () => {
      const { agreement, role, token, tokenAsRead } = await loadForPartyWithTerminationWait(
        params.id,
        caller,
        'attestation',
      );
      requireRole(role, 'processor', 'attest the return or deletion of the data');
      const at = now();
      const { attestation, status } = decideAttestation(agreement, body, actorOf(caller), at);
      const attested = nextVersion(
        agreement,
        { attestation, status, ...(status === 'CLOSED' ? { closedAt: at.toISOString() } : {}) },
        at,
      );
      const retained = attestation.retainedUnderLaw;
      await saveChange({
        before: agreement,
        after: attested,
        history: [
          historyEntry(actorOf(caller), 'DATA_DISPOSITION_ATTESTED', at, {
            details: {
              method: attestation.method,
              completedOn: attestation.completedOn,
              statement: attestation.statement,
              signatory: attestation.signatory,
              ...(retained ? { retainedUnderLaw: retained } : {}),
              final: agreement.status === 'RETAINED_UNDER_LAW',
            },
          }),
          historyEntry(actorOf(caller), status, at, {
            from: agreement.status,
            to: status,
            ...(retained
              ? { details: { legalBasis: retained.legalBasis, reviewOn: retained.reviewOn } }
              : {}),
          }),
        ],
        audit: auditEntry(caller, 'agreement.data-disposition-attestation', route, at),
        reminders: retained
          ? {
              remove: [ATTESTATION_MISSING, DISPOSITION_MISSING],
              put: [retentionReviewReminder(agreement.id, retained.reviewOn)],
            }
          : { remove: [ATTESTATION_MISSING, DISPOSITION_MISSING, RETENTION_REVIEW] },
        notifications: [
          ...notificationsFor(
            attested,
            BOTH_PARTIES,
            {
              type: 'agreement.data-disposition-attested',
              key: String(attested.version),
              subject: `The processor attested ${attestation.method === 'RETURN' ? 'return' : 'deletion'} of the data`,
              details: {
                method: attestation.method,
                completedOn: attestation.completedOn,
                ...(retained ? { retainedUnderLaw: retained } : {}),
              },
            },
            at,
          ),
          ...notificationsFor(
            attested,
            BOTH_PARTIES,
            status === 'CLOSED'
              ? { type: 'agreement.closed', key: 'closed', subject: 'Agreement closed' }
              : {
                  type: 'agreement.retained-under-law',
                  key: 'retained',
                  subject: `Some data are kept under law until reviewed on ${retained?.reviewOn}`,
                  details: { ...retained },
                },
            at,
          ),
        ],
        // Only a TERMINATED agreement's workflow waits for the attestation.
        ...(agreement.status === 'TERMINATED' ? { readChecks: [tokenAsRead] } : {}),
      });
      return { attested, status, token: agreement.status === 'TERMINATED' ? token : undefined };
    });
    const { attested, status, token } = result;
    if (token) {
      await notifyWorkflow('complete the wait for the attestation', () => completeTask(token, { status }));
    }
    return { status: 201, body: attested, headers: { etag: etagOf(attested.version) } };
  }),
);
