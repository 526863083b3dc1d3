import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { prep } from '../../../src/index.js';
import { planPrep, refusalLines, toOps } from '../../../src/ops/prep/plan.js';
import { positionIn } from '../../../src/ops/prep/site.js';
import { atTaskLine } from '../../../src/runner/task-site.js';
import { ProjectError } from '../../../src/errors/project-error.js';

const task = { path: fileURLToPath(import.meta.url), shown: 'tasks/this.ts' };
/** the line after the caller's (frame 0 is this function, frame 1 its caller) */
const nextLine = () => Number([...(new Error().stack ?? '').matchAll(/site\.test\.ts:(\d+):/g)][1]?.[1]) + 1;

const thrown = (f: () => unknown): unknown => {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('did not throw');
};

describe('prep errors name the task line', () => {
  it('an op remembers the line that built it; a refusal names it', () => {
    const line = nextLine();
    const op = prep.directory({ path: '/srv/x' });
    expect(positionIn(op.site?.stack, task)).toMatchObject({ file: 'tasks/this.ts', line });
    const plan = planPrep(toOps([op]), '\n@@ferry:paths.stat@@\nregular file|644|root|root|3|/srv/x\n');
    expect(refusalLines(plan, task)).toEqual([
      expect.stringMatching(
        new RegExp(`^tasks/this\\.ts:${line}:\\d+: directory /srv/x: /srv/x: is a regular file, not a directory`),
      ),
    ]);
    expect(refusalLines(plan)[0]).toMatch(/^directory \/srv\/x: /);
    // with the source, the column is where the op is written
    const text = readFileSync(task.path, 'utf8');
    const col = (text.split('\n')[line - 1] ?? '').indexOf('prep.') + 1;
    expect(positionIn(op.site?.stack, task, text)).toEqual({ file: 'tasks/this.ts', line, column: col });
  });

  it('a bad argument becomes a ProjectError at file:line, naming op and key; other errors pass through', () => {
    const line = nextLine();
    const err = thrown(() => prep.file({ path: '/etc/x', content: 'x', mode: '999' }));
    const mapped = atTaskLine(err, task);
    expect(mapped).toBeInstanceOf(ProjectError);
    expect((mapped as Error).message).toMatch(
      new RegExp(`^tasks/this\\.ts:${line}:\\d+: prep\\.file: mode "999" is not octal`),
    );
    const other = new Error('boom');
    expect(atTaskLine(other, task)).toBe(other);
    expect(atTaskLine(err, { path: '/elsewhere.ts', shown: 'x' })).toBe(err);
  });
});
