import { cmd, type Command } from '../../shell/command.js';

/**
 * `haproxy -c -f <cfg>…`: validate a candidate configuration (exit 0 valid, nonzero invalid).
 * No `-q`: it would also silence the ALERT lines that say what is wrong.
 */
export function haproxyCheckCommand(config: string | readonly string[], binary = 'haproxy'): Command {
  const files = typeof config === 'string' ? [config] : config;
  if (files.length === 0) throw new Error('haproxy check: at least one config file is required');
  return cmd(binary, '-c', ...files.flatMap((f) => ['-f', f]));
}
