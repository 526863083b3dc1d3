import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

// biome-ignore-start lint/suspicious/noTemplateCurlyInString: the text of a bundle.ts holding template literals
/**
 * Hooks for the demo's bundle.ts: each appends `<hook> <release> <current> [<error>]` to the host's
 * shared/log/hooks.log; beforeSwitch then fails where shared/tmp/fail-before-switch exists.
 */
const HOOKS = [
  '  hooks: {',
  '    afterStage: (ctx) => note(ctx),',
  '    beforeSwitch: async (ctx) => {',
  '      await note(ctx);',
  '      await ctx.run(`test ! -e ${ctx.release.shared}/tmp/fail-before-switch`);',
  '    },',
  '    afterSwitch: (ctx) => note(ctx),',
  "    onFailure: (ctx, err) => note(ctx, err.message.split('\\n')[0]),",
  '  },',
].join('\n');
const NOTE = [
  'const note = (ctx, more = "") =>',
  '  ctx.run(`echo "${ctx.hook} ${ctx.release.id} $(readlink ${ctx.release.current}) ${more}" >> ' +
    '${ctx.release.shared}/log/hooks.log`);',
].join('\n');
// biome-ignore-end lint/suspicious/noTemplateCurlyInString: -

/** Add the hooks above to a demo project's bundles/demo/bundle.ts (the caller commits and tags). */
export async function addDemoHooks(projectDir: string): Promise<void> {
  const file = join(projectDir, 'bundles/demo/bundle.ts');
  const text = await readFile(file, 'utf8');
  const hooked = text
    .replace('export default defineBundle({', `${NOTE}\n\nexport default defineBundle({`)
    .replace('  keep: 5,', `  keep: 5,\n${HOOKS}`);
  if (!hooked.includes('beforeSwitch: async')) throw new Error(`cannot add hooks to ${file}`);
  await writeFile(file, hooked);
}
