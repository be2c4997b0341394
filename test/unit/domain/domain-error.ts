import { DomainError } from '../../../functions/domain/errors.ts';

/** The domain error a call throws, for asserting its kind, detail, status and fields. */
export function domainErrorOf(call: () => unknown): DomainError {
  try {
    call();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a DomainError');
}
