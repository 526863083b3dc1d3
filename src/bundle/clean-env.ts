/** The environment for build tools: inherited, minus settings that would make a build depend on who runs it. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(npm_|NPM_CONFIG_|PIP_|PYTHON|VIRTUAL_ENV$|NODE_ENV$|NODE_OPTIONS$|INIT_CWD$)/i.test(k)) continue;
    env[k] = v;
  }
  return { ...env, ...extra };
}
