import { InvalidArgumentError, Option, type Command as Program } from 'commander';
import type { DeployContext } from '../lifecycle/deploy-context.js';
import { Relay } from '../lifecycle/relay.js';

export interface RelayFlags {
  relay?: number;
  relayRate?: number;
}

const positive = (name: string, whole: boolean) => (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0 || (whole && !Number.isInteger(n)))
    throw new InvalidArgumentError(`${name} expects a positive ${whole ? 'whole ' : ''}number, got "${v}"`);
  return n;
};

/** --relay k / --relay-rate: hosts pass the artifact on (README "Relay: bytes that don't grow with the fleet"). */
export function addRelayOptions(p: Program): Program {
  return p
    .addOption(
      new Option(
        '--relay <k>',
        'upload the artifact to k hosts only; hosts holding it pass it on (python3 on hosts)',
      ).argParser(positive('--relay', true)),
    )
    .addOption(
      new Option('--relay-rate <MB/s>', 'cap each host-to-host relay stream').argParser(
        positive('--relay-rate', false),
      ),
    );
}

/** The deploy context with its relay, when --relay asks for one. */
export function withRelay(ctx: DeployContext, f: RelayFlags): DeployContext {
  if (!f.relay) return ctx;
  const bytesPerSecond = f.relayRate ? f.relayRate * 1_000_000 : 0;
  return { ...ctx, relay: new Relay(ctx, { seeds: f.relay, bytesPerSecond }) };
}
