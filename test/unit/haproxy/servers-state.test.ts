import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeAdminState, findServerState, parseServersState, serversStateFact } from '../../../src/facts/haproxy/servers-state.js';
import { render } from '../../../src/shell/command.js';

const fixture = (name: string): string => readFileSync(new URL(`../../fixtures/haproxy/${name}`, import.meta.url), 'utf8');

const summary = (name: string) =>
  parseServersState(fixture(name)).map((s) => `${s.backend}/${s.server} ${s.opState} ${s.admin} [${s.adminFlags.join(',')}] w=${s.uweight}`);

describe('parseServersState (haproxy 2.6.12 real output)', () => {
  it('all up, a down server, a config-disabled one', () => {
    expect(summary('servers-state-all-up.txt')).toEqual([
      'app/web1 running READY [] w=1',
      'app/web2 running READY [] w=50',
      'app/web3 running READY [] w=1',
      'other/solo stopped READY [] w=1',
      'other/nocheck running READY [] w=1',
      'other/off stopped MAINT [FMAINT,CMAINT] w=1',
    ]);
    const web2 = findServerState(parseServersState(fixture('servers-state-all-up.txt')), 'app', 'web2');
    expect(web2).toMatchObject({ backendId: 3, serverId: 2, addr: '127.0.0.1', port: 27102, iweight: 50 });
  });

  it('drain and maint from the runtime API', () => {
    expect(summary('servers-state-mixed.txt').slice(0, 3)).toEqual([
      'app/web1 running DRAIN [FDRAIN] w=1',
      'app/web2 stopped MAINT [FMAINT] w=50',
      'app/web3 running READY [] w=1',
    ]);
  });

  it('one backend only; after ready; health forced down; drained with sessions', () => {
    expect(summary('servers-state-app-mixed.txt')).toEqual(summary('servers-state-mixed.txt').slice(0, 3));
    expect(summary('servers-state-after-ready.txt')).toEqual([
      'app/web1 running DRAIN [FDRAIN] w=1',
      'app/web2 running READY [] w=50',
      'app/web3 running READY [] w=1',
    ]);
    expect(summary('servers-state-health-down.txt')[2]).toBe('app/web3 stopped READY [] w=1');
    expect(summary('servers-state-drain-busy.txt')[0]).toBe('app/web1 running DRAIN [FDRAIN] w=1');
  });

  it('decodes admin bits, MAINT winning over DRAIN', () => {
    expect(decodeAdminState(0)).toEqual({ flags: [], admin: 'READY' });
    expect(decodeAdminState(0x08)).toEqual({ flags: ['FDRAIN'], admin: 'DRAIN' });
    expect(decodeAdminState(0x10)).toEqual({ flags: ['IDRAIN'], admin: 'DRAIN' });
    expect(decodeAdminState(0x0c)).toEqual({ flags: ['CMAINT', 'FDRAIN'], admin: 'MAINT' });
    expect(decodeAdminState(0x20)).toEqual({ flags: ['RMAINT'], admin: 'MAINT' });
    expect(decodeAdminState(0x40)).toEqual({ flags: ['FQDN_CHANGED'], admin: 'READY' });
  });

  it('refuses error replies', () => {
    expect(() => parseServersState(fixture('reply-servers-state-unknown-backend.txt'))).toThrow(/Can't find backend/);
    expect(() => parseServersState(fixture('stat-all-up.csv'))).toThrow();
    expect(() => parseServersState('1\n# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state\n3 app 1 web1 127.0.0.1 9 0\n')).toThrow(/srv_op_state/);
  });

  it('fact: optional backend, validated', () => {
    expect(render(serversStateFact('/run/haproxy/admin.sock', 'app').command, { masked: true })).toBe(
      "printf '%s\\n' 'show servers state app' | socat -t 10 -T 30 - UNIX-CONNECT:/run/haproxy/admin.sock",
    );
    expect(render(serversStateFact('/s.sock').command, { masked: true })).toContain("'show servers state' |");
    expect(() => serversStateFact('/s.sock', 'app; set server app/web1 state maint')).toThrow(/invalid haproxy backend/);
  });
});
