import { describe, expect, it } from 'vitest';
import {
  supervisorReread, supervisorRestart, supervisorStart, supervisorStatus, supervisorStop, supervisorUpdate,
} from '../../../src/ops/supervisor/ctl.js';
import { supervisorCheckCommand } from '../../../src/ops/supervisor/check.js';
import { render } from '../../../src/shell/command.js';

const r = (c: Parameters<typeof render>[0]): string => render(c, { masked: true });
const o = { conf: '/etc/supervisor/supervisord.conf' };

describe('supervisorctl builders', () => {
  it('builds argv commands', () => {
    expect(r(supervisorReread(o))).toBe('supervisorctl -c /etc/supervisor/supervisord.conf reread');
    expect(r(supervisorUpdate(o))).toBe('supervisorctl -c /etc/supervisor/supervisord.conf update');
    expect(r(supervisorUpdate(o, ['web']))).toBe('supervisorctl -c /etc/supervisor/supervisord.conf update web');
    expect(r(supervisorRestart(o, ['web']))).toBe('supervisorctl -c /etc/supervisor/supervisord.conf restart web');
    expect(r(supervisorStart({ serverUrl: 'unix:///run/s.sock' }, ['pool:*']))).toBe("supervisorctl -s unix:///run/s.sock start 'pool:*'");
    expect(r(supervisorStop({}, ['pool:pool_00', 'web']))).toBe('supervisorctl stop pool:pool_00 web');
    expect(r(supervisorStatus(o))).toBe('supervisorctl -c /etc/supervisor/supervisord.conf status');
    expect(r(supervisorRestart({ ...o, sudo: true }, ['web']))).toMatch(/^sudo -S .*supervisorctl -c \/etc\/supervisor\/supervisord.conf restart web'$/);
  });

  it('refuses empty program lists and option-like or odd names', () => {
    expect(() => supervisorRestart(o, [])).toThrow(/name at least one program/);
    expect(() => supervisorStop(o, [])).toThrow();
    expect(() => supervisorStart(o, ['--help'])).toThrow(/invalid supervisor program name/);
    expect(() => supervisorRestart(o, ['web app'])).toThrow();
    expect(() => supervisorRestart(o, ['web;reboot'])).toThrow();
  });

  it('config check: explicit python is an argv command; default finds supervisord’s interpreter', () => {
    const explicit = supervisorCheckCommand({ files: ['/srv/app/releases/x/config/supervisor/app.conf'], expect: ['web'], python: '/usr/bin/python3' });
    expect('argv' in explicit && explicit.argv[0]).toBe('/usr/bin/python3');
    expect('argv' in explicit && explicit.argv.slice(3)).toEqual(['web', '/srv/app/releases/x/config/supervisor/app.conf']);
    const detected = r(supervisorCheckCommand({ files: ['/a.conf'] }));
    expect(detected).toMatch(/^py=\$\(sed -n '1s\/\^#!\[\[:space:\]\]\*\/\/p' "\$\(command -v supervisord\)"\) && \[ -n "\$py" \] && \$py -c '/);
    expect(detected.endsWith(" '' /a.conf")).toBe(true);
    expect(() => supervisorCheckCommand({ files: [] })).toThrow();
  });
});
