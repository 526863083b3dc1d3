// `prep.*` from 'ferry': idempotent host-prep operations, planned from facts by ctx.apply.
// Each factory is wrapped so its op remembers the task line that built it (refusals name it).
import { cron as cronOp } from './cron.js';
import { directory as directoryOp } from './directory.js';
import { file as fileOp } from './file.js';
import { group as groupOp } from './group.js';
import { limits as limitsOp } from './limits.js';
import { line as lineOp } from './line.js';
import { packages as packagesOp } from './packages.js';
import { service as serviceOp } from './service.js';
import { sited } from './site.js';
import { symlink as symlinkOp } from './symlink.js';
import { sysctl as sysctlOp } from './sysctl.js';
import { template as templateOp } from './template.js';
import { user as userOp } from './user.js';

/** A file with exactly this content, mode and owner; written atomically. */
export const file = sited(fileOp);
/** A file rendered from a liquid template on the control machine (host, attrs, hosts, vars). */
export const template = sited(templateOp);
export const directory = sited(directoryOp);
export const symlink = sited(symlinkOp);
/** One managed line in a file: the first match replaced, later ones dropped, appended only when none. */
export const line = sited(lineOp);
/** /etc/cron.d/<name>: one managed line. */
export const cron = sited(cronOp);
export const limits = sited(limitsOp);
/** /etc/sysctl.d/<name>.conf (persisted) and `sysctl -w` for each key whose running value differs. */
export const sysctl = sited(sysctlOp);
/** Debian/Ubuntu packages: present, latest or absent. */
export const packages = sited(packagesOp);
export const user = sited(userOp);
export const group = sited(groupOp);
/** A systemd unit enabled/disabled and running/stopped, only as needed. */
export const service = sited(serviceOp);

export type { FileOptions } from './file.js';
export type { TemplateOptions } from './template.js';
export type { DirectoryOptions } from './directory.js';
export type { SymlinkOptions } from './symlink.js';
export type { LineOptions } from './line.js';
export type { CronOptions } from './cron.js';
export type { LimitsOptions, LimitEntry } from './limits.js';
export type { SysctlOptions } from './sysctl.js';
export type { PackagesOptions } from './packages.js';
export type { UserOptions } from './user.js';
export type { GroupOptions } from './group.js';
export type { ServiceOptions } from './service.js';
export { handler, sysctlReload, restart, reload } from './handlers.js';
export type { PrepOp, Handler, OpPlan } from './op.js';
