import { FerryError } from './ferry-error.js';

/** Someone else holds the deploy lock on a host: exit 4. */
export class LockHeldError extends FerryError {
  readonly kind = 'lock' as const;
  readonly owner: unknown;

  constructor(host: string, message: string, owner: unknown) {
    super(`[${host}] ${message}`, host);
    this.owner = owner;
  }
}
