import { quote } from '../../shell/quote.js';
import { sh, type Command } from '../../shell/command.js';

/** Marker line printed before each section of a batched probe. */
export function sectionMarker(name: string): string {
  return `@@ferry:${name}@@`;
}

/**
 * One section of a batched probe: prints its marker, then the script's stdout. The script's
 * failure (a tool missing, a device without signature) is tolerated: the section is just empty.
 */
export function section(name: string, script: string): Command {
  return sh(`echo ${quote(sectionMarker(name))} && ( ${script} ) 2>/dev/null || true`);
}

/** Split a batched probe's stdout into its sections (name → text). */
export function splitSections(stdout: string): Map<string, string> {
  const out = new Map<string, string>();
  let current: string | undefined;
  let lines: string[] = [];
  const flush = (): void => {
    if (current !== undefined) out.set(current, lines.join('\n'));
  };
  for (const line of stdout.split('\n')) {
    const m = /^@@ferry:(.*)@@$/.exec(line);
    if (m && m[1] !== undefined) {
      flush();
      current = m[1];
      lines = [];
    } else if (current !== undefined) {
      lines.push(line);
    }
  }
  flush();
  return out;
}
