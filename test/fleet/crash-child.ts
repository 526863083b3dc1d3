// Child process for the crash-safety tests: starts a fleet, leaves a process running on a host,
// prints the fleet as one JSON line, then `exit`s without stop() or waits to be killed.
import { startFleet } from './fleet.js';

const mode = process.argv[2] ?? 'wait';
const fleet = await startFleet({ hosts: 2 });
const first = fleet.hosts[0];
if (first === undefined) throw new Error('no host');
await fleet.exec(first, 'nohup sleep 3600 >/dev/null 2>&1 &');
process.stdout.write(`${JSON.stringify({ dir: fleet.dir, hosts: fleet.hosts })}\n`);
if (mode === 'exit') process.exit(3);
setInterval(() => undefined, 60_000);
