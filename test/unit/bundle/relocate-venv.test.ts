import { describe, expect, test } from 'vitest';
import { createHash } from 'node:crypto';
import {
  fixRecord,
  recordHash,
  relocateActivate,
  relocateActivateFish,
  relocatePyvenvCfg,
  relocateScript,
  TRAMPOLINE,
} from '../../../src/bundle/relocate-venv.js';

const ENV = '/build/.staging-x/env';

describe('venv relocation (pure rewrites)', () => {
  test('console script shebang → sh trampoline; the python body is kept', () => {
    const body = '# -*- coding: utf-8 -*-\nimport sys\nfrom app import main\nsys.exit(main())\n';
    const script = `#!${ENV}/bin/python3\n${body}`;
    const out = relocateScript(script, ENV);
    expect(out).toBe(`${TRAMPOLINE}${body}`);
    expect(out).not.toContain(ENV);
    expect(relocateScript('#!/bin/sh\necho hi\n', ENV)).toBe('#!/bin/sh\necho hi\n');
    expect(relocateScript('no shebang', ENV)).toBe('no shebang');
  });

  test('activate computes VIRTUAL_ENV from its own location', () => {
    const text = `deactivate nondestructive\n\nVIRTUAL_ENV="${ENV}"\nexport VIRTUAL_ENV\n`;
    const out = relocateActivate(text, ENV);
    expect(out).not.toContain(ENV);
    expect(out).toContain('VIRTUAL_ENV="$(cd -- "$(dirname -- "$_ferry_self")/.." && pwd -P)"');
    expect(out).toContain('export VIRTUAL_ENV');
    expect(relocateActivateFish(`set -gx VIRTUAL_ENV "${ENV}"\n`, ENV)).toBe(
      'set -gx VIRTUAL_ENV (builtin realpath (dirname (status -f))/..)\n',
    );
  });

  test('pyvenv.cfg keeps home/version/flags, drops lines naming the build folder', () => {
    const cfg =
      'home = /usr/bin\ninclude-system-site-packages = false\nversion = 3.11.2\n' +
      `executable = /usr/bin/python3.11\ncommand = /usr/bin/python3 -m venv ${ENV}\n`;
    expect(relocatePyvenvCfg(cfg)).toBe('home = /usr/bin\ninclude-system-site-packages = false\nversion = 3.11.2\n');
  });

  test('RECORD: rewritten scripts get their new hash and size; direct_url.json is dropped', () => {
    const site = `${ENV}/lib/python3.11/site-packages`;
    const record = [
      '../../../bin/app-server,sha256=OLD,100',
      'app/__init__.py,sha256=KEEP,10',
      'app-1.0.dist-info/direct_url.json,sha256=X,50',
      'app-1.0.dist-info/RECORD,,',
      '',
    ].join('\n');
    const content = `${TRAMPOLINE}print(1)\n`;
    const out = fixRecord(record, site, new Map([[`${ENV}/bin/app-server`, content]]));
    const hash = createHash('sha256')
      .update(content)
      .digest('base64')
      .replace(/\+/g, '-')
      .replace(/\//g, '_')
      .replace(/=+$/, '');
    expect(recordHash(content)).toBe(`sha256=${hash}`);
    expect(out.split('\n')).toEqual([
      `../../../bin/app-server,sha256=${hash},${Buffer.byteLength(content)}`,
      'app/__init__.py,sha256=KEEP,10',
      'app-1.0.dist-info/RECORD,,',
      '',
    ]);
    const crlf = fixRecord(record.replace(/\n/g, '\r\n'), site, new Map([[`${ENV}/bin/app-server`, content]]));
    expect(crlf.split('\r\n')[0]).toBe(`../../../bin/app-server,sha256=${hash},${Buffer.byteLength(content)}`);
    expect(crlf.split('\r\n')).toHaveLength(4);
  });
});
