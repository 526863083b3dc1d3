import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseBundle } from '../../../src/bundle/schema.js';
import { ProjectError, UsageError } from '../../../src/errors/index.js';
import { resolveSecrets } from '../../../src/secrets/resolve.js';
import { secretsFilePath } from '../../../src/secrets/secrets-file.js';
import { fresh } from '../release/fixtures.js';

const FILE = 'bundles/x/bundle.ts';
const def = (vars: Record<string, unknown>) =>
  parseBundle({ name: 'x', env: { kind: 'none' }, envFile: { vars } }, FILE).definition;

function project(secretsYaml?: string, mode = 0o600, name = 'secrets.yaml'): string {
  const dir = fresh();
  if (secretsYaml !== undefined) {
    writeFileSync(join(dir, name), secretsYaml);
    chmodSync(join(dir, name), mode);
  }
  return dir;
}
const lookup = (projectDir: string, env: NodeJS.ProcessEnv = {}, stage?: string) => ({
  projectDir,
  env,
  stage,
  bundleFile: FILE,
});

describe('secret sources', () => {
  it('the environment first, then the secrets file: literals exactly as written (no YAML typing)', async () => {
    const dir = project("A: from-file\nB: 0x1F\nC: null\nD: '  x: y'\nE: |\n  two\n  lines\n");
    const d = def({
      A: { secret: 'A' },
      B: { secret: 'B' },
      C: { secret: 'C' },
      D: { secret: 'D' },
      E: { secret: 'E' },
    });
    const got = await resolveSecrets(d, lookup(dir, { A: 'from-env' }));
    expect(Object.fromEntries(got)).toEqual({ A: 'from-env', B: '0x1F', C: 'null', D: '  x: y', E: 'two\nlines\n' });
  });

  it('a command source: its stdout (one trailing newline dropped), run only when needed', async () => {
    const dir = project(
      'P: { command: [sh, -c, \'printf "%s\\n" "s3cr\\$t"\'] }\nQ: { command: [sh, -c, \'touch ran-q\'] }\n',
    );
    const got = await resolveSecrets(def({ V: { secret: 'P' } }), lookup(dir));
    expect(got.get('P')).toBe('s3cr$t');
    const { existsSync } = await import('node:fs');
    expect(existsSync(join(dir, 'ran-q'))).toBe(false);
  });

  it('a failing or missing command is a usage error naming the secret and file, not its output', async () => {
    const dir = project("P: { command: [sh, -c, 'echo leaked; exit 3'] }\nQ: { command: [/nonexistent/op, read] }\n");
    const p = resolveSecrets(def({ V: { secret: 'P' } }), lookup(dir));
    await expect(p).rejects.toThrow(UsageError);
    await expect(resolveSecrets(def({ V: { secret: 'P' } }), lookup(dir))).rejects.toThrow(
      /^secrets\.yaml: P: `sh -c echo leaked; exit 3` failed \(exit 3\)$/,
    );
    await expect(resolveSecrets(def({ V: { secret: 'Q' } }), lookup(dir))).rejects.toThrow(
      /Q: cannot run \/nonexistent\/op/,
    );
  });

  it('a secret found nowhere names the bundle file and every key that uses it', async () => {
    const dir = project('OTHER: x\n');
    const d = def({ DB: { secret: 'DB_URL' }, DB2: { secret: 'DB_URL' }, A: 'lit' });
    const p = resolveSecrets(d, lookup(dir));
    await expect(p).rejects.toThrow(ProjectError);
    await expect(resolveSecrets(d, lookup(dir))).rejects.toThrow(
      /^bundles\/x\/bundle\.ts: envFile\.vars\.DB, envFile\.vars\.DB2: secret DB_URL is not set: export DB_URL=… or add it to secrets\.yaml$/,
    );
    // no secrets file at all: the same error
    await expect(resolveSecrets(d, lookup(project()))).rejects.toThrow(/secret DB_URL is not set/);
  });

  it('a secrets file others may read is refused; a stage reads its own file; bad entries name file:line', async () => {
    await expect(resolveSecrets(def({ V: { secret: 'A' } }), lookup(project('A: x\n', 0o644)))).rejects.toThrow(
      /^secrets\.yaml: is readable by others \(mode 644\): chmod 600 secrets\.yaml$/,
    );
    const staged = project('A: prod\n', 0o600, 'secrets.production.yaml');
    expect((await resolveSecrets(def({ V: { secret: 'A' } }), lookup(staged, {}, 'production'))).get('A')).toBe('prod');
    await expect(resolveSecrets(def({ V: { secret: 'A' } }), lookup(staged))).rejects.toThrow(/not set/);
    await expect(resolveSecrets(def({ V: { secret: 'A' } }), lookup(project('B: 1\nA: [x]\n')))).rejects.toThrow(
      /^secrets\.yaml:2:4: A: must be a string or \{ command: \[argv…\] \}$/,
    );
    expect(secretsFilePath('/p', undefined, { FERRY_SECRETS_FILE: '/elsewhere.yaml' })).toBe('/elsewhere.yaml');
    expect(secretsFilePath('/p', 'staging', {})).toBe('/p/secrets.staging.yaml');
  });

  it('no env file, no secrets: nothing is read', async () => {
    const d = parseBundle({ name: 'x', env: { kind: 'none' } }, FILE).definition;
    expect((await resolveSecrets(d, lookup(project('A: x\n', 0o644)))).size).toBe(0);
  });
});
