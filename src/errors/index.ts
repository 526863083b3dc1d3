export { FerryError, type ErrorKind } from './ferry-error.js';
export { UsageError } from './usage-error.js';
export { ProjectError, formatPosition, type SourcePosition } from './project-error.js';
export { ConnectionError } from './connection-error.js';
export { HostKeyError } from './host-key-error.js';
export { RemoteCommandError, tail, TAIL_BYTES, type RemoteFailure } from './remote-error.js';
export { LockHeldError } from './lock-error.js';
export { FailedError } from './failed-error.js';
export { PlanRefusedError } from './plan-refused-error.js';
