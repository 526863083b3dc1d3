// `npm run demo` on a fresh Debian 12 machine: install what is missing (and say so), build, run the demo.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { build, ensureSystemPackages } from './system-packages.mjs';

ensureSystemPackages('demo');
if (!existsSync('node_modules/.package-lock.json')) {
  console.log('demo: installing npm dependencies (npm ci)');
  execFileSync('npm', ['ci'], { stdio: 'inherit' });
}
build('demo');
const r = spawnSync(process.execPath, ['dist/test/demo/demo.js', ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(r.status ?? 1);
