// ferry demo migration (the bundle's `once` step): runs in the new release's dir before any host
// switches. Applies the missing schema steps and records the run, written atomically (temp file,
// rename), so a reader sees the old database or the new one, never half of it.
import { createHash } from 'node:crypto';
import { readlinkSync, renameSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DB_FILE, SCHEMA_VERSION, readDb } from './schema.js';

/** Schema steps by version: each takes the tables from the version before. */
const STEPS = {
  1: (t) => ({ ...t, items: t.items ?? [] }),
  2: (t) => ({ ...t, items: (t.items ?? []).map((i) => ({ ...i, tags: i.tags ?? [] })), tags: t.tags ?? [] }),
};

const db = readDb() ?? { version: 0, tables: {}, runs: [] };
const from = db.version;
for (let v = from + 1; v <= SCHEMA_VERSION; v++) db.tables = STEPS[v](db.tables);
db.version = Math.max(from, SCHEMA_VERSION);

// what `current` pointed to on this host while it ran: the migration runs before any switch
let current = null;
try {
  current = readlinkSync(`${process.env.FERRY_DEPLOY_PATH}/current`);
} catch {}
db.runs.push({
  host: process.env.FERRY_HOST,
  release: process.env.FERRY_RELEASE,
  current,
  from,
  to: db.version,
  at: Date.now(),
  // the env file is exported into the step: the migration sees the secret the app will (kamal#1652)
  secretSha256: process.env.DEMO_SECRET ? createHash('sha256').update(process.env.DEMO_SECRET).digest('hex') : null,
});

const file = fileURLToPath(DB_FILE);
writeFileSync(`${file}.tmp`, `${JSON.stringify(db, null, 2)}\n`);
renameSync(`${file}.tmp`, file);
process.stdout.write(`schema ${from} -> ${db.version}\n`);
