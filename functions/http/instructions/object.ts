import { objectInstructionRequestSchema } from '../../domain/instructions/schemas.ts';
import { instructionStepHandler } from './step.ts';

/** The processor objects that following an instruction would break data protection law (003 §4): the instruction is held, and the controller told, until the controller withdraws or confirms it. */
export const handler = instructionStepHandler('object', objectInstructionRequestSchema);
