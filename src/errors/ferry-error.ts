/** What kind of failure: the CLI entry (and only it) maps kinds to exit codes. */
export type ErrorKind = 'usage' | 'project' | 'connection' | 'host-key' | 'remote' | 'lock' | 'failed' | 'interrupted';

export abstract class FerryError extends Error {
  abstract readonly kind: ErrorKind;
  /** the inventory host this error happened on, when there is one */
  readonly host: string | undefined;

  constructor(message: string, host?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.host = host;
  }
}
