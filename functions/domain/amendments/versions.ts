import { compareDates } from '../calendar.ts';
import { DomainError, validationError } from '../errors.ts';
import type { Agreement } from '../schemas.ts';
import { type ContentVersion, firstVersion } from './rules.ts';

/**
 * Rule 13: an agreement's content versions, numbered 1 (as first signed), 2 (after the first amendment
 * took effect), ... Until an amendment takes effect none is stored and version 1 is the agreement's
 * own content; an agreement that never entered into force has no version yet.
 */
export function contentVersionsOf(agreement: Agreement, stored: readonly ContentVersion[]): ContentVersion[] {
  if (stored.length > 0) return [...stored].sort((a, b) => a.number - b.number);
  return agreement.effectiveFrom ? [firstVersion(agreement)] : [];
}

/** Version `number`, or 404 naming `field`, the query or path parameter that asked for it. */
export function versionNumbered(
  versions: readonly ContentVersion[],
  number: number,
  field: { name: string; in: 'query' | 'path' },
): ContentVersion {
  const version = versions.find((candidate) => candidate.number === number);
  if (version) return version;
  throw new DomainError(
    'not-found',
    `The agreement has no content version ${number} (${field.in} parameter ${field.name}): ${
      versions.length === 0
        ? 'it has not entered into force'
        : `its content versions are 1 to ${versions.length}`
    }`,
    { errors: [{ field: field.name, message: `no content version ${number}` }] },
  );
}

/**
 * The version in force at the end of `date` in Oslo: the last to have taken effect on or before it.
 * A day before the agreement entered into force has none (404 naming `on`); a future day is not known
 * yet (400), as for Vedlegg 3.
 */
export function versionInForceOn(
  versions: readonly ContentVersion[],
  date: string,
  today: string,
): ContentVersion {
  if (compareDates(date, today) > 0) {
    throw validationError('The content in force on a future day is not known yet', [
      { field: 'on', message: `may not be after today (${today})` },
    ]);
  }
  const inForce = versions.filter(
    (version) => version.effectiveFrom && compareDates(version.effectiveFrom, date) <= 0,
  );
  const version = inForce.at(-1);
  if (version) return version;
  throw new DomainError(
    'not-found',
    `No content of the agreement was in force on ${date} (query parameter on)`,
    {
      errors: [{ field: 'on', message: `nothing was in force on ${date}` }],
    },
  );
}

/** The agreement record with a version's content, hash and signatures in place of the current ones. */
export function agreementAsOf(agreement: Agreement, version: ContentVersion): Agreement {
  return {
    ...agreement,
    ...version.content,
    contentHash: version.contentHash,
    contentVersion: version.number,
    signatures: version.signatures,
  };
}
