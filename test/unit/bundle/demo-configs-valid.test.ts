import { describe, expect, test } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { renderConfigs, renderContext } from '../../../src/bundle/index.js';
import { HOSTS, demoBundle, host } from './fixtures.js';
import { tempDirs } from './temp-dirs.js';

const tempDir = tempDirs();

const run = promisify(execFile);

// The demo templates render to configs the real programs accept (haproxy -c, nginx -t).
describe('rendered demo configs are valid for the real programs', () => {
  test.skipIf(!existsSync('/usr/sbin/haproxy'))('haproxy -c accepts the lb config', async () => {
    const b = await demoBundle();
    const [cfg] = await renderConfigs(b, renderContext(b, host('lb1'), HOSTS));
    const dir = await tempDir('ferry-haproxy-');
    await writeFile(`${dir}/haproxy.cfg`, cfg!.content);
    const { stdout } = await run('/usr/sbin/haproxy', ['-c', '-f', `${dir}/haproxy.cfg`]);
    expect(stdout).toContain('Configuration file is valid');
  });

  test.skipIf(!existsSync('/usr/sbin/nginx'))('nginx -t accepts the app site', async () => {
    const b = await demoBundle();
    const dir = await tempDir('ferry-nginx-');
    await mkdir(`${dir}/shared/log`, { recursive: true });
    // nginx -t binds its listen sockets: a loopback address and a free-looking high port
    const local = {
      ...host('web1'),
      address: '127.0.0.1',
      attrs: { ...host('web1').attrs, http_port: 20_000 + Math.floor(Math.random() * 20_000) },
    };
    const ctx = { ...renderContext(b, local, HOSTS), deploy: { path: dir, current: `${dir}/current` } };
    const [site] = await renderConfigs(b, ctx);
    expect(site?.target).toBe('nginx/demo.conf');
    await writeFile(`${dir}/demo.conf`, site!.content);
    await writeFile(
      `${dir}/nginx.conf`,
      `error_log ${dir}/error.log;\npid ${dir}/nginx.pid;\nevents {}\nhttp {\n  include ${dir}/demo.conf;\n}\n`,
    );
    const r = await run('/usr/sbin/nginx', ['-t', '-p', dir, '-c', `${dir}/nginx.conf`, '-g', 'daemon off;']);
    expect(r.stderr).toContain('test is successful');
  });
});
