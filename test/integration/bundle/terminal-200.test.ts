// A person at a terminal with 200 hosts (tmux, 160×40): the screen shows counts while the run goes
// and, at the end, everything ferry printed fits on one screen — no line per host scrolled past.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet } from '../../fleet/fleet.js';
import { FERRY_BIN, fleetFlags } from '../../helpers/ferry-cli.js';
import { fleetSkipReason } from '../../helpers/skip.js';
import { openTerminal, type Terminal } from './tmux.js';

const skip = fleetSkipReason() ?? (existsSync('/usr/bin/tmux') ? undefined : 'no tmux');
const HOSTS = 200;
const ROWS = 40;

describe.skipIf(skip)(`at a terminal with ${HOSTS} hosts (tmux)`, () => {
  let fleet: Fleet;
  let dir: string;
  let term: Terminal | undefined;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ferry-terminal-200-'));
    fleet = await startFleet({
      hosts: Array.from({ length: HOSTS }, (_, i) => ({ name: `n${i + 1}`, roles: ['app'] })),
    });
  }, 600_000);
  afterEach(() => term?.close());
  afterAll(async () => {
    await fleet?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('counts while it runs, then a summary that fits the screen; one failing host is named', async () => {
    // n7 fails: the screen must name it among 199 ok hosts
    const cmd = 'sleep 0.2 && test ! -e /srv/fail-here';
    execFileSync('touch', [join(fleet.host('n7').root, 'srv/fail-here')]);
    term = openTerminal(
      [process.execPath, FERRY_BIN, ...fleetFlags(fleet), '-j', '50', 'run', '--roles', 'app', '--', cmd],
      { cwd: dir, env: { NO_COLOR: '1' }, rows: ROWS },
    );
    const t = term;
    const during: string[] = [];
    while (t.exitCode() === undefined) {
      const s = t.screen();
      if (during.at(-1) !== s) during.push(s);
      await sleep(50);
    }
    const after = t.screen();
    expect(t.exitCode(), after).toBe(1);
    // while running: a counts line, never a host's own progress line
    const counting = during.filter((s) => /^\d+\/200 done: \d+ ok, \d+ failed, \d+ running$/m.test(s));
    expect(counting.length, during.join('\n-----\n')).toBeGreaterThan(0);
    for (const s of during) expect(s, s).not.toMatch(/^\s*\S+ n\d+: /m);
    // everything printed, scrollback included, fits on the screen
    const all = t.history();
    const printed = all.split('\n').filter((l) => l.trim() !== '');
    expect(printed.length, all).toBeLessThan(ROWS);
    expect(after).toMatch(/^\[n7\] FAILED/m);
    expect(after).toMatch(/^200\/200 done: 199 ok, 1 failed, 0 running$/m);
    expect(after).toMatch(/200 host\(s\): 199 ok, 1 failed, 0 unreachable/);
  }, 600_000);
});
