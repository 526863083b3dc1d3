// A real pseudo-terminal for a test: one tmux server per session (its own socket), a fixed screen
// size, keys typed into it and the screen read back, as a person at a terminal sees it.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { waitFor } from '../../helpers/wait-for.js';

const quote = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;

export interface Terminal {
  /** the visible screen, one string per row (trailing blanks trimmed) */
  screen(): string;
  /** everything the pane printed, scrollback included (trailing blanks trimmed) */
  history(): string;
  /** type text literally (no key names), then Enter when `enter` */
  type(text: string, enter?: boolean): void;
  /** wait until the screen matches; returns that screen */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** the command's exit code once it has finished */
  exitCode(): number | undefined;
  close(): void;
}

/**
 * Run `argv` in `cwd` inside a fresh tmux server (`-L` socket of its own, `columns`×`rows`).
 * The pane stays after the command so the final screen can be read; `[exit N]` marks the end.
 */
export function openTerminal(
  argv: readonly string[],
  opts: { cwd: string; env?: Record<string, string>; columns?: number; rows?: number },
): Terminal {
  const socket = `ferry-test-${process.pid}-${randomBytes(3).toString('hex')}`;
  const tmux = (...args: string[]) =>
    execFileSync('tmux', ['-L', socket, '-f', '/dev/null', ...args], { encoding: 'utf8' });
  const exports = Object.entries(opts.env ?? {}).map(([k, v]) => `export ${k}=${quote(v)}; `);
  const script = `${exports.join('')}unset CI; ${argv.map(quote).join(' ')}; echo "[exit $?]"; exec sleep 3600`;
  tmux(
    'new-session',
    '-d',
    '-s',
    'ferry',
    '-x',
    String(opts.columns ?? 160),
    '-y',
    String(opts.rows ?? 40),
    '-c',
    opts.cwd,
    `sh -c ${quote(script)}`,
  );
  const screen = () =>
    tmux('capture-pane', '-p', '-t', 'ferry')
      .split('\n')
      .map((l) => l.trimEnd())
      .join('\n')
      .trimEnd();
  return {
    screen,
    history: () =>
      tmux('capture-pane', '-p', '-S', '-', '-t', 'ferry')
        .split('\n')
        .map((l) => l.trimEnd())
        .join('\n')
        .trimEnd(),
    type(text, enter = true) {
      if (text) tmux('send-keys', '-t', 'ferry', '-l', text);
      if (enter) tmux('send-keys', '-t', 'ferry', 'Enter');
    },
    async waitFor(pattern, timeoutMs = 60_000) {
      let last = '';
      const seen = () => {
        last = screen();
        return pattern.test(last);
      };
      await waitFor(seen, { timeoutMs, everyMs: 50, what: `${pattern} on the screen` }).catch((e: Error) => {
        throw new Error(`${e.message}; the screen:\n${last}`);
      });
      return last;
    },
    exitCode() {
      const m = /\[exit (\d+)\]/.exec(screen());
      return m ? Number(m[1]) : undefined;
    },
    close() {
      try {
        tmux('kill-server');
      } catch {
        // already gone
      }
    },
  };
}
