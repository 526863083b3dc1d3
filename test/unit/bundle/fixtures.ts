import { fileURLToPath } from 'node:url';
import type { Host } from '../../../src/inventory/types.js';
import type { BuiltBundle, Manifest } from '../../../src/bundle/index.js';
import { loadDefinition } from '../../../src/bundle/index.js';

export const DEMO_DIR = fileURLToPath(new URL('../../../bundles/demo', import.meta.url));

/** An inventory, in inventory order: app hosts are not contiguous on purpose. */
export const HOSTS: readonly Host[] = [
  { name: 'web1', address: '10.0.0.11', roles: ['app'], attrs: { app_port: 8000, http_port: 8080, lb_port: 80 } },
  {
    name: 'lb1',
    address: '10.0.0.5',
    user: 'deploy',
    port: 2222,
    roles: ['lb'],
    attrs: { app_port: 8000, http_port: 8080, lb_port: 80 },
  },
  { name: 'db1', address: '10.0.0.20', roles: ['db'], attrs: { app_port: 8000, http_port: 8080 } },
  {
    name: 'web2',
    address: '10.0.0.12',
    roles: ['app', 'cron'],
    attrs: { app_port: 8001, http_port: 8081, lb_port: 80 },
  },
  {
    name: 'web3',
    address: '10.0.0.13',
    roles: ['app'],
    attrs: { app_port: 8000, http_port: 8082, lb_port: 80, app_user: 'demo' },
  },
];

export function host(name: string): Host {
  const h = HOSTS.find((x) => x.name === name);
  if (!h) throw new Error(name);
  return h;
}

/** A BuiltBundle over the repo's bundles/demo (as if built): templates read from the bundle dir. */
export async function demoBundle(): Promise<BuiltBundle> {
  const { definition } = await loadDefinition(`${DEMO_DIR}/bundle.ts`, 'bundles/demo/bundle.ts', 'demo');
  const manifest: Manifest = {
    format: 1,
    name: 'demo',
    tag: 'v1.1.0',
    commit: '0123456789abcdef0123456789abcdef01234567',
    commitTime: '2024-01-01T00:00:00.000Z',
    env: { kind: 'none' },
    definition,
    files: [],
    id: 'demo-v1.1.0-0123456-deadbeef',
    sha256: `deadbeef${'0'.repeat(56)}`,
    size: 1,
  };
  return {
    id: manifest.id,
    archivePath: '/nonexistent.tar.gz',
    sha256: manifest.sha256,
    size: 1,
    manifest,
    appDir: DEMO_DIR,
    templatesDir: DEMO_DIR,
  };
}
