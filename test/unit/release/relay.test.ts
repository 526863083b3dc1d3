import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { releasePaths } from '../../../src/ops/release/paths.js';
import { parseServeLine, relayFetchCommand, relayServeCommand } from '../../../src/ops/release/relay.js';
import { render } from '../../../src/shell/command.js';
import { localSh } from '../../helpers/local-sh.js';
import { waitFor } from '../../helpers/wait-for.js';
import { fresh } from './fixtures.js';

const TOKEN = 'f00dfeed'.repeat(4);
const servers: ChildProcessWithoutNullStreams[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.kill('SIGKILL');
});

/** A source "host": its cache holds `bytes` under their sha256, served by the real relay server. */
async function source(bytes: Buffer, rate = 0) {
  const p = releasePaths(fresh());
  const sha = createHash('sha256').update(bytes).digest('hex');
  mkdirSync(p.cacheDir, { recursive: true });
  writeFileSync(p.cacheFile(sha), bytes);
  const child = spawn('/bin/sh', ['-c', render(relayServeCommand(p, sha, rate), { masked: false })]);
  servers.push(child);
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stdin.write(`${TOKEN}\n`);
  const port = await waitFor(
    () =>
      out
        .split('\n')
        .map(parseServeLine)
        .find((e) => e?.kind === 'port'),
    {
      timeoutMs: 10_000,
      what: 'the relay server port',
    },
  );
  return { p, sha, child, port: (port as { port: number }).port, out: () => out };
}

describe('relay: a host serves its verified artifact, another pulls and verifies it', () => {
  it('a receiver with the token gets the bytes into its cache under their sha256', async () => {
    const bytes = randomBytes(300_000);
    const src = await source(bytes);
    const dst = releasePaths(fresh());
    const from = { address: '127.0.0.1', port: src.port, size: bytes.length };
    const r = await localSh(relayFetchCommand(dst, src.sha, 'run-1', from), `${TOKEN}\n`);
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(dst.cacheDir)).toEqual([`${src.sha}.tar.gz`]);
    expect(readFileSync(dst.cacheFile(src.sha)).equals(bytes)).toBe(true);
    await waitFor(() => src.out().includes(`sent 127.0.0.1`), { timeoutMs: 5000, what: 'the sent line' });
    // closing the server's stdin (ferry ending the channel) ends it
    src.child.stdin.end();
    const code = await new Promise((r) => src.child.on('close', r));
    expect(code).toBe(0);
  });

  it('a wrong token gets nothing; a source serving other bytes fails the sha256 check: nothing cached', async () => {
    const bytes = randomBytes(10_000);
    const src = await source(bytes);
    const dst = releasePaths(fresh());
    const from = { address: '127.0.0.1', port: src.port, size: bytes.length };
    const wrong = await localSh(relayFetchCommand(dst, src.sha, 'run-2', from), 'not-the-token\n');
    expect(wrong.code).toBe(75);
    expect(wrong.stderr).toMatch(/sent 0 of 10000 bytes/);
    writeFileSync(src.p.cacheFile(src.sha), randomBytes(10_000)); // the source's file rots
    const bad = await localSh(relayFetchCommand(dst, src.sha, 'run-3', from), `${TOKEN}\n`);
    expect(bad.code).toBe(65);
    expect(bad.stderr).toMatch(/sha256 mismatch after relay from 127\.0\.0\.1/);
    expect(readdirSync(dst.cacheDir)).toEqual([]);
  });

  it('a source that dies mid-transfer: the receiver fails (75), keeps no partial file', async () => {
    const bytes = randomBytes(2_000_000);
    const src = await source(bytes, 1_000_000); // 2 s at 1 MB/s
    const dst = releasePaths(fresh());
    const from = { address: '127.0.0.1', port: src.port, size: bytes.length };
    const pulling = localSh(relayFetchCommand(dst, src.sha, 'run-4', from), `${TOKEN}\n`);
    await waitFor(() => src.out().includes('send 127.0.0.1'), { timeoutMs: 5000, what: 'the transfer to start' });
    src.child.kill('SIGKILL');
    spawn('pkill', ['-KILL', '-P', String(src.child.pid)]);
    const r = await pulling;
    expect(r.code, r.stderr).toBe(75);
    expect(readdirSync(dst.cacheDir)).toEqual([]);
  });

  it('a source nobody listens on: 75 (try another source)', async () => {
    const dst = releasePaths(fresh());
    const r = await localSh(
      relayFetchCommand(dst, 'a'.repeat(64), 'run-5', { address: '127.0.0.1', port: 1, size: 5 }),
      `${TOKEN}\n`,
    );
    expect(r.code).toBe(75);
    expect(r.stderr).toMatch(/relay source 127\.0\.0\.1:1: .*refused/i);
  });

  it('parses the server lines', () => {
    expect(parseServeLine('port 40123')).toEqual({ kind: 'port', port: 40123 });
    expect(parseServeLine('sent 127.0.0.3 5555 1000')).toEqual({
      kind: 'sent',
      peer: '127.0.0.3:5555',
      detail: '1000',
    });
    expect(parseServeLine('garbage')).toBeUndefined();
  });
});
