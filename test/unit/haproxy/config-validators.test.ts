import { execFile } from 'node:child_process';
import http from 'node:http';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haproxyCheckCommand } from '../../../src/ops/haproxy/config.js';
import { nginxReloadCommand, nginxSiteWrapperConf, nginxTestSiteCommand } from '../../../src/ops/nginx/config.js';
import { UsageError } from '../../../src/errors/usage-error.js';
import { localSh } from '../../helpers/local-sh.js';
import { render } from '../../../src/shell/command.js';

const run = promisify(execFile);

// Validators run against the real binaries (Debian 12: haproxy 2.6.12, nginx 1.22.1).

const sh = localSh;

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ferry-validate-'));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const HAPROXY_GOOD = `global
	stats socket /tmp/ferry-never-started.sock mode 600 level admin expose-fd listeners
	server-state-file /tmp/ferry-never-started.state
defaults
	mode http
	timeout connect 2s
	timeout client 10s
	timeout server 10s
	load-server-state-from-file global
frontend fe
	bind 127.0.0.1:27300
	default_backend app
backend app
	server web1 127.0.0.1:27301 check
`;

describe('haproxy -c', () => {
  it('passes a good config', async () => {
    const r = await sh(haproxyCheckCommand(file('good.cfg', HAPROXY_GOOD)));
    expect(r.stderr).not.toMatch(/ALERT/);
    expect(r.stdout).toContain('Configuration file is valid');
    expect(r.code).toBe(0);
  });

  it.each([
    ['unknown keyword', HAPROXY_GOOD.replace('balance', '').replace('server web1', 'serverr web1')],
    ['missing backend', HAPROXY_GOOD.replace('default_backend app', 'default_backend nope')],
    ['bad address', HAPROXY_GOOD.replace('127.0.0.1:27301', '127.0.0.1:notaport')],
  ])('fails a broken config: %s', async (name, text) => {
    const r = await sh(haproxyCheckCommand(file(`broken-${name.replace(/\W+/g, '-')}.cfg`, text)));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/ALERT/);
  });

  it('several -f files in order; a missing file fails', async () => {
    const g = file('g.cfg', HAPROXY_GOOD.split('frontend')[0] ?? '');
    const f = file(
      'f.cfg',
      `frontend fe\n\tbind 127.0.0.1:27300\n\tdefault_backend app\nbackend app\n\tserver web1 127.0.0.1:27301\n`,
    );
    expect(render(haproxyCheckCommand([g, f]), { masked: true })).toBe(`haproxy -c -f ${g} -f ${f}`);
    expect((await sh(haproxyCheckCommand([g, f]))).code).toBe(0);
    expect((await sh(haproxyCheckCommand(join(dir, 'absent.cfg')))).code).not.toBe(0);
  });
});

const SITE_GOOD = `upstream ferry_app { server 127.0.0.1:27311; }
server {
  listen 127.0.0.1:27310;
  location /check.html { return 200 "ok\\n"; }
  location / { proxy_pass http://ferry_app; }
}
`;

describe('nginx -t', () => {
  it('site test passes a good site file and leaves no temp dir behind', async () => {
    const before = readdirSync('/tmp').filter((n) => n.startsWith('ferry-nginx-t.')).length;
    const r = await sh(nginxTestSiteCommand({ sites: [file('site.conf', SITE_GOOD)] }));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(readdirSync('/tmp').filter((n) => n.startsWith('ferry-nginx-t.')).length).toBe(before);
  });

  it.each([
    ['unbalanced brace', SITE_GOOD.replace(/}\n$/, '')],
    ['unknown directive', SITE_GOOD.replace('listen', 'lissen')],
    ['unknown upstream host', SITE_GOOD.replace('http://ferry_app', 'http://ferry_nowhere.invalid')],
  ])('site test fails a broken site file: %s', async (name, text) => {
    const before = readdirSync('/tmp').filter((n) => n.startsWith('ferry-nginx-t.')).length;
    const r = await sh(nginxTestSiteCommand({ sites: [file(`site-${name.replace(/\W+/g, '-')}.conf`, text)] }));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/emerg/);
    expect(readdirSync('/tmp').filter((n) => n.startsWith('ferry-nginx-t.')).length).toBe(before);
  });

  it('site test with the includes a site relies on', async () => {
    const site = file(
      'site-mime.conf',
      SITE_GOOD.replace('server {', 'server {\n  default_type application/octet-stream;'),
    );
    const r = await sh(nginxTestSiteCommand({ sites: [site], httpIncludes: ['/etc/nginx/mime.types'] }));
    expect(r.code).toBe(0);
    expect(nginxSiteWrapperConf({ sites: [site], httpIncludes: ['/etc/nginx/mime.types'] })).toBe(
      `pid nginx.pid;\nerror_log stderr;\nevents {}\nhttp {\n  include /etc/nginx/mime.types;\n  include ${site};\n}\n`,
    );
    expect(() => nginxSiteWrapperConf({ sites: ['/a b.conf'] })).toThrow(UsageError);
    expect(() => nginxSiteWrapperConf({ sites: ['/a.conf; include /etc/shadow'] })).toThrow(UsageError);
    expect(() => nginxSiteWrapperConf({ sites: [] })).toThrow();
  });

  it('reload: starts nginx when not running, reloads it gracefully, refuses a broken config', async () => {
    const pid = join(dir, 'nginx-run.pid');
    const conf = join(dir, 'nginx-run.conf');
    const write = (body: string): void =>
      writeFileSync(
        conf,
        `pid ${pid};\nerror_log ${dir}/error.log;\nevents {}\nhttp {\n  access_log off;\n` +
          `  client_body_temp_path ${dir}/body;\n  proxy_temp_path ${dir}/proxy;\n` +
          `  server { listen 127.0.0.1:27320; location / { return 200 "${body}\\n"; } }\n}\n`,
      );
    // a fresh connection per request: a reload closes the old workers' idle keep-alive connections
    const get = (): Promise<string> =>
      new Promise((resolve, reject) => {
        http
          .get('http://127.0.0.1:27320/', { agent: false }, (res) => {
            let body = '';
            res.setEncoding('utf8').on('data', (d: string) => (body += d));
            res.on('end', () => resolve(body));
          })
          .on('error', reject);
      });
    write('one');
    try {
      expect((await sh(nginxReloadCommand({ conf, pidFile: pid }))).code).toBe(0); // starts it
      expect(await get()).toBe('one\n');
      write('two');
      expect((await sh(nginxReloadCommand({ conf, pidFile: pid }))).code).toBe(0); // reloads it
      // the master applies a reload asynchronously: poll, bounded
      let body = '';
      for (let i = 0; i < 50 && body !== 'two\n'; i++) {
        body = await get();
        if (body !== 'two\n') await new Promise((r) => setTimeout(r, 100));
      }
      expect(body).toBe('two\n');
      // old workers finish gracefully and may still answer a new connection: wait until the master
      // has one worker left (worker_processes 1), bounded
      const master = readFileSync(pid, 'utf8').trim();
      const workers = async () => (await run('pgrep', ['-P', master]).catch(() => ({ stdout: '' }))).stdout.trim();
      for (let i = 0; i < 100 && (await workers()).split('\n').length > 1; i++) {
        await new Promise((r) => setTimeout(r, 50));
      }
      expect((await workers()).split('\n')).toHaveLength(1);
      writeFileSync(conf, 'events {\n');
      const refused = await sh(nginxReloadCommand({ conf, pidFile: pid }));
      expect(refused.code).not.toBe(0);
      expect(await get()).toBe('two\n');
    } finally {
      write('stop');
      await run('nginx', ['-c', conf, '-s', 'quit']).catch(() => undefined);
    }
  });
});
