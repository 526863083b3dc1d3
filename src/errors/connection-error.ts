import { FerryError } from './ferry-error.js';

/** The host could not be reached or authenticated: exit 3. */
export class ConnectionError extends FerryError {
  readonly kind = 'connection' as const;

  constructor(host: string, message: string, options?: { cause?: unknown }) {
    super(`[${host}] ${message}`, host, options);
  }
}
