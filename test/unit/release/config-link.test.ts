import { readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/errors/usage-error.js';
import { sh } from '../../../src/shell/command.js';
import { linkConfigScript } from '../../../src/ops/release/config-link.js';
import { releasePaths } from '../../../src/ops/release/paths.js';
import { localSh } from '../../helpers/local-sh.js';
import { fresh } from './fixtures.js';

describe('config link', () => {
  it('links a service config into current/config and keeps a regular file as .ferry-orig', async () => {
    const root = fresh();
    const etc = fresh();
    writeFileSync(join(etc, 'site.conf'), 'operator wrote this');
    const p = releasePaths(root);
    const link = { target: 'nginx/site.conf', link: join(etc, 'site.conf') };
    const r = await localSh(sh(linkConfigScript(p, link)));
    expect(r.code, r.stderr).toBe(0);
    expect(readlinkSync(join(etc, 'site.conf'))).toBe(`${root}/current/config/nginx/site.conf`);
    expect(readFileSync(join(etc, 'site.conf.ferry-orig'), 'utf8')).toBe('operator wrote this');
    // a second run replaces the link and keeps the original
    expect((await localSh(sh(linkConfigScript(p, link)))).code).toBe(0);
    expect(readFileSync(join(etc, 'site.conf.ferry-orig'), 'utf8')).toBe('operator wrote this');
  });

  it('refuses a link that is not an absolute path', () => {
    const p = releasePaths('/srv/app');
    for (const link of ['etc/a.conf', '/etc/../a.conf']) {
      const script = () => linkConfigScript(p, { target: 'a.conf', link });
      expect(script).toThrow(UsageError);
      expect(script).toThrow(/config link must be an absolute path/);
    }
  });
});
