import { loadSettings } from '../project/settings.js';
import type { LifecycleNotifier } from './hook.js';
import { createNotifier } from './notifier.js';

/** The project's `notify:` (ferry.yaml) as the lifecycle's hook; none when nothing is configured. */
export async function projectNotifier(projectDir: string, dryRun: boolean): Promise<LifecycleNotifier | undefined> {
  const config = (await loadSettings(projectDir)).notify;
  if (!config) return undefined;
  return createNotifier(config, { dryRun, line: (text) => process.stderr.write(`${text}\n`) });
}
