// A person at a terminal, in a real pseudo-terminal (tmux), reading the screen back: the sudo
// password typed at the prompt (never echoed, never in the logs or the report), a deploy's listr2
// screen during and after the run, and a protected stage's confirmation.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FERRYTEST_PASSWORD, FERRYTEST_USER, startFleet, type Fleet } from '../../fleet/fleet.js';
import { FERRY_BIN } from '../../helpers/ferry-cli.js';
import { fleetSkipReason } from '../../helpers/skip.js';
import { appRepo } from './app-repo.js';
import { openTerminal, type Terminal } from './tmux.js';

const skip = fleetSkipReason() ?? (existsSync('/usr/bin/tmux') ? undefined : 'no tmux');

/** Every file under the project's .ferry/logs, as text. */
function logsText(dir: string): string {
  const root = join(dir, '.ferry/logs');
  if (!existsSync(root)) return '';
  const runs = readdirSync(root);
  return runs.flatMap((r) => readdirSync(join(root, r)).map((f) => readFileSync(join(root, r, f), 'utf8'))).join('\n');
}

describe.skipIf(skip)('at a terminal (tmux)', () => {
  let fleet: Fleet;
  let root: string;
  let dir: string;
  let term: Terminal | undefined;
  const ferry = (...args: string[]) => {
    term = openTerminal([process.execPath, FERRY_BIN, ...args], { cwd: dir, env: { NO_COLOR: '1' } });
    return term;
  };

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'ferry-terminal-'));
    fleet = await startFleet({ hosts: ['stg1', 'stg2', 'prod1'].map((name) => ({ name, roles: ['app'] })) });
    dir = await appRepo(root, fleet);
    const s1 = fleet.host('stg1');
    const sudo = `hosts:\n  s1: { address: ${s1.address}, port: ${s1.port}, user: ${FERRYTEST_USER}, roles: [app] }\n`;
    await writeFile(join(dir, 'sudo.yaml'), sudo);
  }, 120_000);
  afterEach(() => term?.close());
  afterAll(async () => {
    await fleet?.stop();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('--sudo-password-prompt takes the password unechoed; it is in no screen, log or report', async () => {
    const report = join(root, 'sudo.json');
    const run = ferry(
      '--inventory',
      'sudo.yaml',
      '--sudo-password-prompt',
      '--json',
      report,
      'run',
      '--sudo',
      '--hosts',
      's1',
      '--',
      'id -u; whoami',
    );
    await run.waitFor(/^sudo password \(asked once, for every host\):$/m);
    run.type(FERRYTEST_PASSWORD, false);
    // typed, not yet entered: the prompt line shows nothing of it (an echo would show at once; this
    // waits for an absence, so there is no condition to poll, only a bounded look)
    await sleep(200);
    expect(run.screen()).toMatch(/^sudo password \(asked once, for every host\):$/m);
    run.type('', true);
    const done = await run.waitFor(/\[exit \d+\]/);
    expect(run.exitCode(), done).toBe(0);
    expect(done).not.toContain(FERRYTEST_PASSWORD);
    const text = readFileSync(report, 'utf8');
    expect(JSON.parse(text).hosts[0].steps[0].stdout).toBe('0\nroot\n');
    expect(text).not.toContain(FERRYTEST_PASSWORD);
    expect(logsText(dir)).not.toBe('');
    expect(logsText(dir)).not.toContain(FERRYTEST_PASSWORD);
  }, 120_000);

  it("a deploy's screen: one line per host with its step while it runs, then each host and a summary", async () => {
    const t = ferry('deploy', 'my-app', '--tag', 'v0.1.0');
    const during: string[] = [];
    while (t.exitCode() === undefined) {
      const s = t.screen();
      if (during.at(-1) !== s) during.push(s);
      await sleep(40);
    }
    const after = t.screen();
    expect(t.exitCode(), after).toBe(0);
    // while running: both hosts on a line of their own, each showing a step after its name
    const running = during.filter((s) => /^\s*\S+ stg1: \S/m.test(s) && /^\s*\S+ stg2: \S/m.test(s));
    expect(running.length, during.join('\n-----\n')).toBeGreaterThan(0);
    const steps = new Set(during.flatMap((s) => [...s.matchAll(/stg1: (.+)$/gm)].map((m) => m[1])));
    expect(steps.size, [...steps].join('\n')).toBeGreaterThan(1);
    // after: each phase (stage, activate, finish) with one line per host, then the summary
    const phases = after.split(/^== (\S+)[^\n]*==$/m).slice(1);
    const names = phases.filter((_, i) => i % 2 === 0);
    expect(names, after).toEqual(['stage', 'activate', 'finish']);
    // staging names what it uploaded to each host (a first deploy: the whole artifact)
    const stage = phases[1] ?? '';
    for (const h of ['stg1', 'stg2'])
      expect(stage, after).toMatch(new RegExp(`^\\S+ ${h}: done \\(\\d+ KB uploaded\\)$`, 'm'));
    for (const body of phases.filter((_, i) => i % 2 === 1)) {
      const hostLines = body.split('\n').filter((l) => /^\S+ stg\d: /.test(l));
      expect(
        hostLines.map((l) => l.split(' ')[1]),
        after,
      ).toEqual(['stg1:', 'stg2:']);
    }
    expect(after).toMatch(
      /^stage staging: 2 host\(s\): 2 ok, 0 failed, 0 unreachable in [\d.]+ s; logs in .+\n\[exit 0\]$/m,
    );
  }, 180_000);

  it("a protected stage asks at the terminal: a wrong answer changes nothing, the stage's name goes on", async () => {
    const prod1 = fleet.host('prod1');
    const deployed = () => existsSync(join(prod1.root, 'srv/my-app/current'));
    const no = ferry('--stage', 'production', 'deploy', 'my-app', '--tag', 'v0.1.0');
    await no.waitFor(/stage production is protected: type its name to go on/);
    no.type('prod');
    const refused = await no.waitFor(/\[exit \d+\]/);
    expect(no.exitCode(), refused).toBe(2);
    expect(refused).toContain('stage production not confirmed; nothing changed');
    expect(deployed()).toBe(false);
    no.close();

    const yes = ferry('--stage', 'production', 'deploy', 'my-app', '--tag', 'v0.1.0');
    await yes.waitFor(/type its name to go on/);
    yes.type('production');
    const done = await yes.waitFor(/\[exit \d+\]/, 120_000);
    expect(yes.exitCode(), done).toBe(0);
    expect(done).toMatch(/stage production: 1 host\(s\): 1 ok/);
    expect(deployed()).toBe(true);
  }, 240_000);
});
