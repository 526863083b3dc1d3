import type { AttrRef } from './env-refs.js';
import type { TaskContext } from '../task/types.js';

/** What a `bundles/<name>/bundle.ts` exports (via defineBundle): the user-facing shape, defaults optional. */
export type EnvInput =
  | { kind: 'node' /** run package install scripts (npm default); false adds --ignore-scripts */; scripts?: boolean }
  | {
      kind: 'python';
      /** dir in the tree to pip-install, default '.' */
      package?: string;
      /** interpreter used to build the venv; must exist at the same path on the hosts. Default /usr/bin/python3 */
      python?: string;
      /** install without a package index (default true: a stdlib-only app needs no network) */
      offline?: boolean;
    }
  | { kind: 'none' };

export type ConfigValidator = 'nginx' | 'haproxy' | 'supervisor';

export interface ConfigInput {
  /** relative to the bundle dir, e.g. 'templates/nginx.conf.liquid' */
  template: string;
  /** path under the release's config/ dir, e.g. 'nginx/demo.conf' */
  target: string;
  /** absolute path on the host symlinked to <deployPath>/current/config/<target> */
  link?: string;
  /** who gets it; default: all bundle roles */
  roles?: string[];
  validate?: ConfigValidator;
}

export interface SharedFileInput {
  file: string;
  /** default false: a missing file fails staging */
  optional?: boolean;
}

/** An env file value: a literal, a host attribute (`attr('name')`) or a secret (`secretRef('NAME')`). */
export type EnvValue = string | number | boolean | AttrRef | { readonly secret: string };

export interface EnvFileInput {
  /** relative to the release dir; default 'app/.env' (the app's tree, where a dotenv reader looks) */
  path?: string;
  vars: Record<string, EnvValue>;
  /** who owns the file (mode 0600): a user name or attr('app_user'); default the SSH user. Needs the SSH user to be root */
  owner?: string | AttrRef;
  /** who gets it; default: all bundle roles */
  roles?: string[];
}

export interface BundleDefinitionInput {
  name: string;
  /**
   * Where the app comes from. Default: the bundle folder itself, in the repo that holds it (the
   * definition and templates then come from the same revision). `repo` (relative to the bundle
   * folder) and/or `path` (in that repo, '.' = its root) take the app from elsewhere; the definition
   * and templates are then the project's own, and part of the bundle id.
   */
  source?: { repo?: string; path?: string };
  env: EnvInput;
  /** extra argv commands run in the staging app dir on the control machine, after the env */
  build?: string[][];
  /** hosts that receive the bundle (default ['app']) */
  roles?: string[];
  configs?: ConfigInput[];
  /**
   * Linked from `<deployPath>/shared/` into every release, paths relative to the release dir.
   * A string is a dir (created when missing); `{ file }` a file the operator puts there: a missing
   * one fails staging unless `optional` (then the release's own file, if any, is kept). Default ['log', 'tmp']
   */
  shared?: (string | SharedFileInput)[];
  /** a per-host env file written into each release at stage time (see README "Env files and secrets") */
  envFile?: EnvFileInput;
  /** supervisor program name (default: name) */
  program?: string;
  health?: { path?: string; port?: string };
  haproxy?: { backend: string; socket?: string; roles?: string[] };
  /** default `/srv/${name}` */
  deployPath?: string;
  /** releases to keep, default 5 */
  keep?: number;
  /** run exactly once per deploy, on one host of `role`, after every host staged and before any switch */
  once?: OnceStepInput[];
  /** code run on each host at fixed points of a deploy (README "Hooks and run-once steps") */
  hooks?: BundleHooks;
}

/** A run-once step (a migration): argv run in the new release's directory with its environment. */
export interface OnceStepInput {
  /** shown in the plan, the report (step `once:<name>`) and history */
  name: string;
  /** one of the bundle's roles: the step runs on its `primary: true` host, else its first host */
  role: string;
  /** argv, run in releases/<id> with env/bin or app/node_modules/.bin first on PATH */
  run: string[];
}

export type HookName = 'afterStage' | 'beforeSwitch' | 'afterSwitch' | 'onFailure';

/** The release a hook is about, on its host. */
export interface HookRelease {
  /** the release being deployed */
  readonly id: string;
  /** releases/<id> on the host (read-only after staging; shared dirs are linked into it) */
  readonly dir: string;
  /** what `current` pointed to when the deploy took the host's lock (undefined: a first deploy) */
  readonly from: string | undefined;
  readonly deployPath: string;
  readonly current: string;
  readonly shared: string;
}

/** A task's context on the hook's host (run, sudo, put, fact, log, …; no params) plus the release. */
export interface HookContext extends Omit<TaskContext<undefined>, 'params'> {
  readonly hook: HookName;
  readonly release: HookRelease;
}

export type Hook = (ctx: HookContext) => Promise<unknown> | unknown;

/**
 * Deploy hooks: afterStage on each host once it staged; beforeSwitch and afterSwitch per host in
 * its batch (a failing beforeSwitch stops that host before it switches); onFailure when the host's
 * deploy failed, with the error. Commands run through the context are steps like any other.
 */
export interface BundleHooks {
  afterStage?: Hook;
  beforeSwitch?: Hook;
  afterSwitch?: Hook;
  onFailure?: (ctx: HookContext, error: Error) => Promise<unknown> | unknown;
}

/** A validated definition with every default applied: plain JSON, saved in the manifest. */
export interface BundleDefinition {
  readonly name: string;
  readonly env:
    | { readonly kind: 'node'; readonly scripts: boolean }
    | { readonly kind: 'python'; readonly package: string; readonly python: string; readonly offline: boolean }
    | { readonly kind: 'none' };
  readonly build: readonly (readonly string[])[];
  readonly roles: readonly string[];
  readonly configs: readonly {
    readonly template: string;
    readonly target: string;
    readonly link?: string | undefined;
    readonly roles: readonly string[];
    readonly validate?: ConfigValidator | undefined;
  }[];
  readonly shared: readonly string[];
  /** shared files (absent in manifests of older builds) */
  readonly sharedFiles?: readonly { readonly path: string; readonly optional: boolean }[] | undefined;
  readonly envFile?:
    | {
        readonly path: string;
        readonly vars: Readonly<Record<string, EnvValue>>;
        readonly owner?: string | AttrRef | undefined;
        /** absent in older manifests: every bundle role */
        readonly roles?: readonly string[] | undefined;
      }
    | undefined;
  readonly program: string;
  readonly health: { readonly path: string; readonly port: string };
  readonly haproxy?:
    | { readonly backend: string; readonly socket: string; readonly roles: readonly string[] }
    | undefined;
  readonly deployPath: string;
  readonly keep: number;
  /** present only when the bundle has run-once steps (an unchanged definition keeps its JSON) */
  readonly once?: readonly { readonly name: string; readonly role: string; readonly run: readonly string[] }[];
  /** which hooks the bundle.ts defines (the functions are loaded from the release's own bundle.ts) */
  readonly hooks?: readonly HookName[];
}

/** Where the sources of a bundle come from (control-machine paths: kept out of the artifact). */
export interface BundleSource {
  /** absolute path of the git repo */
  readonly repo: string;
  /** path inside the repo ('' = its root) */
  readonly path: string;
}
