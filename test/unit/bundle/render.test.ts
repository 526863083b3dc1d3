import { describe, expect, test } from 'vitest';
import { writeFile, mkdir } from 'node:fs/promises';
import { renderConfigs, renderContext, renderTemplate } from '../../../src/bundle/index.js';
import { ProjectError } from '../../../src/errors/index.js';
import { HOSTS, demoBundle, host } from './fixtures.js';
import { tempDirs } from './temp-dirs.js';

const tempDir = tempDirs();

const ctx = (name: string, hosts = HOSTS) => ({
  host: host(name),
  hosts,
  bundle: { name: 'demo', id: 'demo-v1-0123456-abcdef01', tag: 'v1', commit: 'c'.repeat(40) },
  release: { path: '/srv/demo/releases/x' },
  deploy: { path: '/srv/demo', current: '/srv/demo/current', shared: '/srv/demo/shared' },
});

async function render(
  text: string,
  context: Record<string, unknown>,
  template = 'templates/t.conf.liquid',
): Promise<string> {
  return renderTemplate(text, { root: '/nonexistent', display: 'bundles/demo', template, context });
}

/** The `server` lines of one backend section (the maintenance switch's backend has its own). */
function backendServers(cfg: string, backend: string): string[] {
  const sections = cfg.split(/^(?=\S)/m);
  const section = sections.find((t) => t.startsWith(`backend ${backend}\n`)) ?? '';
  return section
    .split('\n')
    .filter((l) => /^\s*server\s/.test(l))
    .map((l) => l.trim());
}

describe('template strictness', () => {
  test(
    'an undefined attribute is a ProjectError ' + 'naming bundles/<name>/<template>:line:col and the variable',
    async () => {
      const text = 'server {\n    listen 80;\n    root {{ host.attrs.doc_root }};\n}\n';
      const err = await render(text, ctx('web1')).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ProjectError);
      const e = err as ProjectError;
      expect(e.position).toEqual({ file: 'bundles/demo/templates/t.conf.liquid', line: 3, column: 13 });
      expect(e.message).toMatch(
        /^bundles\/demo\/templates\/t\.conf\.liquid:3:13: undefined variable: host\.attrs\.doc_root/,
      );
    },
  );

  test('an undefined top-level name and an unknown filter are errors too', async () => {
    await expect(render('x {{ nope }}', ctx('web1'))).rejects.toThrow(/t\.conf\.liquid:1:6: undefined variable: nope/);
    await expect(render('\n\n{{ host.name | shout }}', ctx('web1'))).rejects.toThrow(
      /t\.conf\.liquid:3:1: .*undefined filter: shout/,
    );
  });

  test('a syntax error names file:line', async () => {
    await expect(render('a\n{% for h in hosts %}\nno end', ctx('web1'))).rejects.toThrow(
      /^bundles\/demo\/templates\/t\.conf\.liquid:2:1: /,
    );
  });

  test('`if` and `default` may test for an attribute that is not there', async () => {
    expect(
      await render('{% if host.attrs.app_user %}user={{ host.attrs.app_user }}{% else %}none{% endif %}', ctx('web1')),
    ).toBe('none');
    expect(await render('{% if host.attrs.app_user %}user={{ host.attrs.app_user }}{% endif %}', ctx('web3'))).toBe(
      'user=demo',
    );
    expect(await render("{{ host.attrs.state | default: '/var/lib/x' }}", ctx('web1'))).toBe('/var/lib/x');
  });

  test('prototype members are not reachable', async () => {
    await expect(render('{{ host.name.constructor }}', ctx('web1'))).rejects.toThrow(/undefined variable/);
  });
});

describe('demo templates', () => {
  test('haproxy backend lists exactly the app hosts of the inventory, in inventory order', async () => {
    const b = await demoBundle();
    const [cfg, ...rest] = await renderConfigs(b, renderContext(b, host('lb1'), HOSTS));
    expect(rest).toEqual([]);
    expect(cfg?.target).toBe('haproxy/haproxy.cfg');
    expect(cfg?.link).toBe('/etc/haproxy/haproxy.cfg');
    expect(cfg?.validate).toBe('haproxy');
    const servers = backendServers(cfg!.content, 'demo');
    expect(servers).toEqual([
      'server web1 10.0.0.11:8080 check inter 500 fastinter 100 fall 2 rise 2',
      'server web2 10.0.0.12:8081 check inter 500 fastinter 100 fall 2 rise 2',
      'server web3 10.0.0.13:8082 check inter 500 fastinter 100 fall 2 rise 2',
    ]);
    const lines = cfg!.content.split('\n').map((l) => l.trim());
    expect(lines).toContain('stats socket /run/haproxy/admin.sock mode 660 level admin expose-fd listeners');
    expect(lines).toContain('server-state-file /var/lib/haproxy/server-state');
    expect(lines).toContain('load-server-state-from-file global');
    expect(lines).toContain('bind 10.0.0.5:80');
    expect(lines).toContain('backend demo');
    expect(lines).toContain('option httpchk GET /check.html');
    expect(lines).toContain('option redispatch');
    expect(lines).toContain('retries 3');
  });

  test('with one app host fewer, one server line fewer', async () => {
    const b = await demoBundle();
    const hosts = HOSTS.filter((h) => h.name !== 'web2');
    const [cfg] = await renderConfigs(b, renderContext(b, host('lb1'), hosts));
    expect(backendServers(cfg!.content, 'demo')).toHaveLength(2);
    expect(cfg!.content).not.toContain('web2');
  });

  test('an app host gets nginx + supervisor, pointing at its own address and ports and the release paths', async () => {
    const b = await demoBundle();
    const configs = await renderConfigs(b, renderContext(b, host('web2'), HOSTS));
    expect(configs.map((c) => c.target)).toEqual(['nginx/demo.conf', 'supervisor/demo.conf']);
    const nginx = configs[0]!.content;
    expect(nginx).toContain('listen 10.0.0.12:8081;');
    expect(nginx).toContain('server 10.0.0.12:8001;');
    expect(nginx).toContain('access_log /srv/demo/shared/log/nginx-access.log;');
    expect(nginx).toContain(`# ${b.id} (v1.1.0, ${b.manifest.commit}) for web2`);
    const sup = configs[1]!.content.split('\n');
    expect(sup).toContain('[program:demo]');
    expect(sup).toContain('command=/usr/bin/env node app/server.js --host 10.0.0.12 --port 8001');
    expect(sup).toContain('directory=/srv/demo/current/app');
    expect(sup).toContain('stopsignal=TERM');
    expect(sup).toContain('autorestart=true');
    expect(sup).toContain('stdout_logfile=/srv/demo/shared/log/demo.out.log');
    expect(sup.some((l) => l.startsWith('user='))).toBe(false);
    const web3 = await renderConfigs(b, renderContext(b, host('web3'), HOSTS));
    expect(web3[1]!.content.split('\n')).toContain('user=demo');
  });

  test('a host with none of the roles gets nothing; a host missing an attribute fails naming it', async () => {
    const b = await demoBundle();
    expect(await renderConfigs(b, renderContext(b, host('db1'), HOSTS))).toEqual([]);
    const noPort = { ...host('web1'), attrs: { app_port: 8000 } };
    const err = await renderConfigs(b, renderContext(b, noPort, HOSTS)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProjectError);
    expect((err as Error).message).toMatch(
      /^bundles\/demo\/templates\/nginx\.conf\.liquid:8:\d+: undefined variable: host\.attrs\.http_port/,
    );
  });

  test('the haproxy template fails on an app host without http_port, naming it', async () => {
    const b = await demoBundle();
    const hosts = HOSTS.map((h) => (h.name === 'web3' ? { ...h, attrs: { app_port: 1 } } : h));
    await expect(renderConfigs(b, renderContext(b, host('lb1'), hosts))).rejects.toThrow(
      /haproxy\.cfg\.liquid:\d+:\d+: undefined variable: h\.attrs\.http_port/,
    );
  });

  test('partials resolve from the bundle dir; errors inside them name the partial', async () => {
    const root = await tempDir('ferry-tpl-');
    await mkdir(`${root}/templates`);
    await writeFile(`${root}/templates/part.liquid`, 'a\n{{ host.attrs.missing_one }}\n');
    await expect(
      renderTemplate("{% include 'templates/part.liquid' %}", {
        root,
        display: 'bundles/x',
        template: 'templates/main.liquid',
        context: ctx('web1'),
      }),
    ).rejects.toThrow(/^bundles\/x\/templates\/part\.liquid:2:4: undefined variable: host\.attrs\.missing_one/);
  });
});
