// Operating a live fleet: `ferry logs` (merged, -f picks up new lines, Ctrl-C leaves no tail),
// `ferry ssh` at a terminal (tmux), `ferry exec` in the live release. The hosts hold a release's
// layout written directly (current/config/supervisor/…, shared/log/…): what these commands read.
import { existsSync } from 'node:fs';
import { appendFile, chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet } from '../fleet/fleet.js';
import { FERRY_BIN, ferry, fleetFlags, REPO, startFerry } from '../helpers/ferry-cli.js';
import { fleetSkipReason } from '../helpers/skip.js';
import { waitFor } from '../helpers/wait-for.js';
import { openTerminal, type Terminal } from './bundle/tmux.js';

const skip = fleetSkipReason() ?? (existsSync('/usr/bin/tmux') ? undefined : 'no tmux');

const BUNDLE = (name: string, extra: string) =>
  `import { defineBundle } from '${REPO}src/index.js';\nexport default defineBundle({ name: '${name}', ${extra} });\n`;

const PROGRAM = `[program:opshop]
command=/bin/true
stdout_logfile=/srv/opshop/shared/log/opshop.out.log
stderr_logfile=/srv/opshop/shared/log/opshop.err.log
`;

describe.skipIf(skip)('logs, ssh and exec on a real fleet', () => {
  let fleet: Fleet;
  let dir: string;
  let flags: string[];
  let term: Terminal | undefined;
  const log = (h: string, f: string) => join(fleet.host(h).root, 'srv/opshop/shared/log', f);
  /** tail processes on the machine (the hosts share its pid space) reading this bundle's logs */
  const tails = async () =>
    (await fleet.exec(fleet.host('h1'), "pgrep -f '^tail .*/srv/opshop/shared/log/' || true")).stdout.trim();

  beforeAll(async () => {
    fleet = await startFleet({ hosts: 2 });
    flags = fleetFlags(fleet);
    dir = await mkdtemp(join(tmpdir(), 'ferry-operate-'));
    await mkdir(join(dir, 'bundles/opshop'), { recursive: true });
    await mkdir(join(dir, 'bundles/plain'), { recursive: true });
    const supervisor =
      "configs: [{ template: 't.liquid', target: 'supervisor/opshop.conf', link: '/etc/supervisor/conf.d/opshop.conf', validate: 'supervisor' }]";
    await writeFile(join(dir, 'bundles/opshop/bundle.ts'), BUNDLE('opshop', `env: { kind: 'python' }, ${supervisor}`));
    await writeFile(join(dir, 'bundles/plain/bundle.ts'), BUNDLE('plain', "env: { kind: 'none' }"));
    await mkdir(join(dir, 'bundles/withenv'), { recursive: true });
    const envFile = "envFile: { vars: { GREETING: 'hello, world' } }";
    await writeFile(join(dir, 'bundles/withenv/bundle.ts'), BUNDLE('withenv', `env: { kind: 'none' }, ${envFile}`));
    for (const h of fleet.hosts) {
      const srv = join(h.root, 'srv/opshop');
      const rel = join(srv, 'releases/r1');
      await mkdir(join(rel, 'config/supervisor'), { recursive: true });
      await mkdir(join(rel, 'env/bin'), { recursive: true });
      await mkdir(join(srv, 'shared/log'), { recursive: true });
      await writeFile(join(rel, 'config/supervisor/opshop.conf'), PROGRAM);
      await writeFile(join(rel, 'env/bin/opshop-console'), `#!/bin/sh\necho "console on ${h.name} in $(pwd -P)"\n`);
      await chmod(join(rel, 'env/bin/opshop-console'), 0o755);
      await fleet.exec(h, 'ln -sfn releases/r1 /srv/opshop/current');
      await writeFile(log(h.name, 'opshop.out.log'), `started ${h.name}\nERROR boot ${h.name}\n`);
      await writeFile(log(h.name, 'opshop.err.log'), `warn ${h.name}\n`);
      // a staged env file as a deploy leaves it (quoted as ferry writes it), in withenv's live release
      await mkdir(join(h.root, 'srv/withenv/releases/r1/app'), { recursive: true });
      await writeFile(join(h.root, 'srv/withenv/releases/r1/app/.env'), `GREETING='hello, ${h.name}'\n`);
      await fleet.exec(h, 'ln -sfn releases/r1 /srv/withenv/current');
    }
  }, 120_000);
  afterEach(() => term?.close());
  afterAll(async () => {
    await fleet?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('logs: both files of every host, [host] prefixed; --grep and -n on the host', async () => {
    const r = await ferry([...flags, 'logs', 'opshop'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    for (const h of ['h1', 'h2'])
      for (const l of [`started ${h}`, `ERROR boot ${h}`, `warn ${h}`]) expect(r.stdout).toContain(`[${h}] ${l}\n`);
    const g = await ferry([...flags, 'logs', 'opshop', '--hosts', 'h2', '--grep', '^ERROR', '-n', '5'], { cwd: dir });
    expect(g).toMatchObject({ code: 0, stdout: '[h2] ERROR boot h2\n' });
  }, 60_000);

  it('logs -f picks up a line appended after it started; Ctrl-C ends it and leaves no tail on any host', async () => {
    expect(await tails()).toBe('');
    const run = startFerry([...flags, 'logs', 'opshop', '-f', '-n', '1'], { cwd: dir });
    await waitFor(() => /\[h1\] ERROR boot h1\n/.test(run.output()) && /\[h2\] warn h2\n/.test(run.output()), {
      timeoutMs: 30_000,
      what: 'the last lines of both hosts',
    });
    await appendFile(log('h2', 'opshop.out.log'), 'appended while following\n');
    await waitFor(() => run.output().includes('[h2] appended while following\n'), {
      timeoutMs: 15_000,
      what: 'the appended line',
    });
    expect((await tails()).split('\n')).toHaveLength(2); // control: one tail per host while it runs
    run.kill('SIGINT');
    const done = await run.done;
    expect(done.code, done.stderr).toBe(130);
    expect(done.stderr).not.toMatch(/FAILED/);
    expect(await tails()).toBe('');
  }, 60_000);

  it('logs of a bundle without a supervisor program: a clear usage error', async () => {
    const r = await ferry([...flags, 'logs', 'plain'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bundle "plain" has no supervisor program/);
  });

  it('ssh at a terminal: the host shell runs, exit code passed through', async () => {
    term = openTerminal([process.execPath, FERRY_BIN, ...flags, 'ssh', 'h2'], { cwd: dir, env: { NO_COLOR: '1' } });
    // a prompt of the remote login shell, then the commands typed into it
    await term.waitFor(/[#$] ?$/m, 30_000);
    term.type('hostname; echo "from $SSH_CONNECTION"; stty size; exit 3');
    const end = await term.waitFor(/\[exit \d+\]/, 30_000);
    expect(term.exitCode(), end).toBe(3);
    expect(end).toContain(`\n${hostname()}\n`);
    // the session's remote end is h2's address (the hosts share the machine's hostname)
    expect(end).toMatch(new RegExp(`from \\S+ \\d+ ${fleet.host('h2').address.replaceAll('.', '\\.')} 2222`));
    expect(end).toMatch(/^40 160$/m); // the PTY has the terminal's size
  }, 60_000);

  it("exec -t on one host: the command gets a terminal; its exit code is ferry's", async () => {
    const args = ['exec', 'opshop', '--primary', '-t', '--', 'tty && pwd && exit 4'];
    term = openTerminal([process.execPath, FERRY_BIN, ...flags, ...args], { cwd: dir, env: { NO_COLOR: '1' } });
    const end = await term.waitFor(/\[exit \d+\]/, 30_000);
    expect(term.exitCode(), end).toBe(4);
    expect(end).toMatch(/^\/dev\/pts\/\d+\r?$/m);
    expect(end).toMatch(/^\/srv\/opshop\/current\r?$/m);
    // more than one host: refused before anything runs
    const two = await ferry([...flags, 'exec', 'opshop', '-t', '--', 'true'], { cwd: dir });
    expect(two.code).toBe(2);
    expect(two.stderr).toMatch(/--interactive runs on one host; 2 selected \(h1, h2\)/);
  }, 60_000);

  it('ssh to an unknown host: exit 2 listing the hosts', async () => {
    const r = await ferry([...flags, 'ssh', 'no-such-host'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown host "no-such-host".*hosts: h1, h2/);
  });

  it("exec runs in current with the release's env/bin on PATH, on all hosts or --primary's one", async () => {
    const r = await ferry([...flags, 'exec', 'opshop', '--', 'opshop-console && echo "venv=$VIRTUAL_ENV"'], {
      cwd: dir,
    });
    expect(r.code, r.stderr).toBe(0);
    for (const h of ['h1', 'h2']) {
      expect(r.stdout).toContain(`[${h}] console on ${h} in /srv/opshop/releases/r1\n`);
      expect(r.stdout).toContain(`[${h}] venv=/srv/opshop/current/env\n`);
    }
    const p = await ferry([...flags, 'exec', 'opshop', '--primary', '--', 'pwd'], { cwd: dir });
    expect(p.code, p.stderr).toBe(0);
    expect(p.stdout).toMatch(/^\[h1\] \/srv\/opshop\/current$/m);
    expect(p.stdout).not.toMatch(/^\[h2\] /m);
  }, 60_000);

  it("exec loads the bundle's env file of each host (the variable is set only by the file)", async () => {
    const r = await ferry([...flags, 'exec', 'withenv', '--', 'echo "greeting=$GREETING"'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    for (const h of ['h1', 'h2']) expect(r.stdout).toContain(`[${h}] greeting=hello, ${h}\n`);
    // control: a bundle without an env file runs the same command with the variable unset
    const plain = await ferry([...flags, 'exec', 'opshop', '--', 'echo "greeting=$GREETING"'], { cwd: dir });
    expect(plain.stdout).toContain('[h1] greeting=\n');
  }, 60_000);
});
