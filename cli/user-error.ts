// An error the user can act on: printed as one line (no stack trace) and mapped to an exit code.
export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
    this.name = 'UserError';
  }
}
