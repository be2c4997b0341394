import { contentHashOf } from './content-hash.ts';
import type { Actor, Agreement, HistoryEntry } from './schemas.ts';

/** A history entry: a state change (from/to) or an event, with who caused it. */
export function historyEntry(
  actor: Actor | undefined,
  type: string,
  at: Date,
  change: { from?: Agreement['status']; to?: Agreement['status']; details?: Record<string, unknown> } = {},
): HistoryEntry {
  return {
    at: at.toISOString(),
    type,
    ...(actor ? { actor } : {}),
    ...(change.from ? { fromStatus: change.from } : {}),
    ...(change.to ? { toStatus: change.to } : {}),
    ...(change.details ? { details: change.details } : {}),
  };
}

/**
 * The next version of an agreement: version and timestamp move together with every change, and the
 * content hash follows the content (it stays as it is when only the status or signatures change).
 */
export function nextVersion(agreement: Agreement, changes: Partial<Agreement>, at: Date): Agreement {
  const next = { ...agreement, ...changes };
  return {
    ...next,
    contentHash: contentHashOf(next),
    version: agreement.version + 1,
    updatedAt: at.toISOString(),
  };
}
