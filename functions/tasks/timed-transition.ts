import { DomainError } from '../domain/errors.ts';
import type { Agreement, AgreementStatus } from '../domain/schemas.ts';
import { now } from '../shared/clock.ts';
import { getAgreement } from '../store/agreements-store.ts';
import { AgreementMissing } from './agreement-input.ts';

/** The status the agreement has, and the agreement as written when this call made the transition. */
export interface TimedOutcome {
  status: AgreementStatus;
  written?: Agreement;
}

/**
 * A transition the clock makes (EXPIRED when the signature deadline ends, TERMINATED when terminatesOn
 * ends), for the workflows' tasks and the daily run's safety nets alike. It is applied only while the
 * agreement is still `from` and the moment has really come by the clock; otherwise the status the
 * agreement has is reported. A write that loses to a concurrent change is re-read and decided again.
 */
export async function applyWhenDue(options: {
  agreementId: string;
  from: AgreementStatus;
  to: AgreementStatus;
  isDue: (agreement: Agreement, at: Date) => boolean;
  /** Writes the transition; returns the agreement as written. */
  apply: (agreement: Agreement, at: Date) => Promise<Agreement>;
}): Promise<TimedOutcome> {
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const stored = await getAgreement(options.agreementId);
    if (!stored) throw new AgreementMissing(options.agreementId);
    const { agreement } = stored;
    const at = now();
    if (agreement.status !== options.from || !options.isDue(agreement, at))
      return { status: agreement.status };
    try {
      return { status: options.to, written: await options.apply(agreement, at) };
    } catch (error) {
      if (!(error instanceof DomainError && error.kind === 'conflict')) throw error;
    }
  }
  throw new Error(`The agreement ${options.agreementId} kept changing while it became ${options.to}`);
}
