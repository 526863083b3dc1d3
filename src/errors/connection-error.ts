import { FerryError } from './ferry-error.js';

/** The host could not be reached or authenticated: exit 3. */
export class ConnectionError extends FerryError {
  readonly kind = 'connection' as const;
  /** transient connect failures retried before this one (see ssh/connect-retry.ts) */
  readonly retries: number;

  constructor(host: string, message: string, options?: { cause?: unknown; retries?: number }) {
    super(`[${host}] ${message}`, host, options);
    this.retries = options?.retries ?? 0;
  }
}
