import { inEffectOn } from '../../domain/instructions/rules.ts';
import { listInstructionsQuerySchema } from '../../domain/instructions/schemas.ts';
import { now } from '../../shared/clock.ts';
import { httpHandler } from '../../shared/http.ts';
import { listInstructions } from '../../store/instructions-store.ts';
import { auditEntry, readAsParty } from '../agreement-access.ts';

/**
 * The controller's instructions under the agreement, in the order given, optionally by status or as
 * binding the processor on a day (`inEffectOn`: acknowledged or confirmed, in effect by then). Reading
 * them is a read of the agreement, so it is logged (rule 10), in a transaction that checks the caller
 * is a party.
 */
export const handler = httpHandler(
  { query: listInstructionsQuerySchema },
  async ({ caller, params, query, route }) => {
    const instructions = await readAsParty(params.id, caller, listInstructions, () => ({
      ...auditEntry(caller, 'instructions.read', route, now()),
      ...(query.status || query.inEffectOn ? { details: { ...query } } : {}),
    }));
    const items = instructions.filter(
      (instruction) =>
        (!query.status || instruction.status === query.status) &&
        (!query.inEffectOn || inEffectOn(instruction, query.inEffectOn)),
    );
    return { status: 200, body: { items } };
  },
);
