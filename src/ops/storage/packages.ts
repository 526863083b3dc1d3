import { cmd } from '../../shell/command.js';
import { step, type Step } from '../step.js';

/** Install packages with the host's package manager; undefined when it has none ferry knows. */
export function installPackagesStep(packages: readonly string[], tools: readonly string[]): Step | undefined {
  if (packages.length === 0) return undefined;
  const title = `install ${packages.join(', ')}`;
  if (tools.includes('apt-get')) {
    return step('packages', title, {
      ...cmd('apt-get', 'install', '-y', '-q', '--no-install-recommends', ...packages),
      env: { DEBIAN_FRONTEND: 'noninteractive' },
    });
  }
  if (tools.includes('dnf')) return step('packages', title, cmd('dnf', 'install', '-y', '-q', ...packages));
  if (tools.includes('yum')) return step('packages', title, cmd('yum', 'install', '-y', '-q', ...packages));
  return undefined;
}
