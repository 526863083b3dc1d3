import { cmd, type Command } from '../../shell/command.js';
import { quote } from '../../shell/quote.js';
import type { ReleasePaths } from './paths.js';
import { receiveCommand } from './upload.js';

/**
 * Host-to-host relay of a cached artifact (python3 on both hosts; nothing installed). A source
 * serves its verified `.ferry/bundles/<sha256>.tar.gz` on an ephemeral TCP port to whoever first
 * sends the run's token (given to both over SSH stdin, never argv); a receiver pulls it into a
 * temp file, and only a file with the right sha256 gets the cache name (receiveCommand) — so a
 * dying or lying source costs a retry, never an unverified extract. The server lives as long as
 * its SSH channel: ferry closing stdin (or the connection dropping) ends it.
 */
const SERVE = `import socket,sys,threading,time
f=sys.argv[1];rate=int(sys.argv[2]);tok=sys.stdin.readline().strip().encode()
s=socket.socket();s.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1);s.bind(('0.0.0.0',0));s.listen(128)
out=threading.Lock()
def say(*a):
  with out:print(*a,flush=True)
say('port',s.getsockname()[1])
def serve(c,a):
  try:
    c.settimeout(60);got=b''
    while not got.endswith(b'\\n') and len(got)<512:
      d=c.recv(512)
      if not d:return
      got+=d
    if got.strip()!=tok:return
    say('send',a[0],a[1]);n=0;t0=time.monotonic()
    with open(f,'rb') as h:
      while True:
        b=h.read(65536)
        if not b:break
        c.sendall(b);n+=len(b)
        if rate:
          ahead=n/rate-(time.monotonic()-t0)
          if ahead>0:time.sleep(ahead)
    say('sent',a[0],a[1],n)
  except Exception as e:say('error',a[0],a[1],repr(e))
  finally:c.close()
def loop():
  while True:
    c,a=s.accept();threading.Thread(target=serve,args=(c,a),daemon=True).start()
threading.Thread(target=loop,daemon=True).start()
sys.stdin.read()
`;

const FETCH = `import socket,sys
h,p,size=sys.argv[1],int(sys.argv[2]),int(sys.argv[3]);tok=sys.stdin.readline().strip();n=0
try:
  c=socket.create_connection((h,p),timeout=60);c.sendall((tok+'\\n').encode());o=sys.stdout.buffer
  while True:
    b=c.recv(262144)
    if not b:break
    o.write(b);n+=len(b)
  o.flush()
except OSError as e:
  sys.stderr.write('relay source %s:%d: %s after %d bytes\\n'%(h,p,e,n));sys.exit(75)
if n!=size:
  sys.stderr.write('relay source %s:%d sent %d of %d bytes\\n'%(h,p,n,size));sys.exit(75)
`;

/** A receiver's fetch failed because of the source (gone, cut short, wrong bytes): try another. */
export const SOURCE_FAILED = new Set([75, 65]);
/** python3 is missing on the receiver: no relay there, the control machine pushes instead. */
export const NO_PYTHON = 127;

/** Exits 0 where python3 runs, NO_PYTHON where there is none. */
export function pythonCheckCommand(): Command {
  return cmd('python3', '-c', '');
}

/** Serve this host's cached artifact until stdin closes (stdin: the token line). Prints `port N` first. */
export function relayServeCommand(paths: ReleasePaths, sha256: string, bytesPerSecond = 0): Command {
  return cmd('python3', '-c', SERVE, paths.cacheFile(sha256), String(Math.max(0, Math.round(bytesPerSecond))));
}

/** Pull the artifact from a source into the cache, verified like an upload (stdin: the token line). */
export function relayFetchCommand(
  paths: ReleasePaths,
  sha256: string,
  runId: string,
  from: { readonly address: string; readonly port: number; readonly size: number },
): Command {
  const fetch = `python3 -c ${quote(FETCH)} ${quote(from.address)} ${from.port} ${from.size}`;
  return receiveCommand(paths, sha256, runId, fetch, `relay from ${from.address}`);
}

/** One line of the server's stdout. */
export type ServeEvent =
  | { readonly kind: 'port'; readonly port: number }
  | { readonly kind: 'send' | 'sent' | 'error'; readonly peer: string; readonly detail: string };

export function parseServeLine(line: string): ServeEvent | undefined {
  const [kind, a, b, ...rest] = line.trim().split(' ');
  if (kind === 'port' && a && /^\d+$/.test(a)) return { kind, port: Number(a) };
  if ((kind === 'send' || kind === 'sent' || kind === 'error') && a && b)
    return { kind, peer: `${a}:${b}`, detail: rest.join(' ') };
  return undefined;
}
