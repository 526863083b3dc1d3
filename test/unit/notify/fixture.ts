import type { BuiltBundle } from '../../../src/bundle/cache.js';
import type { BundleDefinition } from '../../../src/bundle/definition.js';
import type { DeployContext } from '../../../src/lifecycle/deploy-context.js';
import type { HostPlan } from '../../../src/lifecycle/flow.js';
import type { RunStart } from '../../../src/notify/hook.js';
import type { RunReport } from '../../../src/runner/report.js';

/** A value that must never reach a notification. */
export const SECRET = 's3cr3t-9f1c2e-never-in-payload';

const ID = 'demo-v1.2.0-abc1234-0123abcd';

/** A deploy of demo v1.2.0 to web1.dc1 and web2 carrying the secret everywhere a run can carry it. */
export function deployStart(): RunStart {
  const definition = {
    name: 'demo',
    program: 'demo',
    deployPath: '/srv/demo',
    roles: ['app'],
    configs: [],
    env: { kind: 'node', vars: { API_TOKEN: SECRET } },
  } as unknown as BundleDefinition;
  const bundle = {
    id: ID,
    archivePath: `/cache/${ID}.tar.gz`,
    sha256: '0'.repeat(64),
    size: 1,
    manifest: { tag: 'v1.2.0', commit: 'abc1234', definition, attrs: { token: SECRET } },
    appDir: '/tmp/app',
    templatesDir: '/tmp/t',
  } as unknown as BuiltBundle;
  const hosts = ['web1.dc1', 'web2'].map((name) => ({
    name,
    address: '10.0.0.1',
    roles: ['app'],
    attrs: { db_password: SECRET },
  }));
  const ctx: DeployContext = {
    bundle,
    definition,
    label: { name: 'demo', tag: 'v1.2.0', commit: 'abc1234' },
    paths: { root: '/srv/demo' } as DeployContext['paths'],
    allHosts: hosts,
    runId: '20260101T000000-abcdef',
    stage: 'prod',
    owner: {
      user: 'alice',
      host: 'ctl',
      pid: 1,
      started: '2026-01-01T00:00:00Z',
      command: `ferry deploy demo --tag v1.2.0 --set db_password=${SECRET}`,
      runId: '20260101T000000-abcdef',
    },
    dryRun: false,
    lockWaitS: 0,
    lockTtlMs: 1,
  };
  return { action: 'deploy', ctx, hosts };
}

/** web1.dc1 ok, web2 failed (its error message quotes the secret, as program output could). */
export function deployEnd(ok = false): { report: RunReport; plans: Map<string, HostPlan> } {
  const host = (name: string, failed: boolean) => ({
    host: name,
    status: failed ? ('failed' as const) : ('ok' as const),
    durationMs: 1234.4,
    channels: 3,
    steps: [{ id: 'x', title: 'x', command: `echo ${SECRET}`, status: 'ok', stdout: SECRET }],
    changes: 1,
    ...(failed ? { error: { kind: 'failed', message: `health: program said ${SECRET}` } } : {}),
  });
  const report = {
    runId: '20260101T000000-abcdef',
    command: `ferry deploy demo --set db_password=${SECRET}`,
    dryRun: false,
    startedAt: '2026-01-01T00:00:00Z',
    durationMs: 5000,
    hosts: [host('web1.dc1', false), host('web2', !ok)],
  } as unknown as RunReport;
  const plan: HostPlan = { from: 'demo-v1.1.0-x', to: ID, upToDate: false };
  return {
    report,
    plans: new Map([
      ['web1.dc1', plan],
      ['web2', plan],
    ]),
  };
}
