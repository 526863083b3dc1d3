import type { Listr } from 'listr2';
import { createEcho } from './echo.js';
import { runWithSummary, SUMMARY_ABOVE } from './summary-progress.js';

export interface HostUi {
  title(text: string): void;
  log(text: string): void;
  skip(reason: string): void;
  /** a whole line of the host's remote output, printed as it comes: `[host] line` (see echo.ts) */
  line(text: string, stream: 'stdout' | 'stderr'): void;
  /** a promise while the terminal is behind the streamed lines (the remote command then waits) */
  behind(): Promise<void> | undefined;
}

export interface ProgressOptions {
  /** a terminal: listr2's default renderer; otherwise the simple renderer with [host] prefixes */
  readonly tty: boolean;
  /** keep stdout clean (e.g. `--json -`): progress goes to stderr */
  readonly toStderr: boolean;
  readonly concurrency: number;
  readonly silent?: boolean;
}

export interface HostJob {
  readonly name: string;
  run(ui: HostUi): Promise<void>;
}

/** One listr2 line per host whose title is the host's current step. */
export async function runWithProgress(jobs: readonly HostJob[], o: ProgressOptions): Promise<void> {
  if (!o.silent && jobs.length > SUMMARY_ABOVE) return runWithSummary(jobs, o); // counts, not N lines
  if (process.env.NO_COLOR !== undefined) process.env.FORCE_COLOR = '0';
  // loaded here, not at start-up: a command's SSH handshakes are under way by now
  const { Listr: ListrClass, ListrLogger, LISTR_LOGGER_STDERR_LEVELS, ProcessOutput } = await import('listr2');
  const processOutput = new ProcessOutput(o.toStderr ? process.stderr : process.stdout, process.stderr);
  const echo = createEcho(
    processOutput,
    o.tty && !o.silent,
    () => (list as unknown as { renderer?: unknown }).renderer,
  );
  const list = new ListrClass(
    jobs.map((job) => ({
      title: job.name,
      task: async (_ctx: unknown, task: { title: string; output: string; skip(msg?: string): void }) => {
        const ui: HostUi = {
          title: (text) => {
            task.title = `${job.name}: ${text}`;
            if (!o.tty) task.output = `[${job.name}] ${text}`;
          },
          log: (text) => {
            task.output = o.tty
              ? text
              : text
                  .split('\n')
                  .map((l) => `[${job.name}] ${l}`)
                  .join('\n');
          },
          skip: (reason) => task.skip(`${job.name}: ${reason}`),
          line: (text, stream) => echo.line(job.name, text, stream),
          behind: () => echo.behind(),
        };
        await job.run(ui);
      },
      rendererOptions: { persistentOutput: true, outputBar: 1 },
    })),
    {
      concurrent: o.concurrency,
      exitOnError: false,
      collectErrors: false,
      registerSignalListeners: false,
      renderer: o.silent ? 'silent' : o.tty ? 'default' : 'simple',
      fallbackRenderer: o.silent ? 'silent' : 'simple',
      rendererOptions: { processOutput, collapseErrors: false },
      // the simple renderer (non-TTY) logs through its own logger: without this one it writes to stdout
      fallbackRendererOptions: o.toStderr
        ? { logger: new ListrLogger({ useIcons: true, toStderr: LISTR_LOGGER_STDERR_LEVELS, processOutput }) }
        : {},
      ...(o.tty ? {} : { fallbackRendererCondition: true }),
    } as ConstructorParameters<typeof Listr>[1],
  );
  try {
    await list.run();
  } finally {
    echo.flush();
  }
}
