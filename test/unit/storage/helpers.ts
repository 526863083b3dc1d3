import { readFileSync } from 'node:fs';
import { parseStorageFacts, type StorageFacts } from '../../../src/facts/storage/index.js';
import { stripeProbeInput, type EbsStripeParams, type StoragePlan } from '../../../src/ops/storage/index.js';
import { render } from '../../../src/shell/command.js';

export const fx = (name: string): string =>
  readFileSync(new URL(`../../fixtures/storage/${name}`, import.meta.url), 'utf8');

export const STRIPE = ['/dev/vdb', '/dev/vdc', '/dev/vdd', '/dev/vde'];

export const PARAMS: EbsStripeParams = {
  devices: STRIPE,
  size: '800M',
  mount: '/mnt/lvm0',
  chunk: 256,
  readahead: 65536,
  vg: 'vgm0',
  lv: 'lvm0',
  md: '/dev/md0',
  mountOptions: 'noatime,nofail',
  force: false,
};

export const IDS = {
  arrayUuid: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
  fsUuid: '99999999-8888-7777-6666-555555555555',
};

/** The probe output captured in the VM (devices vdb..vde, then vdf) in a given state. */
export function probeText(state: string): string {
  return fx(`probe-${state}.txt`);
}

/** Replace one section of a captured probe (to vary a single fact, e.g. fstab). */
export function withSection(text: string, name: string, body: string): string {
  const start = text.indexOf(`@@ferry:${name}@@\n`);
  if (start < 0) throw new Error(`no section ${name}`);
  const from = start + `@@ferry:${name}@@\n`.length;
  const next = text.indexOf('\n@@ferry:', from);
  return `${text.slice(0, from)}${body}${text.slice(next)}`;
}

export function factsOf(text: string, p: EbsStripeParams = PARAMS): StorageFacts {
  return parseStorageFacts(text, stripeProbeInput(p));
}

export function facts(state: string, p: EbsStripeParams = PARAMS): StorageFacts {
  return factsOf(probeText(state), p);
}

export function commands(plan: StoragePlan): Array<[string, string]> {
  return plan.steps.map((s) => [s.id, render(s.command, { masked: false })]);
}

export function stdinOf(plan: StoragePlan, id: string): string {
  const s = plan.steps.find((x) => x.id === id);
  if (!s) throw new Error(`no step ${id}`);
  return String(s.stdin ?? '');
}
