import { parseSupervisorStatus, supervisorStatus, supervisorTail } from '../ops/supervisor/ctl.js';
import { SUPERVISOR_CONF } from '../ops/supervisor/apply.js';
import type { HostSession } from '../runner/host-session.js';
import { withOptions } from '../shell/command.js';

/** How much of the program's stderr log a failure shows. */
const STDERR_TAIL_BYTES = 1200;

const indent = (text: string) =>
  text
    .trimEnd()
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');

/**
 * What supervisord says about the program after a failed activation: its state and the tail of
 * its stderr log (`supervisorctl status` + `tail … stderr`, through the session's exec). Read
 * before any revert, which would restart the program. As root (directly or through sudo), as the
 * service steps run: supervisord's socket is root's. Never throws for a command that fails: what
 * supervisorctl answered is the diagnosis.
 */
export async function programState(s: HostSession, program: string): Promise<string> {
  const o = { conf: SUPERVISOR_CONF };
  const st = await s.exec(withOptions(supervisorStatus(o, [program]), { asRoot: true }), {
    title: `supervisor state of ${program}`,
    id: 'program-state',
    allowFailure: true,
  });
  const seen = parseSupervisorStatus(`${st.stdout}\n${st.stderr}`, program);
  const state = seen.map((p) => `${p.name} ${p.state}${p.description ? ` (${p.description})` : ''}`).join('; ');
  const log = await s.exec(withOptions(supervisorTail(o, program, 'stderr', STDERR_TAIL_BYTES), { asRoot: true }), {
    title: `tail of ${program}'s stderr log`,
    id: 'program-stderr',
    allowFailure: true,
  });
  const text = log.code === 0 ? log.stdout : `${log.stdout}${log.stderr}`;
  const tailLines = text.trim() ? `\n  ${program} stderr (last ${STDERR_TAIL_BYTES} bytes):\n${indent(text)}` : '';
  return `  supervisor: ${state || 'no answer'}${tailLines || `\n  ${program} stderr: (empty)`}`;
}
