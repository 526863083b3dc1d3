import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'node:http';
import { startFleet, canRunFleet, type Fleet } from '../fleet/fleet.js';
import { makeDemoProject, DEMO_ATTRS } from '../helpers/demo-project.js';
import { FERRY_BIN } from '../helpers/ferry-cli.js';
import { startLoad } from '../e2e/load/load.js';

const keep = process.argv.includes('--keep');
const t0 = Date.now();
const say = (m: string) => console.log(`\n\u001b[1m== ${m}\u001b[0m  (${((Date.now() - t0) / 1000).toFixed(1)} s)`);

function ferry(args: string[]): Promise<number> {
  console.log(`$ ferry ${args.join(' ')}`);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [FERRY_BIN, ...args], { stdio: 'inherit' });
    child.on('close', (code) => resolve(code ?? 1));
  });
}

function get(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    request(url, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve(`HTTP ${res.statusCode} ${body.trim()}`));
    })
      .on('error', reject)
      .end();
  });
}

async function must(what: string, p: Promise<number>): Promise<void> {
  const code = await p;
  if (code !== 0) throw new Error(`${what} exited ${code}`);
}

async function main(): Promise<void> {
  const can = canRunFleet();
  if (!can.ok) throw new Error(`the demo needs root, sshd and unshare: ${can.reason}`);
  say('1. a local fleet: lb1 (haproxy) + web1..web4 (supervisord, nginx, the demo app), real sshd on loopback');
  const fleet: Fleet = await startFleet({
    hosts: [
      { name: 'lb1', roles: ['lb'] },
      ...['web1', 'web2', 'web3', 'web4'].map((name) => ({ name, roles: ['app'] })),
    ],
    extraInventory: { defaults: DEMO_ATTRS },
    ...(keep ? { dir: '/tmp/ferry-demo-fleet', keep: true, detached: true } : {}),
  });
  try {
    for (const h of fleet.hosts)
      console.log(`  ${h.name.padEnd(5)} ${h.address}:${h.port}  (its /srv is ${h.root}/srv)`);
    say('2. a git repo of bundles/demo with tags v1.0.0 and v1.1.0 (the version it answers)');
    const proj = await makeDemoProject(readFileSync(fleet.inventoryFile, 'utf8'));
    proj.tag('v1.0.0');
    await proj.setVersion('1.1.0');
    proj.tag('v1.1.0');
    console.log(`  project: ${proj.dir}\n${proj.git('tag', '-n1')}`);
    const base = ['--project', proj.dir, '--known-hosts', fleet.knownHosts, '-i', fleet.clientKey];
    const lb = fleet.host('lb1');
    const url = `http://${lb.address}:${DEMO_ATTRS.lb_port}/`;

    say('3. ferry deploy demo --tag v1.0.0');
    await must('deploy v1.0.0', ferry([...base, 'deploy', 'demo', '--tag', 'v1.0.0', '--batch', '2']));
    console.log(`  through HAProxy ${url}: ${await get(url)}`);

    say('4. rolling deploy of v1.1.0, one host at a time, under load through HAProxy');
    const load = startLoad({ url, rps: 100, maxRequests: 30_000, maxMs: 120_000 });
    const code = await ferry([...base, 'deploy', 'demo', '--tag', 'v1.1.0', '--batch', '1']);
    const res = await load.stop();
    console.log(
      `  load: ${res.sent} requests sent, ${res.failed} failed; versions seen: ${JSON.stringify(res.versions)}`,
    );
    if (code !== 0) throw new Error(`deploy v1.1.0 exited ${code}`);
    if (res.failed !== 0) throw new Error(`${res.failed} requests failed during the rolling deploy`);
    console.log(`  through HAProxy: ${await get(url)}`);

    say('5. ferry releases demo, ferry rollback demo');
    await must('releases', ferry([...base, 'releases', 'demo']));
    await must('rollback', ferry([...base, 'rollback', 'demo', '--batch', '2']));
    const after = await get(url);
    console.log(`  through HAProxy: ${after}`);
    if (!after.includes('1.0.0')) throw new Error('after the rollback HAProxy does not answer v1.0.0');

    say(`done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    if (keep) {
      console.log(
        `The fleet keeps running (--keep). Try:\n` +
          `  node ${FERRY_BIN} ${base.join(' ')} releases demo\n` +
          `  node ${FERRY_BIN} ${base.join(' ')} restart demo --batch 1\n` +
          `Stop it with: node dist/test/fleet/cli.js down --dir ${fleet.dir}`,
      );
    } else {
      console.log(
        'To keep a fleet for your own runs: npm run demo -- --keep, ' +
          `or npm run fleet:up (inventory in ${join('/tmp/ferry-fleet', 'inventory.yaml')}).`,
      );
    }
  } finally {
    if (!keep) await fleet.stop();
  }
}

main().catch((err: unknown) => {
  console.error(`demo FAILED: ${(err as Error).message}`);
  process.exitCode = 1;
});
