import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { supervisorCheckCommand } from '../../../src/ops/supervisor/check.js';
import { supervisorctl, supervisorRestart } from '../../../src/ops/supervisor/ctl.js';
import { supervisorApplyCommand } from '../../../src/ops/supervisor/apply.js';
import { localSh } from '../../helpers/local-sh.js';

const run = promisify(execFile);

const sh = localSh;

/** `supervisorctl pid <name>`: the program's pid, or 0 when it is not running. */
async function pidOf(conf: string, name: string): Promise<number> {
  return Number((await sh(supervisorctl({ conf }, 'pid', [name]))).stdout.trim()) || 0;
}

/** How many times supervisord started `name` (its `spawned: 'name'` log lines). */
function spawns(dir: string, name: string): number {
  return readFileSync(join(dir, 'supervisord.log'), 'utf8').split(`spawned: '${name}' `).length - 1;
}

async function until(what: string, ok: () => Promise<boolean>, tries = 100, everyMs = 100): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (await ok()) return;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const GOOD = `[program:web]
command=/bin/sleep 1000
directory=%(here)s
startsecs=1
environment=PORT="8001",NODE_ENV="production"

[program:pool]
command=/bin/sleep 1000
numprocs=2
process_name=%(program_name)s_%(process_num)02d
`;

const BROKEN: Record<string, string> = {
  'no command': '[program:web]\ndirectory=/tmp\n',
  'bad integer': '[program:web]\ncommand=/bin/sleep 1\nstartsecs=soon\n',
  'ini syntax': '[program:web\ncommand=/bin/sleep 1\n',
  'bad signal': '[program:web]\ncommand=/bin/sleep 1\nstopsignal=NOPE\n',
  'bad expansion': '[program:web]\ncommand=/bin/sleep 1\nprocess_name=%(nope)s\n',
  'numprocs without process_num': '[program:web]\ncommand=/bin/sleep 1\nnumprocs=2\n',
};

describe('supervisor against the real package (supervisor 4.2.5)', () => {
  let dir = '';
  let conf = '';

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ferry-sup-'));
    conf = join(dir, 'supervisord.conf');
    writeFileSync(
      join(dir, 'programs.conf'),
      `${GOOD}
[program:crashy]
command=/bin/false
startsecs=1
startretries=0
autostart=false
`,
    );
    writeFileSync(
      conf,
      `[unix_http_server]
file=${dir}/s.sock
chmod=0700
[supervisord]
logfile=${dir}/supervisord.log
pidfile=${dir}/supervisord.pid
childlogdir=${dir}
[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface
[supervisorctl]
serverurl=unix://${dir}/s.sock
[include]
files = ${dir}/programs.conf
`,
    );
    await run('supervisord', ['-c', conf]);
    // status exits 0 only when every listed process is RUNNING
    await until('web and pool RUNNING', async () => {
      const r = await sh(supervisorctl({ conf }, 'status', ['web', 'pool:*']));
      return (
        r.code === 0 &&
        r.stdout
          .trim()
          .split('\n')
          .every((l) => /\sRUNNING\s/.test(l))
      );
    });
  });

  afterAll(async () => {
    if (conf) await run('supervisorctl', ['-c', conf, 'shutdown']).catch(() => undefined);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('restart gives a new pid; a program that cannot start fails the restart (exit 7)', async () => {
    const before = await pidOf(conf, 'web');
    expect(before).toBeGreaterThan(0);
    const restarted = await sh(supervisorRestart({ conf }, ['web']));
    expect(restarted.code).toBe(0);
    const after = await pidOf(conf, 'web');
    expect(after).toBeGreaterThan(0);
    expect(after).not.toBe(before);
    const crashy = await sh(supervisorRestart({ conf }, ['crashy']));
    expect(crashy.code).toBe(7);
    expect(crashy.stdout).toContain('crashy: ERROR (spawn error)');
  });

  it('apply with supervisord running: a changed program config is applied and the program started once', async () => {
    const programs = join(dir, 'programs.conf');
    const text = readFileSync(programs, 'utf8');
    writeFileSync(programs, text.replace('NODE_ENV="production"', 'NODE_ENV="staging"'));
    const before = await pidOf(conf, 'web');
    const started = spawns(dir, 'web');
    const r = await sh(supervisorApplyCommand('web', { conf }));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^web\s+RUNNING\s/m);
    const after = await pidOf(conf, 'web');
    expect(after).toBeGreaterThan(0);
    expect(after).not.toBe(before);
    // `update` restarts a changed group: a `restart` after it would spawn it a second time
    expect(spawns(dir, 'web') - started).toBe(1);
    const env = readFileSync(`/proc/${after}/environ`, 'utf8').split('\0');
    expect(env).toContain('NODE_ENV=staging');
  });

  it('apply with an unchanged program config restarts it once; an added program is started once', async () => {
    const before = await pidOf(conf, 'web');
    const started = spawns(dir, 'web');
    const r = await sh(supervisorApplyCommand('web', { conf }));
    expect(r.code, r.stderr).toBe(0);
    expect(await pidOf(conf, 'web')).not.toBe(before);
    expect(spawns(dir, 'web') - started).toBe(1);
    const programs = join(dir, 'programs.conf');
    writeFileSync(
      programs,
      `${readFileSync(programs, 'utf8')}\n[program:added]\ncommand=/bin/sleep 1000\nstartsecs=1\n`,
    );
    const added = await sh(supervisorApplyCommand('added', { conf }));
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).toMatch(/^added\s+RUNNING\s/m);
    expect(spawns(dir, 'added')).toBe(1);
  });

  it('apply of a changed program that cannot start fails, saying FATAL', async () => {
    const programs = join(dir, 'programs.conf');
    const text = readFileSync(programs, 'utf8');
    writeFileSync(
      programs,
      text.replace('command=/bin/sleep 1000\nstartsecs=1\n', 'command=/bin/false\nstartsecs=1\nstartretries=0\n'),
    );
    const r = await sh(supervisorApplyCommand('added', { conf }));
    expect(r.code).not.toBe(0);
    expect(r.stdout).toMatch(/^added\s+FATAL\s/m);
    expect(spawns(dir, 'added')).toBe(2);
  });

  it('apply with supervisord stopped: starts it and returns once the program is RUNNING', async () => {
    const daemon = Number(readFileSync(join(dir, 'supervisord.pid'), 'utf8'));
    expect((await sh(supervisorctl({ conf }, 'shutdown'))).code).toBe(0);
    await until('supervisord gone', async () => {
      try {
        process.kill(daemon, 0);
        return false;
      } catch {
        return true;
      }
    });
    const r = await sh(supervisorApplyCommand('web', { conf }));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^web\s+RUNNING\s/m);
    expect(await pidOf(conf, 'web')).toBeGreaterThan(0);
  });

  it('config check passes a good program file and names its groups', async () => {
    const file = join(dir, 'good.conf');
    writeFileSync(file, GOOD);
    const r = await sh(supervisorCheckCommand({ files: [file], expect: ['web', 'pool'] }));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split(' ').sort()).toEqual(['pool', 'web']);
    const explicit = await sh(supervisorCheckCommand({ files: [file], python: '/usr/bin/python3' }));
    expect(explicit.code).toBe(0);
  });

  it.each(Object.entries(BROKEN))('config check fails on a broken file: %s', async (name, text) => {
    const file = join(dir, `broken-${name.replace(/\W+/g, '-')}.conf`);
    writeFileSync(file, text);
    const r = await sh(supervisorCheckCommand({ files: [file] }));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('supervisor config check:');
  });

  it('config check fails on a missing file and on a program the files do not define', async () => {
    const missing = await sh(supervisorCheckCommand({ files: [join(dir, 'absent.conf')] }));
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('no such file');
    const file = join(dir, 'good2.conf');
    writeFileSync(file, GOOD);
    const r = await sh(supervisorCheckCommand({ files: [file], expect: ['api'] }));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('not defined: api (found: pool, web)');
  });
});
