import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { cmd, sh, withOptions, type Command, type Word } from '../shell/command.js';
import { readFileCommand, writeFileCommand } from '../ops/files.js';
import type { Step } from '../ops/step.js';
import { isPrepOp, type PrepEnv, type PrepOp } from '../ops/prep/op.js';
import type { TaskFile } from '../ops/prep/site.js';
import { applyPrep } from './apply-prep.js';
import type { Fact } from '../facts/fact.js';
import type { Host } from '../inventory/types.js';
import type { ExecResult, RunOptions, StepOutcome, TaskContext } from '../task/types.js';
import type { HostSession } from './host-session.js';
import { runLocal, showArgv } from './run-local.js';

/** RunOptions.tailOnly: what is kept of each stream. */
const TAIL_ONLY_BYTES = 64 * 1024;

export interface ContextOptions<P> {
  readonly session: HostSession;
  readonly hosts: readonly Host[];
  readonly params: P;
  readonly dryRun: boolean;
  readonly setTitle: (text: string) => void;
  readonly log: (text: string) => void;
  /** a whole line of a streamed command's output (ctx.run / ctx.sudo unless `stream: false`) */
  readonly line?: (text: string, stream: 'stdout' | 'stderr') => void;
  /** with line: a promise while the terminal is behind */
  readonly behind?: () => Promise<void> | undefined;
  /** where prep.template finds its files (default: the working directory) */
  readonly projectDir?: string;
  /** the id every run/sudo/put step of this context is recorded under (a deploy hook's: `hook:<name>`) */
  readonly stepId?: string;
  /** the task's file: a prep refusal names the line of the op */
  readonly taskFile?: TaskFile;
}

function toCommand(c: Command | readonly Word[] | string): Command {
  if (typeof c === 'string') return sh(c);
  if (Array.isArray(c)) return cmd(...(c as Word[]));
  return c as Command;
}

/** The TaskContext a task's `run` gets on one host. */
export function createTaskContext<P>(o: ContextOptions<P>): TaskContext<P> {
  const { session, dryRun } = o;
  const asRoot = session.target.user === 'root';

  /** prep needs root: sudo unless the login user is root (as ctx.sudo decides) */
  const rooted = (c: Command): Command => (asRoot || c.sudo ? c : withOptions(c, { sudo: true }));

  async function runSteps(steps: readonly Step[]): Promise<StepOutcome[]> {
    const out: StepOutcome[] = [];
    for (const s of steps) {
      if (dryRun) {
        out.push(session.plan(s.id, s.title, s.command));
        continue;
      }
      o.setTitle(s.title);
      await session.exec(s.command, {
        id: s.id,
        title: s.title,
        status: 'changed',
        ...(s.stdin !== undefined ? { stdin: s.stdin } : {}),
        ...(s.allowFailure ? { allowFailure: true } : {}),
      });
      const last = session.steps[session.steps.length - 1];
      if (last) out.push(last);
    }
    return out;
  }

  async function run(c: Command, options: RunOptions = {}, title?: string): Promise<ExecResult> {
    if (dryRun) {
      session.plan(o.stepId ?? title ?? 'run', title ?? 'run', c);
      return { code: 0, stdout: '', stderr: '' };
    }
    if (title) o.setTitle(title);
    const res = await session.exec(c, {
      ...(title ? { title } : {}),
      ...(o.stepId ? { id: o.stepId } : {}),
      ...(options.stdin !== undefined ? { stdin: options.stdin } : {}),
      ...(options.allowFailure ? { allowFailure: true } : {}),
      ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
      ...(o.line && options.stream !== false
        ? { onLine: o.line, ...(o.behind ? { backpressure: o.behind } : {}) }
        : {}),
      ...(options.tailOnly ? { keep: TAIL_ONLY_BYTES } : {}),
    });
    return { code: res.code, stdout: res.stdout, stderr: res.stderr };
  }

  const ctx: TaskContext<P> = {
    host: session.host,
    hosts: o.hosts,
    params: o.params,
    dryRun,
    run: (c, options) => run(toCommand(c), options),
    sudo: (c, options) => {
      const base = toCommand(c);
      return run(asRoot && !base.sudo ? base : withOptions(base, { sudo: base.sudo ?? true }), options);
    },
    async fact<T>(fact: Fact<T>): Promise<T> {
      o.setTitle(`probe ${fact.name}`);
      const res = await session.exec(fact.command, { title: `probe ${fact.name}`, id: `fact:${fact.name}` });
      return fact.parse(res.stdout);
    },
    async apply(items: readonly (Step | PrepOp)[]): Promise<StepOutcome[]> {
      if (!items.some(isPrepOp)) return runSteps(items as readonly Step[]);
      const env: PrepEnv = {
        projectDir: o.projectDir ?? process.cwd(),
        host: session.host,
        hosts: o.hosts,
        ...(o.taskFile ? { taskFile: o.taskFile } : {}),
      };
      return applyPrep(items, env, {
        dryRun,
        probe: async (c, n) => {
          o.setTitle('probe prep facts');
          const title = `probe prep facts (${n} ops)`;
          return (await session.exec(rooted(c), { title, id: 'fact:prep' })).stdout;
        },
        run: (steps) => runSteps(steps.map((s) => ({ ...s, command: rooted(s.command) }))),
        log: o.log,
        host: session.host.name,
      });
    },
    async put(localPath, remotePath, options = {}) {
      const c = writeFileCommand(remotePath, options.mode === undefined ? undefined : options.mode.toString(8));
      if (dryRun) {
        session.plan(o.stepId ?? `put:${remotePath}`, `put ${localPath} → ${remotePath}`, c);
        return;
      }
      const size = (await stat(localPath)).size;
      o.setTitle(`put ${remotePath} (${size} bytes)`);
      const id = o.stepId ? { id: o.stepId } : {};
      await session.exec(c, { title: `put ${remotePath}`, ...id, stdin: createReadStream(localPath) });
    },
    async get(remotePath, localPath) {
      if (dryRun) {
        session.plan(`get:${remotePath}`, `get ${remotePath}`, readFileCommand(remotePath));
        return;
      }
      const out = createWriteStream(localPath);
      try {
        await session.exec(readFileCommand(remotePath), {
          title: `get ${remotePath}`,
          onStdout: (chunk) => out.write(chunk),
        });
      } finally {
        await new Promise((r) => out.end(r));
      }
    },
    local: (argv, options = {}) => runLocal(`local ${showArgv(argv.slice(0, 1))}`, argv, options),
    log: (m) => o.log(m),
    title: (t) => o.setTitle(t),
  };
  return ctx;
}
