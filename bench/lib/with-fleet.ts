import { startFleet, type Fleet, type FleetOptions } from '../../test/fleet/fleet.js';
import { trackFleet } from './guard.js';

/** Start a fleet, run `f`, stop the fleet always. */
export async function withFleet<T>(options: FleetOptions, f: (fleet: Fleet) => Promise<T>): Promise<T> {
  const fleet = await startFleet(options);
  const untrack = trackFleet(fleet);
  try {
    return await f(fleet);
  } finally {
    untrack();
    await fleet.stop();
  }
}
