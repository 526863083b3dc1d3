import { cmd } from '../../shell/command.js';
import { quote } from '../../shell/quote.js';
import { step, type Step } from '../step.js';
import { unitName } from './handlers.js';
import type { OpPlan, PrepOp, Sections } from './op.js';
import { bad } from './validate.js';

export interface ServiceOptions {
  readonly name: string;
  /** started at boot */
  readonly enabled?: boolean;
  readonly running?: boolean;
}

export interface ServiceFacts {
  /** /run/systemd/system exists: systemd is PID 1 */
  readonly systemd: boolean;
  /** `systemctl is-enabled`: enabled, disabled, static, masked, …; '' for an unknown unit */
  readonly enabled: string;
  /** `systemctl is-active`: active, inactive, failed, … */
  readonly active: string;
}

/** `systemctl show -p LoadState -p UnitFileState -p ActiveState` (one process, not is-enabled + is-active). */
export function parseServiceFacts(s: Sections): ServiceFacts {
  const props = new Map(
    (s('show') ?? '').split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)] as const),
  );
  const loaded = props.get('LoadState');
  return {
    systemd: (s('systemd') ?? '').trim() === 'yes',
    // is-enabled's words: a unit that is not there is '' (as `is-enabled` of an unknown unit)
    enabled: loaded === undefined || loaded === 'not-found' ? '' : (props.get('UnitFileState') ?? ''),
    active: props.get('ActiveState') ?? '',
  };
}

const enable = (name: string) => cmd('systemctl', 'enable', '--quiet', name);

/**
 * systemd only: without it (a container, this test fleet) the op refuses, naming the service:
 * ferry runs app processes under supervisor from a bundle, and faking `enabled` elsewhere would lie.
 */
export function planService(o: ServiceOptions, f: ServiceFacts): OpPlan {
  const op = `service ${o.name}`;
  if (!f.systemd)
    return {
      steps: [],
      unchanged: [],
      refusals: [
        {
          subject: o.name,
          reason: `no systemd on this host (/run/systemd/system missing): ${op} manages systemd units only`,
          forceable: false,
        },
      ],
    };
  const steps: Step[] = [];
  const unchanged: string[] = [];
  if (f.enabled === '' || f.enabled === 'not-found') {
    // not there yet: a package installed earlier in this apply may ship it (nginx, then its service)
    if (o.enabled === true) steps.push(step(`${op}: enable`, `enable ${o.name}`, enable(o.name)));
    if (o.running === true) steps.push(step(`${op}: start`, `start ${o.name}`, cmd('systemctl', 'start', o.name)));
    if (steps.length === 0) return { steps, unchanged: [`${o.name}: no such unit`], refusals: [] };
    const reason = 'no such systemd unit (and no earlier op in this apply changes anything that could bring it)';
    return { steps, unchanged, refusals: [], unlessEarlierChange: { subject: o.name, reason, forceable: false } };
  }
  const isEnabled = f.enabled === 'enabled' || f.enabled === 'enabled-runtime';
  if (o.enabled === true && !isEnabled) {
    if (f.enabled === 'masked')
      return { steps, unchanged, refusals: [{ subject: o.name, reason: 'unit is masked', forceable: false }] };
    if (f.enabled !== 'static') steps.push(step(`${op}: enable`, `enable ${o.name}`, enable(o.name)));
  } else if (o.enabled === false && isEnabled)
    steps.push(step(`${op}: disable`, `disable ${o.name}`, cmd('systemctl', 'disable', '--quiet', o.name)));
  else if (o.enabled !== undefined) unchanged.push(`${o.name} ${f.enabled}`);
  const isActive = f.active === 'active' || f.active === 'reloading' || f.active === 'activating';
  if (o.running === true && !isActive)
    steps.push(step(`${op}: start`, `start ${o.name} (was ${f.active})`, cmd('systemctl', 'start', o.name)));
  else if (o.running === false && isActive)
    steps.push(step(`${op}: stop`, `stop ${o.name}`, cmd('systemctl', 'stop', o.name)));
  else if (o.running !== undefined) unchanged.push(`${o.name} ${f.active}`);
  return { steps, unchanged, refusals: [] };
}

export function service(o: ServiceOptions): PrepOp<ServiceFacts> {
  const name = unitName('service', o.name);
  if (o.enabled === undefined && o.running === undefined) bad('service', `${name}: say enabled and/or running`);
  return {
    kind: 'prep-op',
    id: `service ${name}`,
    subject: `service:${name}`,
    probes: [
      { name: 'systemd', script: 'test -d /run/systemd/system && echo yes' },
      { name: 'show', script: `systemctl show -p LoadState -p UnitFileState -p ActiveState -- ${quote(name)}` },
    ],
    parse: parseServiceFacts,
    plan: (f) => planService({ ...o, name }, f),
    onChange: [],
  };
}
