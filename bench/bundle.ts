// `npm run bench -- bundle`: ferry's bundle packing (walk + per-file sha256 + manifest +
// reproducible tar.gz, as in `ferry bundle build`) against `tar czf` of the same ~20,000-file
// tree (a real node_modules), in the same run. Targets: ≤ 1.5× tar's time, ≤ 150 MB peak RSS.
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Pinned packages whose node_modules is ~20,000 files (~150 MB). */
const PACKAGES: Record<string, string> = {
  '@babel/runtime': '7.24.7',
  '@fortawesome/free-brands-svg-icons': '6.5.2',
  '@fortawesome/free-solid-svg-icons': '6.5.2',
  'caniuse-lite': '1.0.30001636',
  'core-js': '3.37.1',
  'date-fns': '3.6.0',
  lodash: '4.17.21',
  'lodash-es': '4.17.21',
  moment: '2.30.1',
  ramda: '0.30.1',
  rxjs: '7.8.1',
  typescript: '5.4.5',
};

export interface BundleBenchResult {
  readonly files: number;
  readonly bytes: number;
  readonly runs: number;
  /** median wall time, ms, of ferry's packing (child process, startup included) */
  readonly ferryMs: number;
  /** median wall time, ms, of `tar czf` of the same tree */
  readonly tarMs: number;
  readonly ratio: number;
  /** peak RSS of the packing child over all runs, MB */
  readonly peakRssMB: number;
  readonly archiveBytes: { readonly ferry: number; readonly tar: number };
  readonly reproducible: boolean;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

/** `<cache>/stage/app/node_modules`, installed once and reused (keyed by the package list). */
async function ensureTree(log: (s: string) => void): Promise<string> {
  const key = createHash('sha256').update(JSON.stringify(PACKAGES)).digest('hex').slice(0, 12);
  const base = `${tmpdir()}/ferry-bench-bundle-${key}`;
  const app = `${base}/stage/app`;
  if (!existsSync(`${base}/.complete`)) {
    log(`installing the bench tree into ${app} (once)…`);
    await rm(base, { recursive: true, force: true });
    await mkdir(app, { recursive: true });
    await writeFile(
      `${app}/package.json`,
      JSON.stringify({ name: 'ferry-bench-tree', version: '1.0.0', private: true, dependencies: PACKAGES }, null, 2),
    );
    await run('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'], {
      cwd: app,
      maxBuffer: 16 * 1024 * 1024,
    });
    await writeFile(`${base}/.complete`, '');
  }
  return `${base}/stage`;
}

function childArgv(): string[] {
  const js = fileURLToPath(new URL('./bundle-child.js', import.meta.url));
  if (existsSync(js)) return [js];
  return ['--import', 'jiti/register', fileURLToPath(new URL('./bundle-child.ts', import.meta.url))];
}

function timed(cmd: string, args: string[], cwd?: string): Promise<{ ms: number; stdout: string }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve({ ms: performance.now() - t0, stdout }) : reject(new Error(`${cmd} exited ${code}`)),
    );
  });
}

export async function benchBundle(
  options: { runs?: number; log?: (line: string) => void } = {},
): Promise<BundleBenchResult> {
  const runs = options.runs ?? 3;
  const log = options.log ?? ((s: string) => process.stdout.write(`${s}\n`));
  const root = await ensureTree(log);
  const { stdout: count } = await run('sh', ['-c', 'find app -type f | wc -l; du -sb app | cut -f1'], { cwd: root });
  const [files = 0, bytes = 0] = count.trim().split('\n').map(Number);
  const out = `${tmpdir()}/ferry-bench-bundle-out`;
  await mkdir(out, { recursive: true });
  const node = childArgv();
  const ferry: number[] = [];
  const tar: number[] = [];
  const rss: number[] = [];
  const shas = new Set<string>();
  // warm the page cache once, so neither side pays for the first read of the tree
  await timed('tar', ['cf', '/dev/null', '-C', root, 'app']);
  for (let i = 0; i < runs; i++) {
    const f = await timed(process.execPath, [...node, root, `${out}/ferry.tar.gz`]);
    const child = JSON.parse(f.stdout) as { maxRssKB: number; sha256: string };
    ferry.push(f.ms);
    rss.push(child.maxRssKB / 1024);
    shas.add(child.sha256);
    tar.push((await timed('tar', ['czf', `${out}/tar.tar.gz`, '-C', root, 'app'])).ms);
    log(
      `  run ${i + 1}: ferry ${f.ms.toFixed(0)} ms (peak RSS ${(child.maxRssKB / 1024).toFixed(0)} MB), ` +
        `tar czf ${tar[i]!.toFixed(0)} ms`,
    );
  }
  const result: BundleBenchResult = {
    files,
    bytes,
    runs,
    ferryMs: median(ferry),
    tarMs: median(tar),
    ratio: median(ferry) / median(tar),
    peakRssMB: Math.max(...rss),
    archiveBytes: { ferry: (await stat(`${out}/ferry.tar.gz`)).size, tar: (await stat(`${out}/tar.tar.gz`)).size },
    reproducible: shas.size === 1,
  };
  log(
    `bundle: ${files} files, ${(bytes / 1e6).toFixed(0)} MB — ` +
      `ferry ${result.ferryMs.toFixed(0)} ms vs tar czf ${result.tarMs.toFixed(0)} ms ` +
      `(median of ${runs}): ${result.ratio.toFixed(2)}× [target ≤ 1.5×]; ` +
      `peak RSS ${result.peakRssMB.toFixed(0)} MB [target ≤ 150 MB]; ` +
      `archive ${(result.archiveBytes.ferry / 1e6).toFixed(1)} MB ` +
      `vs ${(result.archiveBytes.tar / 1e6).toFixed(1)} MB; ` +
      `reproducible across runs: ${result.reproducible}`,
  );
  await rm(out, { recursive: true, force: true });
  return result;
}
