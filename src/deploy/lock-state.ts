// Kept only for src/cli/bundle-context.ts (not this change's file): the lock lives in ops/release/lock.ts.
export { DEFAULT_LOCK_TTL_MS, lockOwner } from '../ops/release/lock.js';
