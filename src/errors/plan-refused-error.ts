import { FerryError } from './ferry-error.js';

/** A plan refused to touch something (a device holding data, a conflicting config line): exit 1. */
export class PlanRefusedError extends FerryError {
  readonly kind = 'failed' as const;
  /** one line per refused device or file: `subject: what is on it` */
  readonly refusals: readonly string[];

  constructor(host: string | undefined, refusals: readonly string[]) {
    super(`${host ? `[${host}] ` : ''}refused:\n  ${refusals.join('\n  ')}`, host);
    this.refusals = refusals;
  }
}
