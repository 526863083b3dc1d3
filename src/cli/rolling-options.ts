import { Option, type Command as Program } from 'commander';
import { parseBatch, parseDuration, parseMaxFail, DEFAULT_MAX_FAIL, type Amount } from '../rolling/batches.js';
import { plainSetup, type RollingSetup } from '../rolling/rolling-setup.js';
import type { BundleDefinition } from '../bundle/definition.js';
import { openSessions } from '../lifecycle/sessions.js';
import type { RunEnv } from './run-env.js';

export interface RollingFlags {
  batch?: Amount;
  maxFail?: Amount;
  pause?: number;
  drainTimeout?: number;
  healthTimeout?: number;
}

export function addRollingOptions(p: Program, what: string): Program {
  return p
    .addOption(
      new Option('--batch <n|p%>', `${what} this many hosts (or this share) at a time, drained in HAProxy`).argParser(
        parseBatch,
      ),
    )
    .addOption(
      new Option('--max-fail <n|p%>', 'abort once failed hosts exceed this (default 0)').argParser(parseMaxFail),
    )
    .addOption(new Option('--pause <duration>', 'wait between batches, e.g. 5s').argParser(parseDuration))
    .addOption(
      new Option('--drain-timeout <duration>', 'wait this long for sessions to finish (default 30s)').argParser(
        parseDuration,
      ),
    )
    .addOption(
      new Option('--health-timeout <duration>', 'wait this long for the health check (default 30s)').argParser(
        parseDuration,
      ),
    );
}

/**
 * The knobs of an activation or restart. With `--batch` (or a default batch): sessions to every LB
 * host of the bundle (from the whole inventory). Without: a plain activation — every host at once,
 * no drain, with the same health gate and `--max-fail` budget.
 */
export async function rollingSetup(
  env: RunEnv,
  def: BundleDefinition,
  f: RollingFlags,
  defaultBatch?: Amount,
): Promise<RollingSetup> {
  const timeouts = {
    drainMs: f.drainTimeout ?? 30_000,
    healthMs: f.healthTimeout ?? 30_000,
    upMs: Math.max(10_000, f.healthTimeout ?? 30_000),
  };
  const batch = f.batch ?? defaultBatch;
  if (!batch) return plainSetup({ maxFail: f.maxFail ?? DEFAULT_MAX_FAIL, timeouts });
  const inventory = await env.inventory();
  const lbHosts = def.haproxy ? inventory.hosts.filter((h) => h.roles.some((r) => def.haproxy?.roles.includes(r))) : [];
  const run = await env.runOptions(lbHosts);
  const lbSessions = openSessions(lbHosts, run);
  // the first drain must not wait for an LB handshake: connect while the hosts are locked and probed
  if (!env.opts.dryRun) for (const s of lbSessions.values()) s.warm();
  return {
    rollout: { batch, maxFail: f.maxFail ?? DEFAULT_MAX_FAIL, pauseMs: f.pause ?? 0 },
    timeouts,
    lbSessions,
    batched: true,
  };
}
