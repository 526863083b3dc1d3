import { quote } from '../../shell/quote.js';
import { and, render, sh, type Command } from '../../shell/command.js';

/**
 * Batched probes: many read-only tools in one round trip, each section's output preceded by a
 * marker line. Every marker is printed after a newline of its own, so a tool (or file) whose
 * output lacks a trailing newline cannot glue onto the next marker; the splitter removes
 * exactly that one newline again, so file contents come back byte for byte.
 */
function sectionMarker(name: string): string {
  return `@@ferry:${name}@@`;
}

/**
 * One section: prints its marker, then the script's stdout. The script's failure (a tool
 * missing, a device without signature) is tolerated: the section is just empty.
 */
export function section(name: string, script: string): Command {
  return sh(`echo && echo ${quote(sectionMarker(name))} && ( ${script} ) 2>/dev/null || true`);
}

const PRESENT = '@@present@@';
const END = 'end';

/** A section holding a file's content, distinguishing an absent file from an empty one. */
export function fileSection(name: string, path: string): Command {
  return section(name, `test -f ${quote(path)} && echo ${quote(PRESENT)} && cat ${quote(path)}`);
}

/**
 * The whole probe: the sections chained with `&&`, closed by an end marker; C locale, and the
 * sbin directories on PATH (a non-root login often lacks them; blkid, mdadm and lvm live there).
 */
export function probe(...sections: Command[]): Command {
  const body = render(and(...sections, sh(`echo && echo ${quote(sectionMarker(END))}`)), { masked: false });
  return sh(`export LC_ALL=C PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin" && ${body}`);
}

/** Split a batched probe's stdout into its sections (name → text). */
export function splitSections(stdout: string): Map<string, string> {
  const out = new Map<string, string>();
  const re = /^@@ferry:(.+)@@$/gm;
  const marks: Array<{ name: string; start: number; end: number }> = [];
  for (let m = re.exec(stdout); m !== null; m = re.exec(stdout)) {
    marks.push({ name: m[1] ?? '', start: m.index, end: m.index + m[0].length + 1 });
  }
  marks.forEach((mark, i) => {
    const next = marks[i + 1];
    let text = stdout.slice(mark.end, next ? next.start : stdout.length);
    if (next && text.endsWith('\n')) text = text.slice(0, -1); // the newline echoed before the next marker
    if (mark.name !== END) out.set(mark.name, text);
  });
  return out;
}

/** The file content of a fileSection; undefined when the file was absent. */
export function fileContent(sectionText: string | undefined): string | undefined {
  if (sectionText === undefined) return undefined;
  if (sectionText === PRESENT) return '';
  if (!sectionText.startsWith(`${PRESENT}\n`)) return undefined;
  return sectionText.slice(PRESENT.length + 1);
}
