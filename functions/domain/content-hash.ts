import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { Agreement } from './schemas.ts';

/**
 * Rule 12, the agreement of record: what a signatory reads and signs is the content of rule 2 without
 * the contact persons (each party replaces its own at any time, so a contact is never part of what was
 * signed). The parties, the status and the record's own bookkeeping are not content either.
 */
export const CONTENT_FIELDS = [
  'title',
  'cooperationAgreementRef',
  'scope',
  'securityMeasures',
  'subProcessors',
  'noticePeriodMonths',
  'breachNotificationHours',
] as const satisfies readonly (keyof Agreement)[];

export type AgreementContent = Pick<Agreement, (typeof CONTENT_FIELDS)[number]>;

/** The content's canonical form: its fields serialised by the JSON Canonicalization Scheme (RFC 8785). */
export function canonicalContent(agreement: AgreementContent): string {
  const content: Record<string, unknown> = {};
  for (const field of CONTENT_FIELDS) {
    if (agreement[field] !== undefined) content[field] = agreement[field];
  }
  // Never undefined: the content is a plain object of JSON values.
  return canonicalize(content) as string;
}

/** `sha256:` and the hex SHA-256 of the canonical form's UTF-8 bytes. */
export function contentHashOf(agreement: AgreementContent): string {
  return `sha256:${createHash('sha256').update(canonicalContent(agreement), 'utf8').digest('hex')}`;
}
