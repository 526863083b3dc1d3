// Child process of benchBundle(): packs one staged tree the way `ferry bundle build` does and
// reports its own wall time and peak RSS (so the parent's memory does not count).
import { performance } from 'node:perf_hooks';
import { packStaged } from '../src/bundle/pack.js';
import { MANIFEST_FORMAT } from '../src/bundle/manifest.js';

const [root, dest] = process.argv.slice(2);
if (!root || !dest) throw new Error('usage: bundle-child <staging root> <dest.tar.gz>');
const t0 = performance.now();
const r = await packStaged(
  root,
  {
    format: MANIFEST_FORMAT,
    name: 'bench',
    tag: 'v0',
    commit: '0'.repeat(40),
    commitTime: '2024-01-01T00:00:00.000Z',
    env: { kind: 'none' },
    definition: {
      name: 'bench',
      env: { kind: 'none' },
      build: [],
      roles: ['app'],
      configs: [],
      shared: ['log', 'tmp'],
      program: 'bench',
      health: { path: '/check.html', port: 'app_port' },
      deployPath: '/srv/bench',
      keep: 5,
    },
  },
  dest,
);
const ms = performance.now() - t0;
const line = {
  ms,
  maxRssKB: process.resourceUsage().maxRSS,
  sha256: r.sha256,
  size: r.size,
  files: r.inner.files.length,
};
process.stdout.write(`${JSON.stringify(line)}\n`);
