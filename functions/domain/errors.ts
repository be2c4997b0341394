import type { AmendmentStatus } from './amendments/schemas.ts';
import type { InstructionStatus } from './instructions/schemas.ts';
import type { AgreementStatus, SubProcessorStatus } from './schemas.ts';

/** The state a 409 reports: the agreement's, a sub-processor request's, an amendment's or an instruction's. */
export type CurrentStatus = AgreementStatus | SubProcessorStatus | AmendmentStatus | InstructionStatus;

/** Named errors of the domain; `functions/shared/problem.ts` maps each to one HTTP status. */
export class DomainError extends Error {
  constructor(
    readonly kind:
      | 'validation'
      | 'forbidden'
      | 'not-found'
      | 'conflict'
      | 'precondition-failed'
      | 'precondition-required'
      | 'too-large'
      | 'unauthorized'
      | 'unprocessable'
      | 'unsupported-media-type',
    message: string,
    readonly extra: {
      errors?: { field: string; message: string }[];
      currentStatus?: CurrentStatus;
      /** A signature for other content than the agreement's (rule 12): the hash it has now. */
      contentHash?: string;
    } = {},
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const validationError = (message: string, errors: { field: string; message: string }[]) =>
  new DomainError('validation', message, { errors });
export const forbidden = (message: string) => new DomainError('forbidden', message);
export const notFound = (message = 'No agreement with that id exists for your organisation') =>
  new DomainError('not-found', message);
export const conflict = (message: string, currentStatus?: CurrentStatus) =>
  new DomainError('conflict', message, currentStatus ? { currentStatus } : {});

/** The start of the message of a conflict caused by another request's write, not by the state itself. */
export const CONCURRENT_CHANGE = 'The agreement was changed by another request';
