import { canRunFleet } from '../fleet/fleet.js';

/** Fleet tests need root, sshd and unshare; elsewhere they skip and say why. */
export function fleetSkipReason(): string | undefined {
  const can = canRunFleet();
  if (can.ok) return undefined;
  console.warn(`[skip] fleet tests: ${can.reason}`);
  return can.reason;
}
