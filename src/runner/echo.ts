/** Where streamed lines are written: listr2's ProcessOutput (its writes bypass the TTY renderer's hijack). */
export interface EchoOutput {
  toStdout(text: string, eol?: boolean): unknown;
  toStderr(text: string, eol?: boolean): unknown;
}

/** The parts of listr2's default (TTY) renderer used to print above its task list. */
interface RedrawingRenderer {
  updater?: { clear(): void };
  update?(): void;
}

export interface Echo {
  /** one whole line of a host's remote stream */
  line(host: string, text: string, stream: 'stdout' | 'stderr'): void;
  /** write what waits (call when the list is done) */
  flush(): void;
  /** a promise while the terminal (or pipe) takes the lines slower than they come */
  behind(): Promise<void> | undefined;
}

/** Past this much unwritten output a streamed command is paused (see ChannelRequest.backpressure). */
const BEHIND_BYTES = 1024 * 1024;

/** How long lines wait to be printed together above the TTY task list (one redraw per batch). */
const TTY_BATCH_MS = 25;

/**
 * Streamed remote output as `[host] line`, whole lines only. Without a TTY each batch (the lines
 * of one received chunk, gathered until the current task tick ends) is one write. On a TTY the
 * task list is erased, the lines written, the list redrawn: the lines scroll above it as they
 * arrive, at most one redraw per TTY_BATCH_MS. Remote stderr goes to stderr.
 */
export function createEcho(
  out: EchoOutput,
  tty: boolean,
  renderer: () => unknown,
  streams: readonly NodeJS.WriteStream[] = [process.stdout, process.stderr],
): Echo {
  let outText = '';
  let errText = '';
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    if (!outText && !errText) return;
    const r = renderer() as RedrawingRenderer | undefined;
    const redraw = tty && r?.updater && r.update ? r : undefined;
    redraw?.updater?.clear();
    if (outText) out.toStdout(outText, false);
    if (errText) out.toStderr(errText, false);
    outText = '';
    errText = '';
    redraw?.update?.();
  };
  return {
    line(host, text, stream) {
      const l = `[${host}] ${text}\n`;
      if (stream === 'stdout') outText += l;
      else errText += l;
      if (scheduled) return;
      scheduled = true;
      if (tty) setTimeout(flush, TTY_BATCH_MS);
      else queueMicrotask(flush);
    },
    flush,
    behind() {
      const s = streams.find((w) => w.writableLength > BEHIND_BYTES);
      return s ? new Promise((resolve) => s.once('drain', resolve)) : undefined;
    },
  };
}
