import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { create } from 'tar';
import type { RenderedConfig } from '../bundle/render.js';

/** The rendered configs of one host as an uncompressed tar (sent on stdin of the stage command). */
export async function configsTar(configs: readonly RenderedConfig[]): Promise<Buffer> {
  const dir = await mkdtemp(join(tmpdir(), 'ferry-configs-'));
  try {
    for (const c of configs) {
      const file = join(dir, c.target);
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, c.content, { mode: 0o644 });
    }
    const chunks: Buffer[] = [];
    const stream = create({ cwd: dir, portable: true, noMtime: false }, ['.']);
    for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(Buffer.from(chunk));
    return Buffer.concat(chunks);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
