import { applyAmendment, signAmendment, workflowOutcome } from '../../domain/amendments/rules.ts';
import { amendmentSignatureRequestSchema } from '../../domain/amendments/schemas.ts';
import { historyEntry, nextVersion } from '../../domain/changes.ts';
import { notFound } from '../../domain/errors.ts';
import { BOTH_PARTIES, notificationsFor } from '../../domain/notifications.ts';
import { actorOf } from '../../shared/caller.ts';
import { now } from '../../shared/clock.ts';
import { httpHandler } from '../../shared/http.ts';
import { completeTask, notifyWorkflow } from '../../shared/workflows.ts';
import { saveChange } from '../../store/agreements-store.ts';
import { amendmentWrite, versionWrites } from '../../store/amendments-store.ts';
import { retryOnStaleRead } from '../../store/items.ts';
import { appendixAsRead, toAppendixHead } from '../../store/sub-processors-store.ts';
import { auditEntry, retryOnConcurrentChange } from '../agreement-access.ts';
import { idempotent } from '../idempotency.ts';
import { approvedSubProcessors, loadAmendmentForParty, NO_SUCH_AMENDMENT } from './access.ts';

/**
 * Records the caller's party's signature of an amendment, naming the hash of the amended content
 * (rule 13). The second signature puts it in force at once when its effective date has come (the
 * content becomes the next version in the same transaction), or leaves it SIGNED until that day; the
 * amendment workflow learns of it through its task token. Two round trips: the agreement with the
 * amendment, then the change, conditional on the agreement's version and the token as read.
 */
export const handler = httpHandler(
  { body: amendmentSignatureRequestSchema },
  idempotent(async ({ caller, body, params, route }) => {
    const { amendment, token } = await retryOnStaleRead(() =>
      retryOnConcurrentChange(async () => {
        const {
          agreement,
          role,
          amendment: stored,
          appendixItem,
        } = await loadAmendmentForParty(params.id, params.amendmentId, caller, { withAppendix: true });
        if (!stored) throw notFound(NO_SUCH_AMENDMENT);
        const at = now();
        const actor = actorOf(caller);
        // A new scope must still cover Vedlegg 3 as it stands when the amendment is concluded (the
        // second signature); the write then relies on Vedlegg 3 being as read.
        const concludesScope =
          stored.amendment.changes.scope !== undefined && stored.amendment.signatures.length > 0;
        const approved = concludesScope ? await approvedSubProcessors(agreement.id, appendixItem) : [];
        const signing = signAmendment(agreement, stored.amendment, role, body, at, caller.person, approved);
        const effect = signing.appliesNow
          ? applyAmendment(agreement, signing.amendment, actor, at)
          : undefined;
        const amendment = effect?.amendment ?? signing.amendment;
        const signature = amendment.signatures.at(-1)!;
        await saveChange({
          before: agreement,
          after: effect?.agreement ?? nextVersion(agreement, {}, at),
          history: [
            historyEntry(actor, 'AMENDMENT_SIGNED', at, {
              details: {
                amendmentId: amendment.id,
                number: amendment.number,
                party: role,
                signedOn: signature.signedOn,
                place: signature.place,
                contentHash: signature.contentHash,
              },
            }),
            ...(effect?.history ?? []),
          ],
          audit: {
            ...auditEntry(caller, 'amendment.sign', route, at),
            details: { amendmentId: amendment.id },
          },
          notifications: [
            ...notificationsFor(
              agreement,
              BOTH_PARTIES,
              {
                type: 'amendment.signed',
                key: `${amendment.id}:${role}`,
                subject: `Amendment ${amendment.number} signed by the ${role}`,
                // What is left (rule 15): the other party signs the same content by the deadline, or
                // both have signed and the amendment applies from its date.
                details: {
                  amendmentId: amendment.id,
                  number: amendment.number,
                  party: role,
                  status: amendment.status,
                  signedOn: signature.signedOn,
                  contentHash: amendment.contentHash,
                  signatureDeadline: amendment.signatureDeadline,
                  ...(amendment.effectiveFrom ? { effectiveFrom: amendment.effectiveFrom } : {}),
                },
              },
              at,
            ),
            ...(effect?.notifications ?? []),
          ],
          ...(signing.completes
            ? { reminders: { remove: [`amendment-signature-missing#${amendment.id}`] } }
            : {}),
          // The amendment as read (status and the workflow's token): a wait registering in between
          // makes the write fail, and the signature is decided again on a fresh read.
          readChecks: [
            amendmentWrite(agreement.id, amendment, stored),
            ...(concludesScope ? [appendixAsRead(agreement.id, toAppendixHead(appendixItem))] : []),
          ],
          ...(effect ? { extraWrites: versionWrites(agreement.id, effect.versions) } : {}),
        });
        return { amendment, token: signing.completes ? stored.taskToken : undefined };
      }),
    );
    if (token) {
      await notifyWorkflow('complete the amendment signature wait', () =>
        completeTask(token, workflowOutcome(amendment)),
      );
    }
    return { status: 201, body: amendment };
  }),
);
