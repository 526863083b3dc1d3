import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { ProjectError } from '../errors/project-error.js';
import { DEFAULT_NOTIFY_TIMEOUT_MS, type NotifyConfig } from '../notify/types.js';
import type { ProjectSettings } from './settings.js';
import { parseLocatedYaml, syntaxError } from './yaml-position.js';
import { issueToError } from './zod-issue.js';

/** http(s) only, checked when ferry.yaml loads: the error shows the scheme, never the rest (often a token). */
const httpUrl = z.string().superRefine((s, ctx) => {
  let u: URL | undefined;
  try {
    u = new URL(s);
  } catch {
    ctx.addIssue({ code: 'custom', message: 'must be an http:// or https:// URL (this is not a URL)' });
    return;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    ctx.addIssue({ code: 'custom', message: `must be an http:// or https:// URL, not ${u.protocol}` });
});

const notifySchema = z.strictObject({
  graphite: z
    .strictObject({
      host: z.string().min(1),
      port: z.number().int().min(1).max(65535).default(2003),
      prefix: z
        .string()
        .regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/, 'must be dotted Graphite nodes of letters, digits, _ and -')
        .default('ferry'),
      events: httpUrl.optional(),
    })
    .optional(),
  webhooks: z.union([httpUrl, z.array(httpUrl)]).optional(),
  /** seconds */
  timeout: z.number().positive().max(30).optional(),
});

function notifyConfig(n: z.infer<typeof notifySchema> | undefined): NotifyConfig | undefined {
  if (!n) return undefined;
  const webhooks = n.webhooks === undefined ? [] : typeof n.webhooks === 'string' ? [n.webhooks] : n.webhooks;
  const timeoutMs = n.timeout === undefined ? DEFAULT_NOTIFY_TIMEOUT_MS : Math.round(n.timeout * 1000);
  return { graphite: n.graphite, webhooks, timeoutMs };
}

const settingsSchema = z.strictObject({
  stage: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'must be a stage name')
    .optional(),
  known_hosts: z.string().min(1).optional(),
  identity: z.union([z.string().min(1), z.array(z.string().min(1))]).optional(),
  parallel: z.number().int().min(1).optional(),
  keep_logs: z.number().int().min(1).optional(),
  notify: notifySchema.optional(),
});

/** `~/x` and project-relative paths, as a shell user would mean them. */
function projectPath(projectDir: string, p: string): string {
  if (p === '~' || p.startsWith('~/')) return join(homedir(), p.slice(1));
  return resolve(projectDir, p);
}

/** ferry.yaml's text checked against its schema; errors name file:line:column. */
export function parseSettings(projectDir: string, file: string, text: string): ProjectSettings {
  const y = parseLocatedYaml(file, text);
  const bad = syntaxError(y);
  if (bad) throw new ProjectError(bad.position, bad.message);
  const parsed = settingsSchema.safeParse(y.doc.toJS() ?? {});
  if (!parsed.success) throw issueToError(y, parsed.error);
  const s = parsed.data;
  const ids = s.identity === undefined ? [] : typeof s.identity === 'string' ? [s.identity] : s.identity;
  return {
    file,
    stage: s.stage,
    knownHosts: s.known_hosts === undefined ? undefined : projectPath(projectDir, s.known_hosts),
    identity: ids.map((i) => projectPath(projectDir, i)),
    parallel: s.parallel,
    keepLogs: s.keep_logs,
    notify: notifyConfig(s.notify),
  };
}
