import { withdrawInstructionRequestSchema } from '../../domain/instructions/schemas.ts';
import { instructionStepHandler } from './step.ts';

/** The controller withdraws an instruction awaiting acknowledgement or objected to; the processor is told. */
export const handler = instructionStepHandler('withdraw', withdrawInstructionRequestSchema);
