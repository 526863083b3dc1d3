import { FerryError } from './ferry-error.js';

/** Bad flags, unknown host/role/task/tag: exit 2. */
export class UsageError extends FerryError {
  readonly kind = 'usage' as const;
}
