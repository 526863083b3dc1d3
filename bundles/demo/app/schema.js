// The demo's "database": a JSON file in the shared data dir (releases/<id>/data -> shared/data),
// brought to SCHEMA_VERSION by app/migrate.js, ferry's run-once step. The app reports its version.
import { readFileSync } from 'node:fs';

export const SCHEMA_VERSION = 2;

/** The database file, resolved from this release: releases/<id>/app/app/schema.js → releases/<id>/data. */
export const DB_FILE = new URL('../../data/schema.json', import.meta.url);

/** The database as stored, or undefined before the first migration. */
export function readDb() {
  try {
    return JSON.parse(readFileSync(DB_FILE, 'utf8'));
  } catch (err) {
    if (err.code === 'ENOENT') return undefined;
    throw err;
  }
}
