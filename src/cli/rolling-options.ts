import { Option, type Command as Program } from 'commander';
import { parseBatch, parseDuration, parseMaxFail, DEFAULT_MAX_FAIL, type Amount } from '../rolling/batches.js';
import { plainSetup, type RollingSetup } from '../rolling/rolling-setup.js';
import type { BundleDefinition } from '../bundle/definition.js';
import { openSessions } from '../lifecycle/sessions.js';
import type { RunEnv } from './run-env.js';
import { UsageError } from '../errors/usage-error.js';
import { defaultMinRequests } from '../ops/haproxy/error-rate.js';
import type { ErrorGateOptions } from '../rolling/error-gate.js';

export interface RollingFlags {
  batch?: Amount;
  maxFail?: Amount;
  pause?: number;
  drainTimeout?: number;
  healthTimeout?: number;
  maxErrorRate?: number;
  watch?: number;
  minRequests?: number;
}

/** `--max-error-rate 1%` → 0.01 (a percentage, 0% to 100%). */
export function parseErrorRate(text: string): number {
  const m = /^(\d+(?:\.\d+)?)%$/.exec(text.trim());
  const pct = m ? Number(m[1]) : Number.NaN;
  if (!(pct >= 0 && pct <= 100))
    throw new UsageError(`--max-error-rate: expected a percentage between 0% and 100% (e.g. 1%), got '${text}'`);
  return pct / 100;
}

function parseCount(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 1)
    throw new UsageError(`--min-requests: expected a whole number ≥ 1, got '${text}'`);
  return n;
}

/** The error-rate gate's flags, checked against the rollout they watch. */
function errorGate(def: BundleDefinition, f: RollingFlags, batched: boolean): ErrorGateOptions | undefined {
  if (f.maxErrorRate === undefined) {
    if (f.watch !== undefined || f.minRequests !== undefined)
      throw new UsageError('--watch and --min-requests belong to --max-error-rate (the error-rate gate)');
    return undefined;
  }
  if (!batched) throw new UsageError('--max-error-rate needs --batch: the gate watches each batch behind HAProxy');
  if (!def.haproxy)
    throw new UsageError(`--max-error-rate: bundle ${def.name} declares no haproxy backend to read counters from`);
  return {
    maxRate: f.maxErrorRate,
    minRequests: f.minRequests ?? defaultMinRequests(f.maxErrorRate),
    watchMs: f.watch ?? 30_000,
    notice: (line) => process.stderr.write(`${line}\n`),
  };
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
    )
    .addOption(
      new Option('--max-error-rate <p%>', "stop and revert when a batch's 5xx share in HAProxy exceeds this").argParser(
        parseErrorRate,
      ),
    )
    .addOption(
      new Option('--watch <duration>', 'how long the error-rate gate watches each batch (default 30s)').argParser(
        parseDuration,
      ),
    )
    .addOption(
      new Option('--min-requests <n>', 'responses the gate needs to judge the share (default 1/rate)').argParser(
        parseCount,
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
  const gate = errorGate(def, f, batch !== undefined);
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
    errorGate: gate,
  };
}
