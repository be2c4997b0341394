import { lazySchema } from '../domain/lazy-schema.ts';
import { partyRoleSchema } from '../domain/schemas.ts';
import * as z from '../domain/zod.ts';
import { taskHandler } from '../shared/task.ts';
import { completeTask, failTask } from '../shared/workflows.ts';
import { getAgreement, storeSigningToken } from '../store/agreements-store.ts';
import { AgreementMissing } from './agreement-input.ts';

const input = /* @__PURE__ */ lazySchema(() =>
  z.object({
    agreementId: z.uuid(),
    party: partyRoleSchema,
    taskToken: z.string().check(z.minLength(1)),
  }),
);

/**
 * Starts the wait for one party's signature. A signature that came before the wait completes it at
 * once; otherwise the token is stored for POST /signatures to complete. If the agreement left
 * AWAITING_SIGNATURES (cancelled, expired), the wait ends with SigningClosed.
 */
export const handler = taskHandler(input, async ({ agreementId, party, taskToken }) => {
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const stored = await getAgreement(agreementId);
    if (!stored) throw new AgreementMissing(agreementId);
    const { agreement } = stored;
    const signature = agreement.signatures.find((s) => s.party === party);
    if (signature) {
      await completeTask(taskToken, { party, signedOn: signature.signedOn });
      return { waiting: false };
    }
    if (agreement.status !== 'AWAITING_SIGNATURES') {
      await failTask(taskToken, 'SigningClosed', `The agreement is ${agreement.status}`);
      return { waiting: false };
    }
    // Fails if the agreement changed since it was read (e.g. a signature arrived): read again.
    if (await storeSigningToken(agreementId, party, taskToken, agreement.version)) return { waiting: true };
  }
  throw new Error(`The agreement ${agreementId} kept changing while the signature wait was registered`);
});
