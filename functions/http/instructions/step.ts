import { firstInstructionReminder } from '../../domain/instructions/reminders.ts';
import {
  answeredInstruction,
  type InstructionAction,
  type InstructionAnswer,
  instructionHistory,
  instructionNotifications,
} from '../../domain/instructions/rules.ts';
import type * as z from '../../domain/zod.ts';
import { actorOf } from '../../shared/caller.ts';
import { now } from '../../shared/clock.ts';
import { httpHandler } from '../../shared/http.ts';
import { saveInstructionStep } from '../../store/instructions-store.ts';
import { auditEntry } from '../agreement-access.ts';
import { idempotent } from '../idempotency.ts';
import { loadInstructionForParty } from './access.ts';

/**
 * One step of an instruction (rule 16, 003 §4): the processor acknowledges or objects, the controller
 * withdraws or confirms. The agreement and the instruction are read in one round trip, the step
 * written in the second, only while the instruction is still in the state read (else 409 with the state
 * it is in now); 200 with the instruction, and the other party is told.
 */
export function instructionStepHandler<Body extends object>(
  action: InstructionAction,
  body: z.ZodMiniType<Body>,
) {
  return httpHandler(
    { body },
    idempotent(async ({ caller, body: request, params, route }) => {
      const { agreement, role, instruction } = await loadInstructionForParty(params, caller);
      const at = now();
      const after = answeredInstruction({
        agreement,
        instruction,
        role,
        answer: { action, ...request } as InstructionAnswer,
        actor: actorOf(caller),
        now: at,
      });
      await saveInstructionStep({
        agreementId: agreement.id,
        agreement,
        before: instruction!,
        after,
        history: [instructionHistory(after)],
        audit: {
          ...auditEntry(caller, `instruction.${action}`, route, at),
          details: { instructionId: after.id, number: after.number, status: after.status },
        },
        notifications: instructionNotifications(agreement, after, at),
        reminders: firstInstructionReminder(after, agreement.id, at),
      });
      return { status: 200, body: after };
    }),
  );
}
