import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSshConfig, lookupSshConfig } from '../../../src/ssh/ssh-config.js';

const CONFIG = `
Host web*
  HostName %h.internal
  User deploy
  Port 2200
  IdentityFile ~/.ssh/deploy_ed25519
  ProxyJump bastion
  UserKnownHostsFile ~/.ssh/known_web other_file

Host bastion
  HostName 10.0.0.1
  ProxyJump none
`;

describe('ssh config lookup', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ferry-ssh-config-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('applies the keys ferry honours, with %h and ~ expanded', async () => {
    await writeFile(join(dir, 'config'), CONFIG);
    const config = await loadSshConfig(join(dir, 'config'));
    expect(lookupSshConfig(config, 'web1')).toEqual({
      hostName: 'web1.internal',
      user: 'deploy',
      port: 2200,
      identityFiles: [`${homedir()}/.ssh/deploy_ed25519`],
      proxyJump: 'bastion',
      userKnownHostsFile: `${homedir()}/.ssh/known_web`,
    });
    // `ProxyJump none` is no jump
    expect(lookupSshConfig(config, 'bastion')).toEqual({ hostName: '10.0.0.1', identityFiles: [] });
    expect(lookupSshConfig(config, 'db1')).toEqual({ identityFiles: [] });
  });

  it('a missing file is an empty config, and an empty config says nothing about any host', async () => {
    const config = await loadSshConfig(join(dir, 'no-such-config'));
    expect(config.length).toBe(0);
    expect(lookupSshConfig(config, 'web1')).toEqual({ identityFiles: [] });
  });
});
