import { cmd } from '../../shell/command.js';
import { quote } from '../../shell/quote.js';
import { step, type Step } from '../step.js';
import type { Refusal } from '../storage/refusal.js';
import { fileSections, parseFileFacts, type FileFacts } from './file-facts.js';
import { planFile } from './file.js';
import type { OpPlan, PrepOp } from './op.js';
import { bad } from './validate.js';

export interface SysctlOptions {
  /** the settings live in /etc/sysctl.d/<name>.conf (e.g. `60-shop`) */
  readonly name: string;
  readonly settings: Readonly<Record<string, string | number>>;
}

export interface SysctlFacts {
  readonly file: FileFacts;
  /** key → the running kernel's value (`sysctl -n`); absent: no such key */
  readonly live: ReadonlyMap<string, string>;
}

const KEY = /^[a-z0-9_]+(?:[./][a-zA-Z0-9_-]+)+$/;
/** `32768\t60999` and `32768 60999` are one value */
const norm = (v: string | number): string => String(v).trim().split(/\s+/).join(' ');

/** `sysctl k1 k2` output → key → value, for the keys asked (its dotted names may spell `/` as `.`). */
export function parseSysctlLines(text: string, keys: readonly string[]): Map<string, string> {
  const live = new Map<string, string>();
  const byName = new Map(keys.map((k) => [k.replace(/\//g, '.'), k]));
  for (const l of text.split('\n')) {
    const at = l.indexOf(' = ');
    const key = at < 0 ? undefined : byName.get(l.slice(0, at).replace(/\//g, '.'));
    if (key !== undefined && !live.has(key)) live.set(key, l.slice(at + 3).trim());
  }
  return live;
}

export function sysctlFile(o: SysctlOptions): string {
  const rows = Object.entries(o.settings).map(([k, v]) => `${k} = ${norm(v)}`);
  return `# managed by ferry: ${o.name}\n${rows.join('\n')}\n`;
}

/** Persisted (the file) and applied (`sysctl -w` for each key whose running value differs). */
export function planSysctl(o: SysctlOptions, f: SysctlFacts): OpPlan {
  const path = `/etc/sysctl.d/${o.name}.conf`;
  const op = `sysctl ${o.name}`;
  const content = new TextEncoder().encode(sysctlFile(o));
  const filePlan = planFile({ path, content, mode: '644', owner: 'root', group: 'root' }, f.file, op);
  const refusals: Refusal[] = [...filePlan.refusals];
  const steps: Step[] = [...filePlan.steps];
  const unchanged = [...filePlan.unchanged];
  for (const [k, v] of Object.entries(o.settings)) {
    const live = f.live.get(k);
    if (live === undefined) refusals.push({ subject: k, reason: 'no such sysctl key on this host', forceable: false });
    else if (norm(live) === norm(v)) unchanged.push(`${k} = ${norm(v)} (running)`);
    else
      steps.push(
        step(
          `${op}: ${k}`,
          `sysctl ${k} = ${norm(v)} (was ${norm(live)})`,
          cmd('sysctl', '-q', '-w', `${k}=${norm(v)}`),
        ),
      );
  }
  return { steps, unchanged, refusals, ...(filePlan.diff ? { diff: filePlan.diff } : {}) };
}

export function sysctl(o: SysctlOptions): PrepOp<SysctlFacts> {
  if (!/^[A-Za-z0-9_-]+$/.test(o.name)) bad('sysctl', `name ${JSON.stringify(o.name)}: letters, digits, '_', '-'`);
  const keys = Object.keys(o.settings ?? {});
  if (keys.length === 0) bad('sysctl', `${o.name}: settings must name at least one key`);
  for (const k of keys) if (!KEY.test(k)) bad('sysctl', `${o.name}: ${JSON.stringify(k)} is not a sysctl key`);
  for (const [k, v] of Object.entries(o.settings))
    if (norm(v) === '' || /[\n#;]/.test(String(v))) bad('sysctl', `${o.name}: value of ${k} must be one plain value`);
  const path = `/etc/sysctl.d/${o.name}.conf`;
  return {
    kind: 'prep-op',
    id: `sysctl ${o.name}`,
    subject: path,
    probes: [
      ...fileSections(path),
      // one `sysctl` for every key (`k = v` lines; an unknown key only complains on stderr)
      { name: 'live', script: `sysctl -- ${keys.map(quote).join(' ')}` },
    ],
    parse: (s) => ({ file: parseFileFacts(s), live: parseSysctlLines(s('live') ?? '', keys) }),
    plan: (f) => planSysctl(o, f),
    onChange: [],
  };
}
