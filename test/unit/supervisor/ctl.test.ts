import { describe, expect, it } from 'vitest';
import {
  supervisorctl,
  supervisorReread,
  supervisorRestart,
  supervisorUpdate,
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

  it('apply: reread, update and restart when supervisord runs; else start it and wait for RUNNING', () => {
    const text = r(supervisorApplyCommand('web'));
    expect(text.startsWith('if supervisorctl -c /etc/supervisor/supervisord.conf pid >/dev/null 2>&1; then ')).toBe(
      true,
    );
    expect(text).toContain(
      'then supervisorctl -c /etc/supervisor/supervisord.conf reread >/dev/null && supervisorctl -c /etc/supervisor/supervisord.conf update web && supervisorctl -c /etc/supervisor/supervisord.conf restart web; ',
    );
    expect(text).toContain('else supervisord -c /etc/supervisor/supervisord.conf && ');
    expect(text).not.toContain(';;');
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
