/**
 * An error of the Step Functions API, named exactly as AWS names it (`TaskDoesNotExist`,
 * `ExecutionAlreadyExists`...), so the facade can return it and the SDK throws the same named exception.
 */
export class StepFunctionsError extends Error {
  constructor(name: StepFunctionsErrorName, message: string) {
    super(message);
    this.name = name;
  }
}

export type StepFunctionsErrorName =
  | 'ExecutionAlreadyExists'
  | 'ExecutionDoesNotExist'
  | 'InvalidArn'
  | 'InvalidExecutionInput'
  | 'InvalidName'
  | 'InvalidOutput'
  | 'InvalidToken'
  | 'StateMachineDoesNotExist'
  | 'TaskDoesNotExist'
  | 'TaskTimedOut'
  | 'ValidationException';
