import { once } from 'node:events';
import type { HostJob, HostUi, ProgressOptions } from './progress.js';

/** Above this many hosts, one line per host is noise: counts and the failing hosts instead. */
export const SUMMARY_ABOVE = 50;
/** How often the counts line is written: redrawn in place on a terminal, appended in CI logs. */
const TTY_EVERY_MS = 200;
const LOG_EVERY_MS = 5_000;

const firstLine = (err: unknown) => String((err as Error)?.message ?? err).split('\n')[0] ?? '';

/**
 * Run `jobs` `concurrency` at a time and show `312/1000 done: 305 ok, 7 failed, 32 running`,
 * plus one line per host as it fails (`[web17] FAILED: …`) and what tasks log — never a line per
 * host for its progress.
 */
export async function runWithSummary(jobs: readonly HostJob[], o: ProgressOptions): Promise<void> {
  const out = o.toStderr ? process.stderr : process.stdout;
  const n = { ok: 0, failed: 0, skipped: 0, running: 0 };
  const counts = () => {
    const done = n.ok + n.failed + n.skipped;
    return (
      `${done}/${jobs.length} done: ${n.ok} ok, ${n.failed} failed` +
      `${n.skipped ? `, ${n.skipped} skipped` : ''}, ${n.running} running`
    );
  };
  let drawn = false;
  const draw = () => {
    if (o.tty) {
      out.write(`\r\x1b[2K${counts()}`);
      drawn = true;
    } else out.write(`${counts()}\n`);
  };
  const above = (line: string, to: NodeJS.WriteStream = out) => {
    if (o.tty && drawn) out.write('\r\x1b[2K');
    to.write(`${line}\n`);
    if (o.tty) draw();
  };
  // streamed remote output goes above the counts too; the remote command waits while a pipe is full
  const behind = () => (out.writableNeedDrain ? once(out, 'drain').then(() => {}) : undefined);
  const timer = setInterval(draw, o.tty ? TTY_EVERY_MS : LOG_EVERY_MS);
  timer.unref();
  let next = 0;
  const worker = async () => {
    for (let job = jobs[next++]; job; job = jobs[next++]) {
      let skipped = false;
      // step titles are progress (dropped); what a task logs is its output (kept, one [host] line each)
      const name = job.name;
      const log = (text: string) =>
        above(
          text
            .split('\n')
            .map((l) => `[${name}] ${l}`)
            .join('\n'),
        );
      const line = (text: string, stream: 'stdout' | 'stderr') =>
        above(`[${name}] ${text}`, stream === 'stderr' ? process.stderr : out);
      const ui: HostUi = { title: () => {}, log, skip: () => (skipped = true), line, behind };
      n.running += 1;
      try {
        await job.run(ui);
        if (skipped) n.skipped += 1;
        else n.ok += 1;
      } catch (err) {
        n.failed += 1;
        above(`[${job.name}] FAILED: ${firstLine(err).replace(`[${job.name}] `, '')}`);
      } finally {
        n.running -= 1;
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(Math.max(1, o.concurrency), jobs.length) }, worker));
  } finally {
    clearInterval(timer);
    if (o.tty && drawn) out.write('\r\x1b[2K');
    out.write(`${counts()}\n`);
  }
}
