// Public API for host-prep tasks: `import { … } from 'ferry/storage'`.
export * from './facts/storage/index.js';
export * from './ops/storage/index.js';
export { FailedError, PlanRefusedError, UsageError } from './errors/index.js';
