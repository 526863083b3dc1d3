import { FerryError } from './ferry-error.js';

export interface SourcePosition {
  readonly file: string;
  readonly line?: number;
  readonly column?: number;
}

export function formatPosition(pos: SourcePosition): string {
  return pos.line === undefined ? pos.file : `${pos.file}:${pos.line}:${pos.column ?? 1}`;
}

/** An error in a project file (inventory.yaml, tasks/*.ts, bundles/*): exit 2, names file:line:column. */
export class ProjectError extends FerryError {
  readonly kind = 'project' as const;
  readonly position: SourcePosition;

  constructor(position: SourcePosition, message: string, options?: { cause?: unknown }) {
    super(`${formatPosition(position)}: ${message}`, undefined, options);
    this.position = position;
  }
}
