import type { z } from 'zod';
import { ProjectError } from '../errors/project-error.js';
import { positionOf, type LocatedYaml } from './yaml-position.js';

/** Turn the first zod issue into a ProjectError at the offending key's file:line:column. */
export function issueToError(y: LocatedYaml, error: z.ZodError): ProjectError {
  const issue = error.issues[0];
  if (!issue) return new ProjectError({ file: y.file }, 'invalid file');
  const path = issue.path as PropertyKey[];
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0] ?? '';
    const where = path.length ? ` in ${path.join('.')}` : '';
    return new ProjectError(positionOf(y, path, key), `unknown key "${key}"${where}`);
  }
  const name = path.length ? path.map(String).join('.') : '(top level)';
  return new ProjectError(positionOf(y, path), `${name}: ${issue.message}`);
}
