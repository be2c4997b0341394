import { lazySchema } from '../../domain/lazy-schema.ts';
import type { Agreement } from '../../domain/schemas.ts';
import * as z from '../../domain/zod.ts';
import { toStored } from '../../store/agreements-store.ts';
import { amendmentKey, type StoredAmendment, toStoredAmendment } from '../../store/amendments-store.ts';
import { getItems } from '../../store/query.ts';
import { agreementKey } from '../../store/table-layout.ts';

/** The amendment workflow's input (functions/shared/workflows.ts starts it), handed to each of its tasks. */
export const amendmentTaskInput = /* @__PURE__ */ lazySchema(() =>
  z.object({ agreementId: z.uuid(), amendmentId: z.uuid() }),
);
export type AmendmentTaskInput = z.infer<typeof amendmentTaskInput>;

export class AmendmentMissing extends Error {
  override name = 'AmendmentMissing';
  constructor(agreementId: string, amendmentId: string) {
    super(`No amendment ${amendmentId} of agreement ${agreementId}`);
  }
}

/** The agreement and the amendment, in one round trip. */
export async function readAmendment({
  agreementId,
  amendmentId,
}: AmendmentTaskInput): Promise<{ agreement: Agreement; stored: StoredAmendment }> {
  const [agreementItem, amendmentItem] = await getItems([
    agreementKey(agreementId),
    amendmentKey(agreementId, amendmentId),
  ]);
  if (!agreementItem || !amendmentItem) throw new AmendmentMissing(agreementId, amendmentId);
  return { agreement: toStored(agreementItem).agreement, stored: toStoredAmendment(amendmentItem) };
}

/** Runs a read-decide-write again while another change wins the race (then it reports that change). */
export async function retryingRace<T>(attempt: () => Promise<T | undefined>, what: string): Promise<T> {
  for (let round = 0; round < 5; round += 1) {
    const result = await attempt();
    if (result !== undefined) return result;
  }
  throw new Error(`The amendment kept changing while ${what}`);
}
