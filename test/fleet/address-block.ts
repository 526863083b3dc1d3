import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isAlive } from './processes.js';

/**
 * A fleet owns one /16 of loopback: 127.<block>.0.0/16. Host i (0-based) gets
 * 127.<block>.<floor(i/254)>.<i%254+1>. Blocks are claimed with an atomic mkdir in
 * `<tmpdir>/ferry-fleet-blocks/<block>` holding the owner's pid; a claim whose owner is dead
 * and whose block has no listening socket is stale and taken over.
 */
export interface AddressBlock {
  readonly block: number;
  address(index: number): string;
  release(): void;
}

const FIRST = 1;
const LAST = 254;
const MAX_HOSTS = 254 * 256;
let counter = 0;

export function claimsDir(): string {
  return join(tmpdir(), 'ferry-fleet-blocks');
}

export function claimAddressBlock(hostCount: number): AddressBlock {
  if (hostCount > MAX_HOSTS) throw new Error(`a fleet holds at most ${MAX_HOSTS} hosts, asked for ${hostCount}`);
  const dir = claimsDir();
  mkdirSync(dir, { recursive: true, mode: 0o1777 });
  const listening = listeningLoopbackBlocks();
  const span = LAST - FIRST + 1;
  const start = (process.pid * 7 + counter++ * 31) % span;
  for (let k = 0; k < span; k++) {
    const block = FIRST + ((start + k) % span);
    if (listening.has(block)) continue;
    const claim = join(dir, String(block));
    if (tryClaim(claim)) return makeBlock(block, claim);
    if (isStale(claim, block)) {
      rmSync(claim, { recursive: true, force: true });
      if (tryClaim(claim)) return makeBlock(block, claim);
    }
  }
  throw new Error(`no free loopback block 127.${FIRST}-${LAST}.0.0/16 (claims in ${dir})`);
}

function tryClaim(claim: string): boolean {
  try {
    mkdirSync(claim);
  } catch {
    return false;
  }
  writeFileSync(join(claim, 'owner'), `${process.pid}\n`);
  return true;
}

function isStale(claim: string, block: number): boolean {
  let owner = NaN;
  try {
    owner = Number(readFileSync(join(claim, 'owner'), 'utf8').trim());
  } catch {
    // a claim without an owner file is either being written right now or left by a crash:
    // treat it as taken (the block is skipped); it is cleaned when its owner releases it
    return false;
  }
  if (Number.isInteger(owner) && owner > 0 && isAlive(owner)) return false;
  return !listeningLoopbackBlocks().has(block);
}

function makeBlock(block: number, claim: string): AddressBlock {
  return {
    block,
    address(index: number): string {
      if (!Number.isInteger(index) || index < 0 || index >= MAX_HOSTS) throw new Error(`bad host index ${index}`);
      return `127.${block}.${Math.floor(index / 254)}.${(index % 254) + 1}`;
    },
    release(): void {
      rmSync(claim, { recursive: true, force: true });
    },
  };
}

/** Second octets of every listening TCP socket on 127.x.0.0/16 (from /proc/net/tcp). */
export function listeningLoopbackBlocks(): Set<number> {
  const blocks = new Set<number>();
  let table = '';
  try {
    table = readFileSync('/proc/net/tcp', 'utf8');
  } catch {
    return blocks;
  }
  for (const line of table.split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    const local = fields[1];
    if (fields[3] !== '0A' || local === undefined) continue; // 0A = LISTEN
    const hex = local.split(':')[0] ?? '';
    // little-endian: "DDCCBBAA" for AA.BB.CC.DD
    if (hex.length !== 8 || hex.slice(6, 8) !== '7F') continue;
    blocks.add(parseInt(hex.slice(4, 6), 16));
  }
  return blocks;
}

/** Listening TCP endpoints `address:port` (IPv4) from /proc/net/tcp. */
export function listeningEndpoints(): Set<string> {
  const out = new Set<string>();
  let table = '';
  try {
    table = readFileSync('/proc/net/tcp', 'utf8');
  } catch {
    return out;
  }
  for (const line of table.split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    const local = fields[1];
    if (fields[3] !== '0A' || local === undefined) continue;
    const [hex = '', portHex = ''] = local.split(':');
    if (hex.length !== 8) continue;
    const octets = [6, 4, 2, 0].map((i) => parseInt(hex.slice(i, i + 2), 16));
    out.add(`${octets.join('.')}:${parseInt(portHex, 16)}`);
  }
  return out;
}
