import type { ContentVersion } from '../amendments/rules.ts';
import { agreementAsOf, contentVersionsOf, versionNumbered } from '../amendments/versions.ts';
import type { Agreement } from '../schemas.ts';

/**
 * The agreement with the content of the version asked for (the current one when none is), and its
 * number; a version the agreement does not have is 404 naming `version`. An agreement not yet in
 * force renders its draft content as the version 1 it will be.
 */
export function contentVersionOf(
  agreement: Agreement,
  stored: readonly ContentVersion[],
  requested: number | undefined,
): { version: number; agreement: Agreement } {
  const versions = contentVersionsOf(agreement, stored);
  if (requested === undefined) {
    const current = versions.at(-1);
    return current
      ? { version: current.number, agreement: agreementAsOf(agreement, current) }
      : { version: 1, agreement };
  }
  if (versions.length === 0 && requested === 1) return { version: 1, agreement };
  const version = versionNumbered(versions, requested, { name: 'version', in: 'query' });
  return { version: version.number, agreement: agreementAsOf(agreement, version) };
}
