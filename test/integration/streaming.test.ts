// Remote output streams: each line reaches ferry's stdout when the host prints it, not when the
// command ends, with the non-TTY renderer (a pipe) and the TTY one (tmux). Ctrl-C stops the
// remote commands and says which hosts were interrupted.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet } from '../fleet/fleet.js';
import { FERRY_BIN, fleetFlags } from '../helpers/ferry-cli.js';
import { fleetSkipReason } from '../helpers/skip.js';
import { waitFor } from '../helpers/wait-for.js';
import { openTerminal, type Terminal } from './bundle/tmux.js';

const skip = fleetSkipReason() ?? (existsSync('/usr/bin/tmux') ? undefined : 'no tmux');

/** A line a second for 3 s, each stamped with the host's clock (the fleet's hosts share ours). */
const TICKS = 'for i in 1 2 3; do echo "tick $i $(date +%s%3N)"; sleep 1; done';

interface Seen {
  readonly line: string;
  readonly at: number;
}

/** The built CLI on pipes (no TTY), each stdout line stamped when ferry wrote it. */
function ferryLines(args: readonly string[], cwd: string) {
  const child = spawn(process.execPath, [FERRY_BIN, ...args], {
    cwd,
    env: { ...process.env, NO_COLOR: '1', CI: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const seen: Seen[] = [];
  let partial = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => {
    const at = Date.now();
    const parts = (partial + c.toString()).split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts) seen.push({ line, at });
  });
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const done = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? -1)));
  return { child, seen, done, stderr: () => stderr, stdout: () => seen.map((s) => s.line).join('\n') };
}

/** `tick N <ms>` lines of one host: N → the host's time of printing. */
function ticks(text: string, host: string): Map<number, number> {
  const re = new RegExp(`^\\[${host}\\] tick (\\d) (\\d+)$`, 'gm');
  return new Map([...text.matchAll(re)].map((m) => [Number(m[1]), Number(m[2])]));
}

describe.skipIf(skip)('streaming output on a real fleet', () => {
  let fleet: Fleet;
  let work: string;
  let flags: string[];
  let term: Terminal | undefined;

  beforeAll(async () => {
    fleet = await startFleet({ hosts: 2 });
    flags = fleetFlags(fleet);
    work = await mkdtemp(join(tmpdir(), 'ferry-stream-'));
  }, 120_000);
  afterEach(() => term?.close());
  afterAll(async () => {
    await fleet?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('without a TTY: the first line is on stdout before the host prints the second', async () => {
    const run = ferryLines([...flags, 'run', '--roles', 'app', '--', TICKS], work);
    expect(await run.done, run.stderr()).toBe(0);
    for (const h of ['h1', 'h2']) {
      const printed = ticks(run.stdout(), h);
      expect([...printed.keys()], run.stdout()).toEqual([1, 2, 3]);
      const first = run.seen.find((s) => s.line.startsWith(`[${h}] tick 1 `));
      // arrival of line 1 (stamped here) precedes the host's stamp of line 2
      expect(first?.at).toBeLessThan(printed.get(2) ?? 0);
      // each line once: the output is not printed again at the end
      expect(run.seen.filter((s) => s.line.startsWith(`[${h}] tick 1 `))).toHaveLength(1);
    }
    // control: the three lines came a second apart, so "before" is not a matter of luck
    const t = ticks(run.stdout(), 'h1');
    expect((t.get(2) ?? 0) - (t.get(1) ?? 0)).toBeGreaterThan(800);
  }, 60_000);

  it('on a TTY (tmux): line 1 is on the screen while line 2 is not yet printed', async () => {
    term = openTerminal([process.execPath, FERRY_BIN, ...flags, 'run', '--hosts', 'h1', '--', TICKS], {
      cwd: work,
      env: { NO_COLOR: '1' },
    });
    const screen1 = await term.waitFor(/^\[h1\] tick 1 \d+$/m, 30_000);
    const seenAt = Date.now();
    expect(screen1).not.toMatch(/tick 2/);
    const end = await term.waitFor(/\[exit \d+\]/, 30_000);
    expect(term.exitCode(), end).toBe(0);
    const printed = ticks(end, 'h1');
    expect([...printed.keys()], end).toEqual([1, 2, 3]);
    expect(seenAt).toBeLessThan(printed.get(2) ?? 0);
    // the task list stays below the streamed lines and ends done
    expect(end).toMatch(/tick 3 \d+\n(?:.*\n)*.*h1: done/);
  }, 60_000);

  it('Ctrl-C stops the remote commands on every host, names them interrupted, exits 130', async () => {
    const marker = 'sleep 3917';
    const json = join(work, 'interrupted.json');
    const run = ferryLines(
      [...flags, '--json', json, 'run', '--roles', 'app', '--', `echo started && ${marker} && echo never`],
      work,
    );
    await waitFor(() => run.seen.filter((s) => / started$/.test(s.line)).length === 2, {
      timeoutMs: 30_000,
      what: 'both hosts to start',
    });
    const running = () => fleet.exec(fleet.host('h1'), `pgrep -fx '${marker}' || true`);
    expect((await running()).stdout.trim().split('\n')).toHaveLength(2); // control: they run
    run.child.kill('SIGINT');
    expect(await run.done).toBe(130);
    expect((await running()).stdout.trim()).toBe('');
    expect(run.stdout()).toMatch(/^\[h1\] INTERRUPTED: .*interrupted \(Ctrl-C\)/m);
    expect(run.stdout()).toMatch(/^\[h2\] INTERRUPTED: /m);
    expect(run.stdout()).toMatch(/2 interrupted/);
    expect(run.stdout()).not.toMatch(/^\[h\d\] never$/m);
    const report = JSON.parse(await readFile(json, 'utf8')) as { hosts: { status: string; error: { kind: string } }[] };
    expect(report.hosts.map((h) => [h.status, h.error.kind])).toEqual([
      ['interrupted', 'interrupted'],
      ['interrupted', 'interrupted'],
    ]);
  }, 60_000);
});
