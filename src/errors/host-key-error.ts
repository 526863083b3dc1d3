import { FerryError } from './ferry-error.js';

/** Unknown or changed host key: exit 3. Carries both fingerprints when the key changed. */
export class HostKeyError extends FerryError {
  readonly kind = 'host-key' as const;
  readonly presented: string;
  readonly known: readonly string[];

  constructor(host: string, message: string, presented: string, known: readonly string[] = []) {
    super(`[${host}] ${message}`, host);
    this.presented = presented;
    this.known = known;
  }
}
