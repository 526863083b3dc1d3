import { createReadStream } from 'node:fs';
import { Transform } from 'node:stream';
import { uploadCommand } from '../ops/release/upload.js';
import type { HostSession } from '../runner/host-session.js';
import type { DeployContext } from './deploy-context.js';
import { humanBytes } from '../runner/plan.js';
import { streamed } from './stream-gc.js';

/** Stream the artifact to the host's cache (never whole in memory), with byte progress; returns bytes sent. */
export async function uploadArtifact(s: HostSession, d: DeployContext, title: (t: string) => void): Promise<number> {
  if (!d.bundle) throw new Error('uploadArtifact needs a built bundle');
  const { archivePath, sha256, size } = d.bundle;
  let sent = 0;
  let last = 0;
  // counting happens in the pipe itself: nothing flows before the channel is ready to take it
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      sent += chunk.length;
      streamed(chunk.length);
      const now = Date.now();
      if (now - last > 200 || sent === size) {
        last = now;
        title(`upload ${humanBytes(sent)}/${humanBytes(size)}`);
      }
      done(null, chunk);
    },
  });
  const stream = createReadStream(archivePath, { highWaterMark: 32 * 1024 });
  stream.on('error', (err) => counter.destroy(err));
  stream.pipe(counter);
  title(`upload 0/${humanBytes(size)}`);
  await s.exec(uploadCommand(d.paths, sha256, d.runId), {
    title: `upload ${humanBytes(size)} + verify sha256`,
    id: 'upload',
    stdin: counter,
  });
  return sent;
}
