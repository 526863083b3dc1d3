import { readFile } from 'node:fs/promises';
import { UsageError } from '../errors/usage-error.js';

/**
 * `--only-failed REPORT`: the hosts a previous `--json` report marks failed or unreachable. A
 * report of another stage (`--stage`), or one with no such host, is a usage error: a rerun that
 * silently touched nothing, or other machines, would be worse than none.
 */
export async function failedHostsOf(file: string, stage: string | undefined): Promise<string[]> {
  let report: { stage?: unknown; hosts?: unknown };
  try {
    report = JSON.parse(await readFile(file, 'utf8')) as typeof report;
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code ?? 'not JSON';
    throw new UsageError(`--only-failed ${file}: cannot read it as a --json report (${why})`);
  }
  if (!Array.isArray(report.hosts))
    throw new UsageError(`--only-failed ${file}: not a ferry --json report (no "hosts" list)`);
  const was = typeof report.stage === 'string' ? report.stage : undefined;
  if (was !== stage)
    throw new UsageError(
      `--only-failed ${file}: the report is of ${was ? `stage ${was}` : 'no --stage'}, this run of ${stage ? `stage ${stage}` : 'no --stage'}`,
    );
  const failed = (report.hosts as Array<{ host?: unknown; status?: unknown }>)
    .filter((h) => h.status === 'failed' || h.status === 'unreachable')
    .map((h) => String(h.host));
  if (!failed.length)
    throw new UsageError(`--only-failed ${file}: no host failed or was unreachable: nothing to rerun`);
  return failed;
}
