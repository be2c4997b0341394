import { firstInstructionReminder } from '../../domain/instructions/reminders.ts';
import {
  instructionHistory,
  instructionNotifications,
  newInstruction,
} from '../../domain/instructions/rules.ts';
import { giveInstructionRequestSchema } from '../../domain/instructions/schemas.ts';
import { actorOf } from '../../shared/caller.ts';
import { now } from '../../shared/clock.ts';
import { httpHandler } from '../../shared/http.ts';
import {
  instructionCountKey,
  lastInstructionNumber,
  saveNewInstruction,
} from '../../store/instructions-store.ts';
import { isIssuedId } from '../../store/items.ts';
import { auditEntry, loadForPartyWith } from '../agreement-access.ts';
import { idempotent } from '../idempotency.ts';

/**
 * Rule 16 (003 §4 and §9): the controller gives the processor a documented instruction, numbered in the
 * order given, applying from a date. The agreement and the count of instructions are read in one round
 * trip, the instruction written in the second; 201 with it, awaiting the processor's acknowledgement,
 * and the processor is told (and reminded weekly until it answers).
 */
export const handler = httpHandler(
  { body: giveInstructionRequestSchema },
  idempotent(async ({ caller, body, params, route }) => {
    const known = params.id !== undefined && isIssuedId(params.id);
    const {
      agreement,
      role,
      related: [countItem],
    } = await loadForPartyWith(params.id, caller, known ? [instructionCountKey(params.id!)] : []);
    const at = now();
    const previousNumber = lastInstructionNumber(countItem);
    const instruction = newInstruction({
      agreement,
      role,
      request: body,
      previousNumber,
      actor: actorOf(caller),
      id: crypto.randomUUID(),
      now: at,
    });
    await saveNewInstruction({
      agreementId: agreement.id,
      agreement,
      instruction,
      previousNumber,
      history: [instructionHistory(instruction)],
      audit: {
        ...auditEntry(caller, 'instruction.give', route, at),
        details: { instructionId: instruction.id, number: instruction.number },
      },
      notifications: instructionNotifications(agreement, instruction, at),
      reminders: firstInstructionReminder(instruction, agreement.id, at),
    });
    return {
      status: 201,
      body: instruction,
      headers: { location: `/agreements/${agreement.id}/instructions/${instruction.id}` },
    };
  }),
);
