/**
 * A tiny local apt repository for the VM: real .deb files built with `dpkg-deb` (from the dpkg
 * package, always on Debian), a flat `Packages` + `Release` index written here (no dpkg-dev),
 * served over HTTP on a loopback port of the control machine. The VM reaches it through qemu's
 * user network at 10.0.2.2 (the host's loopback): no outside network involved.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';

export interface DebSpec {
  readonly name: string;
  readonly version: string;
  readonly description: string;
  /** path in the package → content (a leading `#!` makes it executable) */
  readonly files: Readonly<Record<string, string>>;
}

/** Build `name_version_all.deb` into `dir`; returns its control stanza (as dpkg-deb --field prints it). */
export function buildDeb(dir: string, spec: DebSpec): string {
  const root = join(dir, `.build-${spec.name}-${spec.version}`);
  rmSync(root, { recursive: true, force: true });
  mkdirSync(join(root, 'DEBIAN'), { recursive: true });
  const control = [
    `Package: ${spec.name}`,
    `Version: ${spec.version}`,
    'Architecture: all',
    'Maintainer: ferry tests <ferry@example.invalid>',
    'Priority: optional',
    'Section: misc',
    `Description: ${spec.description}`,
    '',
  ].join('\n');
  writeFileSync(join(root, 'DEBIAN', 'control'), control);
  for (const [path, content] of Object.entries(spec.files)) {
    const file = join(root, path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, content);
    chmodSync(file, content.startsWith('#!') ? 0o755 : 0o644);
  }
  const deb = join(dir, `${spec.name}_${spec.version}_all.deb`);
  execFileSync('dpkg-deb', ['--root-owner-group', '-Zgzip', '--build', root, deb], { stdio: 'pipe' });
  rmSync(root, { recursive: true, force: true });
  return control.trimEnd();
}

const sha256 = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

/** (Re)write the flat index for every .deb in `dir`: `Packages` and a `Release` naming its hash. */
export function writeIndex(dir: string): void {
  const stanzas = readdirSync(dir)
    .filter((f) => f.endsWith('.deb'))
    .sort()
    .map((f) => {
      const path = join(dir, f);
      const control = execFileSync('dpkg-deb', ['--field', path], { encoding: 'utf8' }).trimEnd();
      const bytes = readFileSync(path);
      return `${control}\nFilename: ./${f}\nSize: ${statSync(path).size}\nSHA256: ${sha256(bytes)}\n`;
    });
  const packages = stanzas.join('\n');
  writeFileSync(join(dir, 'Packages'), packages);
  const release = [
    'Origin: ferry-test',
    'Label: ferry-test',
    `Date: ${new Date().toUTCString()}`,
    'SHA256:',
    ` ${sha256(packages)} ${Buffer.byteLength(packages)} Packages`,
    '',
  ].join('\n');
  writeFileSync(join(dir, 'Release'), release);
}

export interface AptRepo {
  readonly dir: string;
  readonly port: number;
  /** the sources.list line for the VM (trusted: the index is unsigned) */
  readonly sourceLine: string;
  /** request paths served so far (proof that apt fetched from here) */
  readonly requests: string[];
  close(): Promise<void>;
}

/** Serve `dir` read-only over HTTP on 127.0.0.1 (an ephemeral port). */
export async function serveRepo(dir: string): Promise<AptRepo> {
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    const name = decodeURIComponent((req.url ?? '/').split('?')[0] ?? '/').replace(/^\/(\.\/)?/, '');
    requests.push(`${req.method} /${name}`);
    if (name.includes('/') || name.startsWith('.') || name === '') {
      res.writeHead(404).end();
      return;
    }
    let body: Buffer;
    try {
      body = readFileSync(join(dir, name));
    } catch {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-length': body.length, 'content-type': 'application/octet-stream' });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    dir,
    port,
    // 10.0.2.2 is qemu user networking's alias for the host's loopback
    sourceLine: `deb [trusted=yes] http://10.0.2.2:${port}/ ./`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
