import type { Client, ClientChannel } from 'ssh2';
import { Writable, type Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { SUDO_OK, SUDO_PROMPT } from '../shell/command.js';
import { maskText } from '../shell/secret.js';
import { onAbort } from './on-abort.js';

export interface ChannelRequest {
  /** the exact text the remote shell runs (secrets in clear: never shown) */
  readonly command: string;
  readonly stdin?: string | Uint8Array | Readable | undefined;
  /** the command went through `sudo -S -p SUDO_PROMPT`: answer the prompt, wait for SUDO_OK */
  readonly sudo?: boolean;
  readonly sudoPassword?: string | undefined;
  readonly timeoutMs?: number | undefined;
  readonly onStdout?: (chunk: Buffer) => void;
  readonly onStderr?: (text: string) => void;
  /** values to mask in anything returned */
  readonly secrets?: readonly string[];
  /** on abort (Ctrl-C): SIGINT to the remote process group, then the channel is closed */
  readonly signal?: AbortSignal | undefined;
  /** keep only the last this many bytes of each stream (default: the first MAX_OUTPUT) */
  readonly keep?: number | undefined;
  /**
   * asked after each chunk handed to onStdout/onStderr: a promise means "wait" (the terminal or
   * a log is behind); the channel is paused until it settles, so the host waits, not ferry's memory
   */
  readonly backpressure?: (() => Promise<void> | undefined) | undefined;
}

export interface ChannelResult {
  readonly code: number | null;
  readonly signal: string | undefined;
  readonly stdout: string;
  readonly stderr: string;
  /** why ferry itself ended the command (timeout, sudo password, `interrupted`), if it did */
  readonly aborted?: string;
}

/** `aborted` when the command was ended by the caller's abort signal (Ctrl-C). */
export const INTERRUPTED = 'interrupted';

/** After an interrupt, stop waiting for the channel to close (the remote end ignores the signal) after this long. */
const INTERRUPT_WAIT_MS = 6000;

/** Keep at most this much output per stream in memory. */
const MAX_OUTPUT = 16 * 1024 * 1024;

function writeStdin(channel: ClientChannel, stdin: ChannelRequest['stdin']): void {
  if (stdin === undefined) {
    channel.end();
  } else if (typeof stdin === 'string' || stdin instanceof Uint8Array) {
    channel.write(stdin);
    channel.end();
  } else {
    pump(stdin, channel);
  }
}

/**
 * Bytes handed to a channel but not yet taken by ssh2 (within the remote window) before the
 * source is paused. `pipe()` would only pause at the channel's 2 MB high-water mark, and every
 * byte of that sits in memory once per host: 20 MB for a 10-host push, plus the garbage.
 */
const STDIN_AHEAD = 256 * 1024;
/**
 * Encrypted bytes waiting in the connection's socket before the source is paused: ssh2 writes
 * its packets without heeding the socket's backpressure, so up to the remote window (2 MB per
 * channel) could queue in memory per host.
 */
const SOCKET_AHEAD = 256 * 1024;

/** ssh2's socket (a private field, read in this one place): what its packets wait in. */
function socketOf(channel: ClientChannel): Writable | undefined {
  const sock = (channel as unknown as { _client?: { _sock?: unknown } })._client?._sock;
  return sock instanceof Writable ? sock : undefined;
}

/** Stream `src` into the channel with a small bound on what waits in memory; end it with `src`. */
function pump(src: Readable, channel: ClientChannel): void {
  const sock = socketOf(channel);
  let ahead = 0;
  const full = () => ahead > STDIN_AHEAD || (sock !== undefined && sock.writableLength > SOCKET_AHEAD);
  const resumeIfRoom = () => {
    if (src.isPaused() && !full()) src.resume();
  };
  src.on('error', () => channel.close());
  src.on('data', (chunk: Buffer) => {
    ahead += chunk.length;
    channel.write(chunk, () => {
      ahead -= chunk.length;
      resumeIfRoom();
    });
    if (full()) {
      src.pause();
      // past its high-water mark the socket emits 'drain' once it has written everything
      if (sock && sock.writableLength > SOCKET_AHEAD) sock.once('drain', resumeIfRoom);
    }
  });
  src.on('end', () => channel.end());
  channel.on('close', () => src.destroy());
}

/** What was kept of stdout: all of it, or its last `keep` bytes (a split character at the cut is dropped). */
function keptText(out: readonly Buffer[], len: number, keep: number | undefined): string {
  const all = Buffer.concat(out, len);
  if (keep === undefined || all.length <= keep) return all.toString('utf8');
  let start = all.length - keep;
  while (start < all.length && ((all[start] ?? 0) & 0xc0) === 0x80) start++;
  return all.subarray(start).toString('utf8');
}

/**
 * Run one command on an open ssh2 connection: the single place a remote process is started.
 * Never throws for a nonzero exit (callers decide); rejects only when no channel could be opened.
 */
export function execChannel(client: Client, req: ChannelRequest): Promise<ChannelResult> {
  return new Promise((resolve, reject) => {
    client.exec(req.command, (err, channel) => {
      if (err) return reject(err);
      const out: Buffer[] = [];
      let outLen = 0;
      let errText = '';
      let pending = req.sudo ? '' : undefined; // stderr held back until sudo lets us in
      let prompts = 0;
      let aborted: string | undefined;
      let code: number | null = null;
      let signal: string | undefined;
      let giveUp: NodeJS.Timeout | undefined;
      const timer = req.timeoutMs
        ? setTimeout(() => abort(`timed out after ${req.timeoutMs} ms`), req.timeoutMs)
        : undefined;

      function abort(why: string): void {
        aborted ??= why;
        channel.close();
      }
      // sshd (OpenSSH ≥ 7.9) passes a `signal` request to the command's process group, except for
      // root logins (the session sends ops/interrupt.ts's kill then); the channel closes once it exits
      const interrupt = () => {
        try {
          channel.signal('INT');
        } catch {
          // the channel is closing already
        }
        abort(INTERRUPTED);
        giveUp = setTimeout(finish, INTERRUPT_WAIT_MS);
      };
      const stopWaiting = onAbort(req.signal, interrupt);
      if (req.signal?.aborted) interrupt();
      // a character split between two stderr chunks is decoded whole
      const errDecoder = new StringDecoder('utf8');
      const keep = req.keep;
      let paused = false;
      const waitIfBehind = () => {
        const wait = paused ? undefined : req.backpressure?.();
        if (!wait) return;
        paused = true;
        channel.pause();
        void wait.then(() => {
          paused = false;
          channel.resume();
        });
      };
      function emitErr(text: string): void {
        if (keep !== undefined) {
          errText += text;
          if (errText.length > 2 * keep) errText = errText.slice(-keep);
        } else if (errText.length < MAX_OUTPUT) errText += text;
        req.onStderr?.(text);
        waitIfBehind();
      }
      channel.on('data', (chunk: Buffer) => {
        if (keep !== undefined) {
          out.push(chunk);
          outLen += chunk.length;
          // the last `keep` bytes stay: drop whole chunks from the front
          while (out.length > 1 && outLen - (out[0]?.length ?? 0) >= keep) outLen -= out.shift()?.length ?? 0;
        } else if (outLen < MAX_OUTPUT) {
          out.push(chunk);
          outLen += chunk.length;
        }
        req.onStdout?.(chunk);
        waitIfBehind();
      });
      channel.stderr.on('data', (chunk: Buffer) => {
        const text = errDecoder.write(chunk);
        if (text.length === 0) return;
        if (pending === undefined) return emitErr(text);
        pending += text;
        for (;;) {
          const p = pending.indexOf(SUDO_PROMPT);
          const ok = pending.indexOf(SUDO_OK);
          if (ok >= 0 && (p < 0 || ok < p)) {
            const rest = pending.slice(0, ok) + pending.slice(ok + SUDO_OK.length).replace(/^\n/, '');
            pending = undefined;
            if (rest) emitErr(rest);
            writeStdin(channel, req.stdin);
            return;
          }
          if (p < 0) return;
          const before = pending.slice(0, p);
          if (before.trim()) emitErr(before);
          pending = pending.slice(p + SUDO_PROMPT.length);
          prompts += 1;
          if (req.sudoPassword === undefined) {
            return abort('sudo asked for a password: pass --sudo-password-prompt or set FERRY_SUDO_PASSWORD');
          }
          if (prompts > 1) return abort('sudo: the sudo password was refused (wrong password?)');
          channel.write(`${req.sudoPassword}\n`);
        }
      });
      channel.on('exit', (c: number | null, s?: string) => {
        code = c ?? null;
        signal = s ?? undefined;
      });
      let finished = false;
      function finish(): void {
        if (finished) return;
        finished = true;
        if (timer) clearTimeout(timer);
        if (giveUp) clearTimeout(giveUp);
        stopWaiting();
        const secrets = [...(req.secrets ?? []), ...(req.sudoPassword ? [req.sudoPassword] : [])];
        resolve({
          code: aborted ? null : code,
          signal,
          stdout: maskText(keptText(out, outLen, keep), secrets),
          stderr: maskText(
            keep !== undefined ? (errText + (pending ?? '')).slice(-keep) : errText + (pending ?? ''),
            secrets,
          ),
          ...(aborted ? { aborted } : {}),
        });
      }
      channel.on('close', finish);
      if (!req.sudo) writeStdin(channel, req.stdin);
    });
  });
}
