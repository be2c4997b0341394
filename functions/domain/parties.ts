import { forbidden, notFound } from './errors.ts';
import type { Agreement, PartyRole } from './schemas.ts';

/** The role the calling organisation has in the agreement, or undefined for a non-party. */
export function roleOf(
  agreement: Pick<Agreement, 'controller' | 'processor'>,
  orgNumber: string,
): PartyRole | undefined {
  if (agreement.controller.orgNumber === orgNumber) return 'controller';
  if (agreement.processor.orgNumber === orgNumber) return 'processor';
  return undefined;
}

/** Rule 11: a non-party learns nothing, not even that the agreement exists. */
export function requireParty(
  agreement: Agreement | undefined,
  orgNumber: string,
): { agreement: Agreement; role: PartyRole } {
  const role = agreement ? roleOf(agreement, orgNumber) : undefined;
  if (!agreement || !role) throw notFound();
  return { agreement, role };
}

export function requireRole(role: PartyRole, required: PartyRole, action: string): void {
  if (role !== required) throw forbidden(`Only the ${required} may ${action}`);
}

export function otherParty(role: PartyRole): PartyRole {
  return role === 'controller' ? 'processor' : 'controller';
}
