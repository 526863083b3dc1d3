import { spawn } from 'node:child_process';
import { relative } from 'node:path';
import { ProjectError, UsageError } from '../errors/index.js';
import type { BundleDefinition } from '../bundle/definition.js';
import { secretNames } from '../bundle/env-file.js';
import { readSecretsFile, secretsFilePath, type SecretsFile } from './secrets-file.js';

export interface SecretLookup {
  readonly projectDir: string;
  readonly stage?: string | undefined;
  /** the control machine's environment (process.env) */
  readonly env: NodeJS.ProcessEnv;
  /** the bundle definition's name in errors, e.g. `bundles/shop/bundle.ts` */
  readonly bundleFile: string;
}

/** stdout of a command on the control machine (no shell; the terminal stays its stdin and stderr, for `pass`/`op` prompts). */
function commandOutput(argv: readonly string[], cwd: string, name: string, from: string): Promise<string> {
  const [bin, ...args] = argv as [string, ...string[]];
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { cwd, stdio: ['inherit', 'pipe', 'inherit'] });
    const out: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.on('error', (e) => reject(new UsageError(`${from}: ${name}: cannot run ${bin}: ${e.message}`)));
    child.on('close', (code, signal) => {
      if (code === 0)
        return resolve(
          Buffer.concat(out)
            .toString('utf8')
            .replace(/\r?\n$/, ''),
        );
      reject(new UsageError(`${from}: ${name}: \`${argv.join(' ')}\` failed (${signal ?? `exit ${code}`})`));
    });
  });
}

/** The keys of the env file that use secret `name` (for the error that names them). */
function keysUsing(def: BundleDefinition, name: string): string[] {
  return Object.entries(def.envFile?.vars ?? {}).flatMap(([k, v]) =>
    typeof v === 'object' && 'secret' in v && v.secret === name ? [`envFile.vars.${k}`] : [],
  );
}

/**
 * The value of every secret the definition's env file names: the control machine's environment
 * first (CI), else the secrets file (a literal or a command's output). Each command runs once.
 * A secret found nowhere is a ProjectError naming the bundle file and the keys that use it —
 * raised before any host is touched.
 */
export async function resolveSecrets(def: BundleDefinition, lookup: SecretLookup): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const names = secretNames(def);
  if (names.length === 0) return out;
  const path = secretsFilePath(lookup.projectDir, lookup.stage, lookup.env);
  const display = relative(lookup.projectDir, path) || path;
  let file: SecretsFile | undefined | null = null; // null: not read yet (only when the environment lacks one)
  for (const name of names) {
    let value = lookup.env[name];
    if (value === undefined) {
      file ??= await readSecretsFile(path, display);
      const source = file?.get(name);
      if (source)
        value =
          'value' in source ? source.value : await commandOutput(source.command, lookup.projectDir, name, display);
    }
    if (value === undefined)
      throw new ProjectError(
        { file: lookup.bundleFile },
        `${keysUsing(def, name).join(', ')}: secret ${name} is not set: export ${name}=… or add it to ${display}`,
      );
    if (value.includes('\0')) throw new UsageError(`secret ${name}: a NUL byte cannot be in an env file`);
    out.set(name, value);
  }
  return out;
}
