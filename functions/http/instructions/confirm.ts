import { confirmInstructionRequestSchema } from '../../domain/instructions/schemas.ts';
import { instructionStepHandler } from './step.ts';

/** The controller upholds an instruction the processor objected to, with its reasons: it binds from its effectiveFrom or today, whichever is later; the processor is told. */
export const handler = instructionStepHandler('confirm', confirmInstructionRequestSchema);
