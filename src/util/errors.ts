/**
 * User-facing errors. Every error a user can cause (a bad file, a bad option, a missing tool) is a
 * MactileError: the CLI prints its message on one line and exits non-zero, never with a stack trace.
 */

/** An error caused by the user's input or environment, printed as one clear line by the CLI. */
export class MactileError extends Error {
  constructor(
    message: string,
    /** Process exit status the CLI uses for this error (2: bad input, 3: tool failure, 1: mismatch). */
    readonly exitCode = 2,
  ) {
    super(message);
    this.name = 'MactileError';
  }
}

/** A layer that does not fit a config's buffers (a config too small for the network, not a malformed input). */
export class DoesNotFitError extends MactileError {
  constructor(message: string) {
    super(message);
    this.name = 'DoesNotFitError';
  }
}

/** Formats a received value for an error message: strings quoted, objects as JSON, long values cut. */
export function describeValue(value: unknown): string {
  let text: string;
  if (typeof value === 'string') text = JSON.stringify(value);
  else if (value === undefined) text = 'nothing';
  else {
    try {
      text = JSON.stringify(value) ?? String(value);
    } catch {
      text = String(value);
    }
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/**
 * The lines of a failed tool's output worth showing: the first `max` lines matching `pattern`, or, when none
 * does, the last `tail` lines.
 */
export function errorExcerpt(output: string, pattern: RegExp, max: number, tail: number): string {
  const all = output.split('\n');
  const lines = all.filter((l) => pattern.test(l));
  return (lines.length ? lines.slice(0, max) : all.slice(-tail).slice(0, max)).join('\n');
}
