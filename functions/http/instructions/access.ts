import type { Instruction } from '../../domain/instructions/schemas.ts';
import type { Caller } from '../../shared/caller.ts';
import { instructionKey, toInstructionRecord } from '../../store/instructions-store.ts';
import { isIssuedId } from '../../store/items.ts';
import { loadForPartyWith, type PartyAccess } from '../agreement-access.ts';

/**
 * The agreement, as one of its parties, with one of its instructions in one round trip. An id we never
 * issued names no instruction and is not read: `instruction` is then undefined, as for one that does
 * not exist.
 */
export async function loadInstructionForParty(
  params: { id?: string; instructionId?: string },
  caller: Caller,
): Promise<PartyAccess & { instruction: Instruction | undefined }> {
  const instructionId = params.instructionId ?? '';
  const keys =
    params.id !== undefined && isIssuedId(instructionId) ? [instructionKey(params.id, instructionId)] : [];
  const {
    related: [item],
    ...access
  } = await loadForPartyWith(params.id, caller, keys);
  return { ...access, instruction: item ? toInstructionRecord(item) : undefined };
}
