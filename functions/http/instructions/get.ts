import { notFound } from '../../domain/errors.ts';
import { NO_SUCH_INSTRUCTION } from '../../domain/instructions/rules.ts';
import { now } from '../../shared/clock.ts';
import { httpHandler } from '../../shared/http.ts';
import { getInstruction } from '../../store/instructions-store.ts';
import { auditEntry, loadForParty, readAsParty } from '../agreement-access.ts';

/** One instruction (the `Location` of a new one); the read is logged (rule 10). */
export const handler = httpHandler({}, async ({ caller, params, route }) => {
  const instructionId = params.instructionId ?? '';
  const instruction = await readAsParty(
    params.id,
    caller,
    async (id) => {
      const found = await getInstruction(id, instructionId);
      // No such instruction: a party learns that, anyone else only that there is no such agreement.
      if (!found) {
        await loadForParty(id, caller);
        throw notFound(NO_SUCH_INSTRUCTION);
      }
      return found;
    },
    () => ({ ...auditEntry(caller, 'instruction.read', route, now()), details: { instructionId } }),
  );
  return { status: 200, body: instruction };
});
