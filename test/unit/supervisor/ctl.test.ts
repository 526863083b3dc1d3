import { describe, expect, it } from 'vitest';
import {
  supervisorctl,
  supervisorReread,
  supervisorRestart,
  supervisorUpdate,
  supervisorStatus,
  supervisorTail,
  parseSupervisorStatus,
} from '../../../src/ops/supervisor/ctl.js';
import { supervisorApplyCommand } from '../../../src/ops/supervisor/apply.js';
import { supervisorCheckCommand } from '../../../src/ops/supervisor/check.js';
import { UsageError } from '../../../src/errors/usage-error.js';
import { render } from '../../../src/shell/command.js';

const r = (c: Parameters<typeof render>[0]): string => render(c, { masked: true });
const o = { conf: '/etc/supervisor/supervisord.conf' };

describe('supervisorctl builders', () => {
  it('builds argv commands', () => {
    expect(r(supervisorReread(o))).toBe('supervisorctl -c /etc/supervisor/supervisord.conf reread');
    expect(r(supervisorUpdate(o))).toBe('supervisorctl -c /etc/supervisor/supervisord.conf update');
    expect(r(supervisorUpdate(o, ['web']))).toBe('supervisorctl -c /etc/supervisor/supervisord.conf update web');
    expect(r(supervisorRestart(o, ['web']))).toBe('supervisorctl -c /etc/supervisor/supervisord.conf restart web');
    expect(r(supervisorctl({}, 'stop', ['pool:pool_00', 'web']))).toBe('supervisorctl stop pool:pool_00 web');
    expect(r(supervisorctl(o, 'status', ['pool:*']))).toBe(
      "supervisorctl -c /etc/supervisor/supervisord.conf status 'pool:*'",
    );
  });

  it('refuses option-like or odd program names (they come from the bundle: a usage error)', () => {
    expect(() => supervisorRestart(o, ['--help'])).toThrow(UsageError);
    expect(() => supervisorRestart(o, ['web app'])).toThrow(/invalid supervisor program name/);
    expect(() => supervisorRestart(o, ['web;reboot'])).toThrow(UsageError);
    expect(() => supervisorApplyCommand('web;reboot')).toThrow(UsageError);
  });

  it('apply: reread, then update a changed/added program or restart an unchanged one (never both)', () => {
    const text = r(supervisorApplyCommand('web'));
    const ctl = 'supervisorctl -c /etc/supervisor/supervisord.conf';
    expect(text.startsWith(`if ${ctl} pid >/dev/null 2>&1; then `)).toBe(true);
    expect(text).toContain(
      `then out="$(${ctl} reread)" && if printf '%s\\n' "$out" | grep -qxF -e 'web: changed' -e 'web: available'; ` +
        `then ${ctl} update web && n=0 && until ${ctl} status web`,
    );
    expect(text).toContain(`; else ${ctl} restart web; fi; `);
    expect(text.match(/ restart web/g)).toHaveLength(1);
    expect(text).not.toMatch(/update web && [^;]*restart/);
    expect(text).toContain('else supervisord -c /etc/supervisor/supervisord.conf && ');
    expect(text).not.toContain(';;');
  });

  it('status and tail builders; status lines parsed, anything else kept whole', () => {
    expect(r(supervisorStatus(o, ['web']))).toBe(`supervisorctl -c ${o.conf} status web`);
    expect(r(supervisorTail(o, 'web', 'stderr'))).toBe(`supervisorctl -c ${o.conf} tail -1600 web stderr`);
    expect(r(supervisorTail({}, 'web', 'stdout', 300))).toBe('supervisorctl tail -300 web stdout');
    expect(() => supervisorTail(o, '-f', 'stderr')).toThrow(UsageError);
    // captured from supervisor 4.2.5
    const out = [
      'demo                             RUNNING   pid 18377, uptime 0:00:03',
      'crashy                           FATAL     Exited too quickly (process log may have details)',
      'idle                             STOPPED   Not started',
    ].join('\n');
    expect(parseSupervisorStatus(`${out}\n`, 'demo')).toEqual([
      { name: 'demo', state: 'RUNNING', description: 'pid 18377, uptime 0:00:03' },
      { name: 'crashy', state: 'FATAL', description: 'Exited too quickly (process log may have details)' },
      { name: 'idle', state: 'STOPPED', description: 'Not started' },
    ]);
    expect(parseSupervisorStatus('demo: ERROR (no such process)\n', 'demo')).toEqual([
      { name: 'demo', state: 'demo: ERROR (no such process)', description: '' },
    ]);
    expect(parseSupervisorStatus('unix:///run/supervisor.sock no such file\n', 'demo')).toEqual([
      { name: 'demo', state: 'unix:///run/supervisor.sock no such file', description: '' },
    ]);
  });

  it('config check: explicit python is an argv command; default finds supervisord’s interpreter', () => {
    const explicit = supervisorCheckCommand({
      files: ['/srv/app/releases/x/config/supervisor/app.conf'],
      expect: ['web'],
      python: '/usr/bin/python3',
    });
    expect('argv' in explicit && explicit.argv[0]).toBe('/usr/bin/python3');
    expect('argv' in explicit && explicit.argv.slice(3)).toEqual([
      'web',
      '/srv/app/releases/x/config/supervisor/app.conf',
    ]);
    const detected = r(supervisorCheckCommand({ files: ['/a.conf'] }));
    expect(detected).toMatch(
      /^py=\$\(sed -n '1s\/\^#!\[\[:space:\]\]\*\/\/p' "\$\(command -v supervisord\)"\) && \[ -n "\$py" \] && \$py -c '/,
    );
    expect(detected.endsWith(" '' /a.conf")).toBe(true);
    expect(() => supervisorCheckCommand({ files: [] })).toThrow();
  });
});
