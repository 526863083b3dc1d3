import { createHash } from 'node:crypto';
import { readdirSync, rmSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../errors/usage-error.js';
import type { Inventory } from '../inventory/types.js';
import type { InventoryData, InventoryOptions } from './parse-inventory.js';
import { buildInventory } from './build-inventory.js';
import { privateCacheDir, writeCacheEntry } from './user-cache.js';

/** This build of ferry: a cached parse is only good for the code (the schema) that made it. */
function buildIdentity(): string {
  try {
    const st = statSync(fileURLToPath(import.meta.url));
    return `${st.size}:${st.mtimeMs}`;
  } catch {
    return 'unknown';
  }
}

const KEEP = 64;

/** JSON holds the parse exactly (no ±Infinity or NaN from `.inf`/`.nan`, which JSON would turn into null). */
function exactJson(data: InventoryData): string | undefined {
  let exact = true;
  const text = JSON.stringify(data, (_k, v: unknown) => {
    if (typeof v === 'number' && !Number.isFinite(v)) exact = false;
    return v;
  });
  return exact ? text : undefined;
}

/**
 * inventory.yaml parsed and validated, from a per-user cache keyed by the file's text and this
 * build of ferry: parsing YAML with positions and validating it is the largest piece of a short
 * command's start-up (~20 ms for 50 hosts) and the text rarely changes between runs. A miss (or
 * any cache trouble) parses as usual; only valid inventories are cached, so every error still
 * comes from a real parse, with file:line:column.
 */
async function inventoryData(file: string, text: string): Promise<InventoryData> {
  const dir = privateCacheDir('inventory');
  const key = createHash('sha256').update(buildIdentity()).update('\0').update(text).digest('hex').slice(0, 32);
  const entry = dir ? join(dir, `${key}.json`) : undefined;
  if (entry) {
    try {
      return JSON.parse(await readFile(entry, 'utf8')) as InventoryData;
    } catch {
      // not cached yet (or unreadable): parse
    }
  }
  const { parseInventoryFile } = await import('./parse-inventory.js');
  const data = parseInventoryFile(file, text);
  const json = entry ? exactJson(data) : undefined;
  if (dir && entry && json) {
    try {
      const names = readdirSync(dir);
      if (names.length >= KEEP) {
        const oldest = names.map((n) => ({ n, t: statSync(join(dir, n)).mtimeMs })).sort((a, b) => a.t - b.t);
        for (const o of oldest.slice(0, names.length - KEEP + 1)) rmSync(join(dir, o.n), { force: true });
      }
      writeCacheEntry(entry, json);
    } catch {
      // a read-only or full home: next time parses again
    }
  }
  return data;
}

/** Read, parse and validate inventory.yaml; attrs are merged defaults < roles (listed order) < host < --set. */
export async function loadInventory(file: string, options: InventoryOptions = {}): Promise<Inventory> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT')
      throw new UsageError(`no inventory at ${file} (use --inventory FILE or --project DIR)`);
    throw err;
  }
  return buildInventory(file, await inventoryData(file, text), options.set);
}
