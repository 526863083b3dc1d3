import { Option, type Command as Program } from 'commander';
import { UsageError } from '../errors/usage-error.js';
import type { ParamsSchema } from '../task/types.js';

export type ParamKind = 'string' | 'number' | 'boolean' | 'list' | 'enum';

export interface ParamSpec {
  readonly key: string;
  readonly flag: string;
  readonly kind: ParamKind;
  readonly required: boolean;
  readonly description: string;
  readonly defaultValue?: unknown;
  readonly choices?: readonly string[];
}

interface ZodLike {
  readonly def: { type: string; innerType?: ZodLike; element?: ZodLike; defaultValue?: unknown };
  readonly description?: string;
  readonly options?: readonly unknown[];
  isOptional(): boolean;
}

const kebab = (s: string) => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`).replace(/_/g, '-');

/** Read a task's zod params into flag specs (string, number, boolean, list, enum; required/default). */
export function paramSpecs(schema: ParamsSchema | undefined): ParamSpec[] {
  if (!schema) return [];
  return Object.entries(schema.shape as unknown as Record<string, ZodLike>).map(([key, field]) => {
    let inner = field;
    let description = field.description;
    let defaultValue: unknown;
    while (['optional', 'default', 'nullable', 'prefault'].includes(inner.def.type) && inner.def.innerType) {
      if (inner.def.type === 'default') defaultValue = inner.def.defaultValue;
      inner = inner.def.innerType;
      description ??= inner.description;
    }
    const t = inner.def.type;
    const kind: ParamKind =
      t === 'number' || t === 'int'
        ? 'number'
        : t === 'boolean'
          ? 'boolean'
          : t === 'array'
            ? 'list'
            : t === 'enum'
              ? 'enum'
              : 'string';
    return {
      key,
      flag: kebab(key),
      kind,
      required: !field.isOptional(),
      description: description ?? '',
      ...(defaultValue !== undefined ? { defaultValue } : {}),
      ...(kind === 'enum' && inner.options ? { choices: inner.options.map(String) } : {}),
    };
  });
}

function describe(p: ParamSpec): string {
  const type =
    p.kind === 'list'
      ? 'list, comma-separated or repeated'
      : p.kind === 'enum'
        ? `one of ${p.choices?.join('|')}`
        : p.kind;
  return `${p.description ? `${p.description} ` : ''}(${type}${p.required ? ', required' : ''})`;
}

/** Add one commander option per param. */
export function addParamOptions(cmd: Program, specs: readonly ParamSpec[]): void {
  for (const p of specs) {
    if (p.kind === 'boolean') {
      cmd.addOption(new Option(`--${p.flag}`, describe(p)));
      cmd.addOption(new Option(`--no-${p.flag}`).hideHelp());
      continue;
    }
    const o = new Option(`--${p.flag} <value>`, describe(p));
    if (p.kind === 'list')
      // commander hands the default as `prev` on the first use: a given list replaces it, repeats add up
      o.argParser((v: string, prev: string[] | undefined) => [
        ...(prev === undefined || prev === p.defaultValue ? [] : prev),
        ...v.split(',').filter(Boolean),
      ]);
    if (p.kind === 'number') {
      o.argParser((v: string) => {
        const n = Number(v);
        if (v.trim() === '' || !Number.isFinite(n)) throw new UsageError(`--${p.flag} expects a number, got "${v}"`);
        return n;
      });
    }
    if (p.choices) o.choices([...p.choices]);
    if (p.defaultValue !== undefined) o.default(p.defaultValue, JSON.stringify(p.defaultValue));
    cmd.addOption(o);
  }
}

/** Validate the parsed flags with the task's schema: typed values, or a usage error naming the flag. */
export function parseParams(
  schema: ParamsSchema | undefined,
  specs: readonly ParamSpec[],
  opts: Record<string, unknown>,
): unknown {
  if (!schema) return {};
  const input: Record<string, unknown> = {};
  for (const p of specs) {
    const v = opts[p.key.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase())] ?? opts[p.key];
    if (v !== undefined) input[p.key] = v;
  }
  const res = schema.safeParse(input);
  if (res.success) return res.data;
  const issue = res.error.issues[0];
  const key = String(issue?.path[0] ?? '');
  const flag = specs.find((s) => s.key === key)?.flag ?? key;
  throw new UsageError(`--${flag}: ${issue?.message ?? 'invalid value'}`);
}
