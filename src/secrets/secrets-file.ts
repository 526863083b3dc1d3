import { statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import { ProjectError } from '../errors/index.js';
import { positionOf, type LocatedYaml } from '../project/yaml-position.js';

/** One entry of a secrets file: a literal, or a command on the control machine whose stdout is the value. */
export type SecretSource = { readonly value: string } | { readonly command: readonly string[] };

export interface SecretsFile {
  readonly file: string;
  get(name: string): SecretSource | undefined;
}

/**
 * The secrets file a run reads: `$FERRY_SECRETS_FILE`, else `secrets.yaml` in the project (with a
 * stage, `secrets.<stage>.yaml`: one stage's secrets never reach another's hosts).
 */
export function secretsFilePath(projectDir: string, stage: string | undefined, env: NodeJS.ProcessEnv): string {
  if (env.FERRY_SECRETS_FILE) return env.FERRY_SECRETS_FILE;
  return `${projectDir}/${stage ? `secrets.${stage}.yaml` : 'secrets.yaml'}`;
}

function entry(y: LocatedYaml, name: string, node: unknown): SecretSource {
  const bad = () => new ProjectError(positionOf(y, [name]), `${name}: must be a string or { command: [argv…] }`);
  if (isScalar(node)) return { value: String(node.value) };
  if (!isMap(node) || node.items.length !== 1) throw bad();
  const argv = node.get('command', true) as Node | undefined;
  if (!isSeq(argv) || argv.items.length === 0 || !argv.items.every(isScalar)) throw bad();
  return { command: argv.items.map((i) => String((i as { value: unknown }).value)) };
}

/**
 * Read a secrets file (YAML map NAME → value). Every scalar is taken as written (YAML's failsafe
 * schema: `0x1F`, `null`, `true` are those strings). A file others may read is refused, like ssh does.
 * Absent file: undefined.
 */
export async function readSecretsFile(file: string, display: string): Promise<SecretsFile | undefined> {
  let mode: number;
  try {
    mode = statSync(file).mode;
  } catch {
    return undefined;
  }
  if (mode & 0o077)
    throw new ProjectError(
      { file: display },
      `is readable by others (mode ${(mode & 0o777).toString(8)}): chmod 600 ${display}`,
    );
  const lines = new LineCounter();
  const text = await readFile(file, 'utf8');
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true, schema: 'failsafe' });
  const y: LocatedYaml = { file: display, doc, lines };
  const bad = y.doc.errors[0];
  if (bad) {
    const { line, col } = lines.linePos(bad.pos[0]);
    throw new ProjectError({ file: display, line, column: col }, bad.message.split('\n')[0] ?? 'invalid YAML');
  }
  const root = y.doc.contents;
  if (root !== null && !isMap(root)) throw new ProjectError({ file: display }, 'must be a map of NAME: value');
  return {
    file: display,
    get(name) {
      const node = root?.get(name, true);
      return node === undefined ? undefined : entry(y, name, node);
    },
  };
}
