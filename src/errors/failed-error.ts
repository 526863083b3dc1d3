import { FerryError } from './ferry-error.js';

/** A run finished with failed hosts or a failed local step (the report holds the details): exit 1. */
export class FailedError extends FerryError {
  readonly kind = 'failed' as const;
}
