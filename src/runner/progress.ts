import type { Listr } from 'listr2';
import { runWithSummary, SUMMARY_ABOVE } from './summary-progress.js';

export interface HostUi {
  title(text: string): void;
  log(text: string): void;
  skip(reason: string): void;
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
  const { Listr: ListrClass, ProcessOutput } = await import('listr2');
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
      rendererOptions: {
        ...(o.toStderr ? { processOutput: new ProcessOutput(process.stderr, process.stderr) } : {}),
        collapseErrors: false,
      },
      ...(o.tty ? {} : { fallbackRendererCondition: true }),
    } as ConstructorParameters<typeof Listr>[1],
  );
  await list.run();
}
