import { describe, expect, test } from 'vitest';
import { renderTemplate } from '../../../src/bundle/index.js';
import { ProjectError } from '../../../src/errors/index.js';
import { HOSTILE_STRINGS, YAML_SHAPED } from '../../fixtures/hostile-strings.js';

const render = (text: string, attrs: Record<string, unknown>) =>
  renderTemplate(text, {
    root: '/nonexistent',
    display: 'bundles/demo',
    template: 'templates/t.liquid',
    context: { host: { name: 'web1', attrs } },
  });

describe('templates print scalars only', () => {
  test('a map or list in {{ }} is a ProjectError naming template:line:col and the key, never [object Object]', async () => {
    for (const [v, kind] of [
      [{ a: 1 }, 'map'],
      [[1, 2], 'list'],
    ] as const) {
      const err = await render('a\nx = {{ host.attrs.v }}\n', { v }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ProjectError);
      expect((err as Error).message).toBe(
        `bundles/demo/templates/t.liquid:2:5: host.attrs.v is a ${kind}, not a string, number or boolean ` +
          '(print a key inside it, or pipe it through | json)',
      );
    }
  });
  test('scalars, keys inside maps, joins and | json still render', async () => {
    const attrs = { s: 'x', n: 31, b: false, m: { k: 'v' }, l: ['a', 'b'] };
    expect(await render('{{ host.attrs.s }} {{ host.attrs.n }} {{ host.attrs.b }} {{ host.attrs.m.k }}', attrs)).toBe(
      'x 31 false v',
    );
    expect(await render('{{ host.attrs.l | join: "," }} {{ host.attrs.m | json }}', attrs)).toBe('a,b {"k":"v"}');
  });
  test('hostile and YAML-shaped strings are printed byte for byte', async () => {
    for (const v of [...HOSTILE_STRINGS, ...YAML_SHAPED]) expect(await render('{{ host.attrs.v }}', { v })).toBe(v);
  });
});
