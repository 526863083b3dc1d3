import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sh } from '../../../src/shell/command.js';
import { releasePaths } from '../../../src/ops/release/paths.js';
import {
  acquireLockScript,
  describeOwner,
  heldLockMessage,
  lockStatusScript,
  parseOwner,
  staleReason,
  unlockCommand,
  type ControlHost,
} from '../../../src/ops/release/lock.js';
import { localSh } from '../../helpers/local-sh.js';
import { alice, fresh } from './fixtures.js';

describe('lock: acquire, status, release', () => {
  it('mkdir takes it once; a second taker and a reader see it held, with the owner', async () => {
    const p = releasePaths(fresh());
    mkdirSync(p.state);
    expect((await localSh(sh(lockStatusScript(p)))).stdout).toBe('lock=free\n');
    expect((await localSh(sh(acquireLockScript(p, alice)))).stdout).toBe('lock=acquired\n');
    expect(parseOwner(readFileSync(p.owner, 'utf8').trim())).toEqual(alice);
    const bob = { ...alice, user: 'bob' };
    const again = await localSh(sh(acquireLockScript(p, bob)));
    expect(again.stdout).toBe(`lock=held\nowner=${JSON.stringify(alice)}\n`);
    expect((await localSh(sh(lockStatusScript(p)))).stdout).toBe(`lock=held\nowner=${JSON.stringify(alice)}\n`);
    expect((await localSh(unlockCommand(p))).code).toBe(0);
    expect((await localSh(sh(lockStatusScript(p)))).stdout).toBe('lock=free\n');
    expect((await localSh(sh(acquireLockScript(p, bob)))).stdout).toBe('lock=acquired\n');
  });

  it('keeps an unreadable owner.json as text, and a missing one as unknown', async () => {
    const p = releasePaths(fresh());
    mkdirSync(p.lock, { recursive: true });
    const seen = async () => parseOwner((await localSh(sh(lockStatusScript(p)))).stdout.match(/^owner=(.*)$/m)?.[1]);
    expect(await seen()).toBeUndefined();
    writeFileSync(p.owner, 'half a {json\n');
    expect(await seen()).toBe('half a {json');
  });
});

describe('lock: racing takers', () => {
  it('of 12 takers at once exactly one acquires, and every other sees its owner (never an unknown one)', async () => {
    for (let round = 0; round < 5; round++) {
      const p = releasePaths(fresh());
      mkdirSync(p.state);
      const owners = Array.from({ length: 12 }, (_, i) => ({ ...alice, user: `u${i}`, runId: `run-${i}` }));
      const outs = await Promise.all(owners.map((o) => localSh(sh(acquireLockScript(p, o)))));
      const won = outs.filter((o) => o.stdout === 'lock=acquired\n');
      expect(won).toHaveLength(1);
      const winner = parseOwner(readFileSync(p.owner, 'utf8').trim());
      for (const o of outs.filter((x) => x !== won[0])) {
        expect(o.stdout).toBe(`lock=held\nowner=${JSON.stringify(winner)}\n`);
      }
      // no taker leaves its lock.<runId> dir behind
      expect(readdirSync(p.state).sort()).toEqual(['lock']);
    }
  });

  it('a lock being released is seen free or held with its owner, never half removed', async () => {
    const p = releasePaths(fresh());
    mkdirSync(p.state);
    const bob = { ...alice, user: 'bob', runId: 'r2' };
    for (let i = 0; i < 10; i++) {
      expect((await localSh(sh(acquireLockScript(p, alice)))).stdout).toBe('lock=acquired\n');
      const [, taker] = await Promise.all([localSh(unlockCommand(p)), localSh(sh(acquireLockScript(p, bob)))]);
      expect(taker.stdout).toMatch(/^lock=acquired\n$|^lock=held\nowner=\{"user":"alice"/);
      await localSh(unlockCommand(p));
    }
    expect(readdirSync(p.state)).toEqual([]);
  });
});

describe('lock: stale, described', () => {
  const here: ControlHost = { name: 'ctl', alive: (pid) => pid === 1 };
  const now = Date.parse('2026-01-01T00:30:00Z');

  it('is stale when its owner on this control host is gone, or when it is older than the TTL', () => {
    expect(staleReason(alice, 3600_000, now, here)).toBeUndefined();
    expect(staleReason({ ...alice, pid: 2 }, 3600_000, now, here)).toBe('pid 2 on ctl is gone');
    // another control host's pid says nothing here: only the age counts
    expect(staleReason({ ...alice, host: 'other', pid: 2 }, 3600_000, now, here)).toBeUndefined();
    expect(staleReason({ ...alice, host: 'other' }, 10 * 60_000, now, here)).toBe('it is 30 min old (TTL 10 min)');
    expect(staleReason('garbage', 3600_000, now, here)).toBe('its owner.json is missing or unreadable');
    expect(staleReason(undefined, 3600_000, now, here)).toBe('its owner.json is missing or unreadable');
  });

  it('describes the owner in one place, with or without its command', () => {
    expect(describeOwner(alice)).toBe("alice@ctl pid 1 since 2026-01-01T00:00:00Z: ferry deploy app --tag 'v1'");
    expect(describeOwner(alice, false)).toBe('alice@ctl pid 1 since 2026-01-01T00:00:00Z');
    expect(describeOwner('raw text')).toBe('raw text');
    expect(describeOwner(undefined)).toBe('unknown owner');
  });

  it('tells how to clear a stale lock, and only a stale one', () => {
    const p = releasePaths('/srv/app');
    const recent = { ...alice, host: 'elsewhere', started: new Date().toISOString() };
    const hint = 'ferry unlock app --hosts h1';
    expect(heldLockMessage(p, recent, 3600_000, hint)).toBe(`/srv/app/.ferry/lock is held by ${describeOwner(recent)}`);
    const old = { ...recent, started: new Date(Date.now() - 2 * 3600_000).toISOString() };
    expect(heldLockMessage(p, old, 3600_000, hint)).toBe(
      `/srv/app/.ferry/lock is held by ${describeOwner(old)} — STALE (it is 120 min old (TTL 60 min)); ` +
        'inspect, then remove it with `ferry unlock app --hosts h1`',
    );
  });
});
