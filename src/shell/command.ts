import { quote } from './quote.js';
import { isSecret, MASK, type Secret } from './secret.js';
import { UsageError } from '../errors/usage-error.js';

/** One word of an argv: plain text or a secret (masked in every rendering). */
export type Word = string | Secret;

export interface CommandOptions {
  /** run through sudo; `true` means root, a string names the user */
  readonly sudo?: boolean | string;
  /**
   * run as root: directly when the login user is root, else through sudo — decided on the host
   * (`id -u`), so the SSH user may come from ~/.ssh/config. One such step per exec: ferry answers
   * one sudo prompt per command.
   */
  readonly asRoot?: boolean;
  readonly cwd?: string;
  readonly env?: Readonly<Record<string, Word>>;
}

/** A remote command: an argv quoted word by word, or a shell script passed verbatim. */
export type Command =
  | (CommandOptions & { readonly argv: readonly Word[] })
  | (CommandOptions & { readonly script: string })
  | (CommandOptions & { readonly all: readonly Command[] });

/** argv command: every word reaches the host literally. */
export function cmd(...argv: Word[]): Command {
  return { argv };
}

/** shell script, run as the remote shell sees it (like `ssh host WORDS`). */
export function sh(script: string): Command {
  return { script };
}

/** steps chained with `&&`: the first failure stops the chain. */
export function and(...commands: Command[]): Command {
  return { all: commands };
}

export function withOptions(command: Command, options: CommandOptions): Command {
  return { ...command, ...options };
}

/** The sudo prompt ferry asks for: unique, so a password is written only when sudo itself asks. */
export const SUDO_PROMPT = '[ferry-sudo-7f3a] password:';
/** Printed on stderr once sudo let us in: from then on stdin belongs to the command. */
export const SUDO_OK = '[ferry-sudo-ok-7f3a]';

const SUDO = ['sudo', '-S', '-p', quote(SUDO_PROMPT), '-H'];

/** What sudo's shell runs: the marker that says sudo let us in, then the command. */
function sudoInner(text: string): string {
  return `printf '%s\\n' ${quote(SUDO_OK)} >&2 && ${text}`;
}

/**
 * Does any part of the command go through sudo (then its prompt is answered and stdin held until
 * sudo let us in)? A script that embeds a rendered sudo step shows it by the unique prompt.
 */
export function usesSudo(command: Command): boolean {
  if (command.sudo || command.asRoot) return true;
  if ('script' in command) return command.script.includes(SUDO_PROMPT);
  return 'all' in command && command.all.some(usesSudo);
}

/** The parts of a command that go through sudo, rendered without the sudo wrapper (for an error naming them). */
export function sudoParts(command: Command, options: RenderOptions): string[] {
  if (command.sudo || command.asRoot) return [render({ ...command, sudo: undefined, asRoot: undefined }, options)];
  return 'all' in command ? command.all.flatMap((c) => sudoParts(c, options)) : [];
}

function word(w: Word, masked: boolean): string {
  if (isSecret(w)) return masked ? MASK : quote(w.secret);
  return quote(w);
}

function core(command: Command, masked: boolean): string {
  if ('argv' in command) return command.argv.map((w) => word(w, masked)).join(' ');
  if ('script' in command) return command.script;
  return command.all.map((c) => group(c, masked)).join(' && ');
}

function group(command: Command, masked: boolean): string {
  const text = render(command, { masked });
  if (command.sudo || command.asRoot) return text; // one simple command: sudo … sh -c '…' (or if … fi)
  const simple = 'argv' in command && !command.cwd;
  return simple ? text : `( ${text} )`; // a subshell keeps cd/export/|| from leaking into the chain
}

export interface RenderOptions {
  /** show secrets as `***` (for logs, reports, dry-run) */
  readonly masked: boolean;
}

/** Render a command to the single string the remote shell runs. */
export function render(command: Command, options: RenderOptions): string {
  const { masked } = options;
  let text = core(command, masked);
  if (command.env && Object.keys(command.env).length > 0) {
    const assigns = Object.entries(command.env).map(([k, v]) => {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k))
        throw new UsageError(`invalid environment variable name: ${JSON.stringify(k)}`);
      return `${k}=${word(v, masked)}`;
    });
    text = 'argv' in command ? `env ${assigns.join(' ')} ${text}` : `export ${assigns.join(' ')} && ${text}`;
  }
  if (command.cwd) text = `cd ${quote(command.cwd)} && ${text}`;
  if (command.sudo) {
    const user = typeof command.sudo === 'string' ? ['-u', quote(command.sudo)] : [];
    text = [...SUDO, ...user, '--', 'sh', '-c', quote(sudoInner(text))].join(' ');
  } else if (command.asRoot) {
    // as root already: the same marker, so stdin and stderr flow exactly as after a sudo
    const inner = quote(sudoInner(text));
    text = `if [ "$(id -u)" = 0 ]; then sh -c ${inner}; else ${SUDO.join(' ')} -- sh -c ${inner}; fi`;
  }
  return text;
}

/** Every secret value in a command, so output can be masked too. */
export function secretsOf(command: Command): string[] {
  const out: string[] = [];
  const visit = (c: Command): void => {
    if ('argv' in c) for (const w of c.argv) if (isSecret(w)) out.push(w.secret);
    if ('all' in c) c.all.forEach(visit);
    if (c.env) for (const v of Object.values(c.env)) if (isSecret(v)) out.push(v.secret);
  };
  visit(command);
  return out;
}
