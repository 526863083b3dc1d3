import { Header, Pax } from 'tar';
import type { RenderedConfig } from '../bundle/render.js';

/** One file of a host's config set; `mode` defaults to 0644. */
export interface TarFile {
  readonly target: string;
  readonly content: string;
  readonly mode?: number;
}

const BLOCK = 512;
const MTIME = new Date(0);

function entry(f: TarFile): Buffer[] {
  const body = Buffer.from(f.content, 'utf8');
  const fields = { path: f.target, mode: f.mode ?? 0o644, size: body.length, type: 'File' as const, mtime: MTIME };
  const header = Buffer.alloc(BLOCK);
  const long = new Header({ ...fields, uid: 0, gid: 0 }).encode(header, 0);
  const pad = Buffer.alloc((BLOCK - (body.length % BLOCK)) % BLOCK);
  return [...(long ? [new Pax({ path: f.target, mtime: MTIME }).encode()] : []), header, body, pad];
}

/**
 * The rendered configs of one host (and its env file) as an uncompressed tar, built in memory — an
 * env file's secrets never touch the control machine's disk — and sent on stdin of the stage command.
 */
export async function configsTar(configs: readonly (RenderedConfig | TarFile)[]): Promise<Buffer> {
  return Buffer.concat([...configs.flatMap(entry), Buffer.alloc(2 * BLOCK)]);
}
