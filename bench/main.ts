// `npm run bench [-- section…]`: ferry side by side with its peers on the same local fleet.
// Sections: fanout, stream, scale, relay, latency, startup, push, bundle, rolling, prep (none given: all). Writes bench/results/latest.{json,md}.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { releaseAll } from './lib/guard.js';
import { markdownTable, textTable } from './lib/format.js';
import { machine } from './lib/machine.js';
import { RESULTS_DIR } from './lib/paths.js';
import type { Row, SectionResult } from './lib/report.js';
import type { SectionContext } from './sections/context.js';
import { SECTIONS } from './sections/index.js';

/** runs per figure; FERRY_BENCH_RUNS=1 for a quick look */
const RUNS = Number(process.env.FERRY_BENCH_RUNS ?? 3);

class SectionTimeout extends Error {}

async function runSection(
  name: string,
  run: (ctx: SectionContext) => Promise<unknown>,
  timeoutMs: number,
): Promise<SectionResult> {
  const notes: string[] = [];
  const sink: Row[] = [];
  const ctx: SectionContext = {
    runs: RUNS,
    rows: sink,
    log: (l) => process.stdout.write(`[${name}] ${l}\n`),
    note: (l) => {
      notes.push(l);
      process.stdout.write(`[${name}] note: ${l}\n`);
    },
  };
  const t0 = performance.now();
  const taken = { date: new Date().toISOString(), load1: Number((loadavg()[0] ?? 0).toFixed(2)) };
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new SectionTimeout(`no result after ${timeoutMs / 1000} s`)), timeoutMs);
  });
  const seconds = () => (performance.now() - t0) / 1000;
  try {
    await Promise.race([run(ctx), timeout]);
    return { section: name, status: 'ok', seconds: seconds(), rows: [...sink], notes, taken };
  } catch (e) {
    const status = e instanceof SectionTimeout ? 'timeout' : 'error';
    process.stdout.write(`[${name}] ${status.toUpperCase()}: ${(e as Error).message}\n`);
    return {
      section: name,
      status,
      seconds: seconds(),
      rows: [...sink],
      notes,
      taken,
      error: (e as Error).message.split('\n').slice(0, 4).join(' / '),
    };
  } finally {
    clearTimeout(timer);
    await releaseAll();
  }
}

/** Results of sections not run this time are kept from the previous latest.json. */
async function previous(): Promise<SectionResult[]> {
  try {
    const j = JSON.parse(await readFile(`${RESULTS_DIR}/latest.json`, 'utf8')) as { sections?: SectionResult[] };
    return j.sections ?? [];
  } catch {
    return [];
  }
}

async function main(): Promise<number> {
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((w) => !SECTIONS.some((s) => s.name === w));
  if (unknown.length) {
    process.stderr.write(
      `unknown section(s): ${unknown.join(', ')}; known: ${SECTIONS.map((s) => s.name).join(', ')}\n`,
    );
    return 2;
  }
  const chosen = wanted.length ? SECTIONS.filter((s) => wanted.includes(s.name)) : SECTIONS;
  const info = machine();
  const done: SectionResult[] = [];
  for (const s of chosen) {
    process.stdout.write(`\n== ${s.name}: ${s.title}\n`);
    done.push(await runSection(s.name, s.run, s.timeoutMs));
  }
  const kept = (await previous()).filter((p) => !done.some((d) => d.section === p.section));
  const all = SECTIONS.map(
    (s) => done.find((d) => d.section === s.name) ?? kept.find((k) => k.section === s.name),
  ).filter((x): x is SectionResult => x !== undefined);
  process.stdout.write(`\n${textTable(done)}\n`);
  await mkdir(RESULTS_DIR, { recursive: true });
  await writeFile(`${RESULTS_DIR}/latest.json`, `${JSON.stringify({ machine: info, sections: all }, null, 2)}\n`);
  await writeFile(`${RESULTS_DIR}/latest.md`, markdownTable(all, info));
  process.stdout.write(`\nwritten: ${RESULTS_DIR}/latest.json, ${RESULTS_DIR}/latest.md\n`);
  return done.every((d) => d.status === 'ok') ? 0 : 1;
}

process.exit(await main());
