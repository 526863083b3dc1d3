import type { Command } from 'commander';
import { UsageError } from '../errors/usage-error.js';

export interface RevisionFlags {
  readonly tag?: string;
  readonly ref?: string;
  readonly rebuild?: boolean;
}

/** `--tag T` or `--ref BRANCH|COMMIT`, and `--rebuild`: what deploy, bundle build and render build. */
export function addRevisionOptions(cmd: Command): Command {
  return cmd
    .option('-t, --tag <tag>', 'git revision tag')
    .option('--ref <ref>', 'a branch or commit instead of a tag (the bundle id names its commit)')
    .option('--rebuild', 'build again even when this build is cached');
}

/** The build options the revision flags ask for; exactly one of --tag and --ref. */
export function revision(o: RevisionFlags): { tag: string; ref: boolean; rebuild: boolean } {
  if ((o.tag === undefined) === (o.ref === undefined))
    throw new UsageError(o.tag === undefined ? 'pass --tag TAG or --ref BRANCH|COMMIT' : '--tag and --ref: pass one');
  return { tag: (o.tag ?? o.ref) as string, ref: o.ref !== undefined, rebuild: o.rebuild === true };
}
