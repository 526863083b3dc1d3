import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { supervisorCheckCommand } from '../../../src/ops/supervisor/check.js';
import { supervisorRestart, supervisorStatus, supervisorStop } from '../../../src/ops/supervisor/ctl.js';
import { supervisorStatusFact, parseSupervisorStatus } from '../../../src/facts/supervisor/status.js';
import { localSh } from '../../helpers/local-sh.js';
import { render } from '../../../src/shell/command.js';

const run = promisify(execFile);


const sh = localSh;

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
    writeFileSync(join(dir, 'programs.conf'), `${GOOD}
[program:crashy]
command=/bin/false
startsecs=1
startretries=0
autostart=false
`);
    writeFileSync(conf, `[unix_http_server]
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
`);
    await run('supervisord', ['-c', conf]);
    // wait (bounded: 50 polls) until web and pool are RUNNING (STARTING also exits 0)
    for (let i = 0; i < 50; i++) {
      const r = await sh(supervisorStatus({ conf }, ['web', 'pool:*']));
      if (r.code === 0 && parseSupervisorStatus(r.stdout).every((p) => p.state === 'RUNNING')) return;
      await new Promise((res) => setTimeout(res, 200));
    }
    throw new Error('supervisord did not start web');
  });

  afterAll(async () => {
    if (conf) await run('supervisorctl', ['-c', conf, 'shutdown']).catch(() => undefined);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('restart gives a new pid; a program that cannot start fails the restart (exit 7)', async () => {
    const fact = supervisorStatusFact({ conf }, ['web']);
    const before = parseSupervisorStatus((await sh(fact.command)).stdout)[0];
    expect(before?.state).toBe('RUNNING');
    const restarted = await sh(supervisorRestart({ conf }, ['web']));
    expect(restarted.code).toBe(0);
    const after = parseSupervisorStatus((await sh(fact.command)).stdout)[0];
    expect(after?.state).toBe('RUNNING');
    expect(after?.pid).not.toBe(before?.pid);
    const crashy = await sh(supervisorRestart({ conf }, ['crashy']));
    expect(crashy.code).toBe(7);
    expect(crashy.stdout).toContain('crashy: ERROR (spawn error)');
  });

  it('the status fact accepts "not running" (exit 3) and fails on an unknown program (exit 4 → fails)', async () => {
    expect((await sh(supervisorStop({ conf }, ['pool:pool_01']))).code).toBe(0);
    const all = await sh(supervisorStatusFact({ conf }).command);
    expect(all.code).toBe(0);
    const rows = parseSupervisorStatus(all.stdout);
    expect(rows.find((p) => p.name === 'pool:pool_01')?.state).toBe('STOPPED');
    expect(rows.find((p) => p.name === 'web')?.state).toBe('RUNNING');
    const unknown = await sh(supervisorStatusFact({ conf }, ['nosuch']).command);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stdout).toContain('nosuch: ERROR (no such process)');
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
