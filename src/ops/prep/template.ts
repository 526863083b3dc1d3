import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { Liquid } from 'liquidjs';
import { ProjectError } from '../../errors/project-error.js';
import type { FileFacts } from './file-facts.js';
import { fileOp, fileWant, type FileOptions } from './file.js';
import { handlers, type PrepOp } from './op.js';
import { bad } from './validate.js';

export interface TemplateOptions extends Omit<FileOptions, 'content' | 'state'> {
  /** a liquid file, relative to the project folder (or absolute) */
  readonly template: string;
  /** more variables, beside `host` (name, address, roles, attrs), `attrs` and `hosts` */
  readonly vars?: Readonly<Record<string, unknown>>;
}

/** made on first use: every project file that imports `ferry` loads this module, few render a template */
let engine: Liquid | undefined;
const liquid = (): Liquid =>
  (engine ??= new Liquid({ strictVariables: true, strictFilters: true, lenientIf: true, ownPropertyOnly: true }));
/** parsed once per source text, rendered per host (a run renders the same template on every host) */
const parsed = new Map<string, ReturnType<Liquid['parse']>>();

function parse(source: string): ReturnType<Liquid['parse']> {
  let t = parsed.get(source);
  if (!t) {
    t = liquid().parse(source);
    parsed.set(source, t);
  }
  return t;
}

/** A file whose content is a liquid template rendered for each host with its inventory attrs. */
export function template(o: TemplateOptions): PrepOp<FileFacts> {
  if (typeof o.template !== 'string' || o.template === '') bad('template', 'template must name a liquid file');
  // validate path, mode and owner now, before any host is touched
  const placeholder = fileWant('template', { ...o, content: '' });
  const id = `template ${placeholder.path}`;
  return {
    kind: 'prep-op',
    id,
    subject: placeholder.path,
    probes: [],
    parse: () => {
      throw new Error(`${id}: prepare() must run before probing`);
    },
    plan: () => {
      throw new Error(`${id}: prepare() must run before planning`);
    },
    onChange: handlers(o.onChange),
    async prepare(env) {
      const file = isAbsolute(o.template) ? o.template : resolve(env.projectDir, o.template);
      let source: string;
      try {
        source = await readFile(file, 'utf8');
      } catch (e) {
        throw new ProjectError({ file: o.template }, `prep.template: cannot read ${file}: ${(e as Error).message}`);
      }
      let content: string;
      try {
        const data = { host: env.host, attrs: env.host.attrs, hosts: env.hosts, ...o.vars };
        content = String(await liquid().render(parse(source), data));
      } catch (e) {
        throw new ProjectError({ file: o.template }, `prep.template ${placeholder.path}: ${(e as Error).message}`);
      }
      return fileOp(
        id,
        { ...placeholder, content: new TextEncoder().encode(content) },
        handlers(o.onChange),
        o.sensitive ?? false,
      );
    },
  };
}
