import { historyEntry, nextVersion } from '../domain/changes.ts';
import { BOTH_PARTIES, notificationsFor } from '../domain/notifications.ts';
import { SIGNING_REMINDERS } from '../domain/reminders.ts';
import { signatureRequestSchema } from '../domain/schemas.ts';
import { decideSignature } from '../domain/signing.ts';
import { initialAppendix } from '../domain/sub-processors.ts';
import { actorOf } from '../shared/caller.ts';
import { now } from '../shared/clock.ts';
import { etagOf, httpHandler } from '../shared/http.ts';
import { countMetric } from '../shared/observability.ts';
import { completeTask, notifyWorkflow } from '../shared/workflows.ts';
import { saveChange } from '../store/agreements-store.ts';
import { retryOnStaleRead } from '../store/items.ts';
import { initialAppendixWrites } from '../store/sub-processors-store.ts';
import { auditEntry, loadForParty, retryOnConcurrentChange } from './agreement-access.ts';
import { idempotent } from './idempotency.ts';

/**
 * Records the caller's party's signature; the second one puts the agreement in force at once
 * (effectiveFrom = the later signature's date). The signing workflow learns of it through its task
 * token; if the workflow has not reached its wait yet, it finds the signature there when it does.
 *
 * Two round trips: the agreement (with the workflow's tokens) is read, and the signature written only
 * if the party's token is still the one read: a wait registering its token in between makes the write
 * fail and the signature is decided again on a fresh read. A wait registering after the write finds
 * the agreement at a new version, fails to store its token, reads again and finds the signature.
 */
export const handler = httpHandler(
  { body: signatureRequestSchema },
  idempotent(async ({ caller, body, params, route }) => {
    // Rule 3: order does not matter, so two parties signing at the same moment both succeed: the one
    // whose write lost the race reads the agreement again and signs the version it finds.
    const { role, signed, signature, token } = await retryOnStaleRead(() =>
      retryOnConcurrentChange(async () => {
        const { stored, agreement, role } = await loadForParty(params.id, caller);
        const at = now();
        const { signature, completes, effectiveFrom } = decideSignature(
          agreement,
          role,
          body,
          at,
          caller.person,
        );
        const signed = nextVersion(
          agreement,
          {
            signatures: [...agreement.signatures, signature],
            ...(completes ? { status: 'IN_FORCE' as const, effectiveFrom } : {}),
          },
          at,
        );
        // Rule 7: the draft's sub-processors are approved by the two signatures, so Vedlegg 3 starts now.
        const appendix = completes
          ? initialAppendix(signed, actorOf(caller), at, () => crypto.randomUUID())
          : undefined;
        await saveChange({
          before: agreement,
          after: signed,
          history: [
            historyEntry(actorOf(caller), 'SIGNED', at, {
              details: { party: role, signedOn: signature.signedOn, place: signature.place },
            }),
            ...(completes
              ? [
                  historyEntry(actorOf(caller), 'ENTERED_INTO_FORCE', at, {
                    from: agreement.status,
                    to: 'IN_FORCE',
                    details: { effectiveFrom },
                  }),
                ]
              : []),
            ...(appendix?.history ?? []),
          ],
          audit: auditEntry(caller, 'agreement.sign', route, at),
          ...(completes ? { reminders: { remove: SIGNING_REMINDERS } } : {}),
          ...(appendix?.head
            ? { extraWrites: initialAppendixWrites(signed.id, appendix.records, appendix.head) }
            : {}),
          notifications: notificationsFor(
            signed,
            BOTH_PARTIES,
            {
              type: 'agreement.signed',
              key: role,
              subject: `Signed by the ${role}`,
              // What the e-mail needs to say what is left (rule 15): the other party's deadline, or
              // that this signature put the agreement in force and from when.
              details: {
                party: role,
                signedOn: signature.signedOn,
                status: signed.status,
                signatureDeadline: agreement.signatureDeadline,
                ...(completes ? { effectiveFrom } : {}),
              },
            },
            at,
          ),
          signingTokensAsRead: { roles: [role], tokens: stored.signingTokens },
        });
        return { role, signed, signature, token: stored.signingTokens[role] };
      }),
    );
    if (signed.status === 'IN_FORCE') countMetric('agreementEnteredIntoForce');
    if (token) {
      await notifyWorkflow('complete the signature wait', () =>
        completeTask(token, { party: role, signedOn: signature.signedOn }),
      );
    }
    return { status: 201, body: signed, headers: { etag: etagOf(signed.version) } };
  }),
);
