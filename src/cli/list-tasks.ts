import type { LoadedTask } from '../project/load-tasks.js';
import { paramSpecs } from './param-options.js';

/** `ferry --list`: tasks with descriptions and typed params. */
export function formatTaskList(tasks: readonly LoadedTask[]): string {
  if (tasks.length === 0) return 'no tasks (add tasks/*.ts)\n';
  const lines: string[] = [];
  for (const t of tasks) {
    lines.push(`${t.definition.name}  — ${t.definition.description}  (${t.file})`);
    for (const p of paramSpecs(t.definition.params)) {
      const type = p.kind === 'enum' ? (p.choices ?? []).join('|') : p.kind;
      const dflt = p.defaultValue !== undefined ? ` = ${JSON.stringify(p.defaultValue)}` : '';
      lines.push(
        `    --${p.flag} <${type}>${p.required ? ' (required)' : dflt}${p.description ? `  ${p.description}` : ''}`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}
