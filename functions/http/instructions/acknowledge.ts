import { acknowledgeInstructionRequestSchema } from '../../domain/instructions/schemas.ts';
import { instructionStepHandler } from './step.ts';

/** The processor acknowledges an instruction awaiting its acknowledgement: it binds from its effectiveFrom. */
export const handler = instructionStepHandler('acknowledge', acknowledgeInstructionRequestSchema);
