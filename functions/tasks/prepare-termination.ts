import { terminationTimestamp } from '../domain/termination.ts';
import { now } from '../shared/clock.ts';
import { taskHandler } from '../shared/task.ts';
import { getAgreement } from '../store/agreements-store.ts';
import { AgreementMissing, agreementTaskInput } from './agreement-input.ts';

/**
 * Where the termination stands: the agreement's status, and the instant its `terminatesOn` ends in
 * Oslo as an absolute timestamp for the Wait. Recomputed from the record whenever the workflow
 * (re)starts, so a workflow resumed after a restart still terminates on the right day.
 */
export const handler = taskHandler(agreementTaskInput, async ({ agreementId }) => {
  const stored = await getAgreement(agreementId);
  if (!stored) throw new AgreementMissing(agreementId);
  const { status, terminatesOn } = stored.agreement;
  const terminatesAt = terminatesOn
    ? terminationTimestamp(terminatesOn)
    : now()
        .toISOString()
        .replace(/\.\d{3}Z$/, 'Z');
  return { status, terminatesAt, ...(terminatesOn ? { terminatesOn } : {}) };
});
