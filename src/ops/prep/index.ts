// `prep.*` from 'ferry': idempotent host-prep operations, planned from facts by ctx.apply.
export { file, type FileOptions } from './file.js';
export { template, type TemplateOptions } from './template.js';
export { directory, type DirectoryOptions } from './directory.js';
export { symlink, type SymlinkOptions } from './symlink.js';
export { line, type LineOptions } from './line.js';
export { cron, type CronOptions } from './cron.js';
export { limits, type LimitsOptions, type LimitEntry } from './limits.js';
export { sysctl, type SysctlOptions } from './sysctl.js';
export { packages, type PackagesOptions } from './packages.js';
export { user, type UserOptions } from './user.js';
export { group, type GroupOptions } from './group.js';
export { service, type ServiceOptions } from './service.js';
export { handler, sysctlReload, restart, reload } from './handlers.js';
export type { PrepOp, Handler, OpPlan } from './op.js';
