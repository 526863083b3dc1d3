import { FerryError } from './ferry-error.js';

/**
 * A run finished with failed hosts or a failed local step (the report holds the details): exit 1.
 * With a host, the message starts `[host] ` as ConnectionError's does — once, even when it wraps a
 * message that already names the host.
 */
export class FailedError extends FerryError {
  readonly kind = 'failed' as const;

  constructor(message: string, host?: string, options?: { cause?: unknown }) {
    super(host === undefined || message.startsWith(`[${host}] `) ? message : `[${host}] ${message}`, host, options);
  }
}
