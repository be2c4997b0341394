import { historyEntry, nextVersion } from './changes.ts';
import { conflict, notFound } from './errors.ts';
import { notificationsFor } from './notifications.ts';
import { otherParty, requireRole } from './parties.ts';
import type {
  Actor,
  Agreement,
  AgreementStatus,
  Contact,
  HistoryEntry,
  Notification,
  PartyRole,
} from './schemas.ts';

/**
 * Rule 13 and 003 §16: each party names its own contact person and replaces it at any time from
 * submission until the agreement is closed, without a signature (contacts are not in the signed
 * content, so the content hash does not change); the other party is told. A draft's contacts are
 * edited with the draft itself.
 */
export const CONTACT_CHANGE_STATUSES: readonly AgreementStatus[] = [
  'AWAITING_SIGNATURES',
  'IN_FORCE',
  'NOTICE_PERIOD',
  'TERMINATED',
  'RETAINED_UNDER_LAW',
];

export const CONTACT_CHANGED = 'contact.changed';

/** The `{party}` of the path: `controller` or `processor`; any other names no contact (404). */
export function contactParty(value: string | undefined): PartyRole {
  if (value === 'controller' || value === 'processor') return value;
  throw notFound(
    'No such contact: an agreement has the contacts /contacts/controller and /contacts/processor',
  );
}

export interface ContactChange {
  after: Agreement;
  history: HistoryEntry[];
  notifications: Notification[];
}

/**
 * The agreement with `party`'s contact replaced by `contact`, or undefined when it is that contact
 * already (nothing to change, nobody to tell). Only that party may, and only in the statuses above.
 */
export function changeContact(
  agreement: Agreement,
  role: PartyRole,
  party: PartyRole,
  contact: Contact,
  actor: Actor,
  at: Date,
): ContactChange | undefined {
  requireRole(role, party, `replace the ${party}'s contact person`);
  if (!CONTACT_CHANGE_STATUSES.includes(agreement.status)) {
    throw conflict(
      agreement.status === 'DRAFT'
        ? 'A draft’s contacts are edited with the draft (PATCH /agreements/{id})'
        : `Contacts can no longer be changed; this agreement is ${agreement.status}`,
      agreement.status,
    );
  }
  const before = agreement.contacts[party];
  if (sameContact(before, contact)) return undefined;
  const after = nextVersion(agreement, { contacts: { ...agreement.contacts, [party]: contact } }, at);
  return {
    after,
    history: [historyEntry(actor, 'CONTACT_CHANGED', at, { details: { party, from: before, to: contact } })],
    notifications: notificationsFor(
      after,
      [otherParty(party)],
      {
        type: CONTACT_CHANGED,
        key: String(after.version),
        subject: `The ${party} has a new contact person`,
        details: { party, contact },
      },
      at,
    ),
  };
}

const sameContact = (a: Contact, b: Contact) =>
  a.name === b.name && a.email === b.email && a.phone === b.phone;
