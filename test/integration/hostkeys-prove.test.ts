import { readFileSync } from 'node:fs';
import { Client } from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOSTKEYS_ANNOUNCEMENT, skipHostKeysProve } from '../../src/ssh/hostkeys-prove.js';
import { startFleet, type Fleet } from '../fleet/fleet.js';
import { fleetSkipReason } from '../helpers/skip.js';
import { waitFor } from '../helpers/wait-for.js';

const skip = fleetSkipReason();
const PROVE = 'Outbound: Sending GLOBAL_REQUEST (hostkeys-prove-00@openssh.com)';

/** Connect to the real sshd, run one command, and return ssh2's protocol debug lines. */
async function session(fleet: Fleet, skipProve: boolean): Promise<string[]> {
  const h = fleet.host('h1');
  const lines: string[] = [];
  const client = new Client();
  const ready = new Promise<void>((resolve, reject) => client.once('ready', resolve).once('error', reject));
  client.connect({
    host: h.address,
    port: h.port,
    username: 'root',
    privateKey: readFileSync(fleet.clientKey),
    debug: (line: string) => lines.push(line),
  });
  if (skipProve) expect(skipHostKeysProve(client)).toBe(true);
  try {
    await ready;
    // sshd announces its keys right after authentication
    await waitFor(() => lines.some((l) => l.includes(`GLOBAL_REQUEST (${HOSTKEYS_ANNOUNCEMENT})`)), {
      timeoutMs: 10_000,
      what: 'the host-key announcement',
    });
    // a command after it: the connection works, and anything ssh2 would send in answer has gone
    const out = await new Promise<string>((resolve, reject) =>
      client.exec('echo ok', (err, ch) => {
        if (err) return reject(err);
        let text = '';
        ch.on('data', (d: Buffer) => (text += d.toString()));
        ch.on('close', () => resolve(text));
      }),
    );
    expect(out.trim()).toBe('ok');
    return lines;
  } finally {
    client.end();
  }
}

describe.skipIf(skip)("sshd's host-key announcement", () => {
  let fleet: Fleet;
  beforeAll(async () => {
    fleet = await startFleet({ hosts: 1 });
  }, 120_000);
  afterAll(async () => {
    await fleet?.stop();
  });

  it('ssh2 on its own answers it with a prove request (the round trip skipHostKeysProve saves)', async () => {
    expect(await session(fleet, false)).toContain(PROVE);
  });

  it('with skipHostKeysProve, nothing is sent for it and the connection works', async () => {
    expect(await session(fleet, true)).not.toContain(PROVE);
  });
});
