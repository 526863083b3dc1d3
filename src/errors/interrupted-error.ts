import { FerryError } from './ferry-error.js';
import { tail } from './remote-error.js';

/** Ctrl-C (SIGINT) ended a host's work: its remote command was signalled and closed. Exit 130, like a shell. */
export class InterruptedError extends FerryError {
  readonly kind = 'interrupted' as const;
  /** masked; empty when the host was stopped between commands */
  readonly command: string;
  readonly stdout: string;
  readonly stderr: string;

  constructor(host: string, command = '', output: { stdout?: string; stderr?: string } = {}) {
    super(`[${host}] interrupted (Ctrl-C)${command ? ` while running \`${command}\`` : ''}`, host);
    this.command = command;
    this.stdout = tail(output.stdout ?? '');
    this.stderr = tail(output.stderr ?? '');
  }
}
