import { DomainError } from '../errors.ts';
import type { Agreement } from '../schemas.ts';

/**
 * Rule 13 numbers an agreement's content versions 1 (as first signed), 2 (after the first amendment
 * takes effect), ... Amendments do not exist yet, so the agreement's content as it is now is version 1,
 * and the only one.
 */
export const CURRENT_CONTENT_VERSION = 1;

/**
 * The agreement with the content of the version asked for (the current one when none is), and its
 * number; a version the agreement does not have is 404 naming `version`.
 */
export function contentVersionOf(
  agreement: Agreement,
  requested: number | undefined,
): { version: number; agreement: Agreement } {
  if (requested === undefined || requested === CURRENT_CONTENT_VERSION) {
    return { version: CURRENT_CONTENT_VERSION, agreement };
  }
  throw new DomainError(
    'not-found',
    `The agreement has no content version ${requested} (query parameter version): its content versions are 1 to ${CURRENT_CONTENT_VERSION}`,
    { errors: [{ field: 'version', message: `no content version ${requested}` }] },
  );
}
