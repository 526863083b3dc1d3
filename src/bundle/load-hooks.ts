import { ProjectError } from '../errors/index.js';
import type { BuiltBundle } from './cache.js';
import type { BundleHooks } from './definition.js';
import { definitionFile, loadDefinition } from './load-definition.js';

/**
 * The hook functions of a built bundle: from the definition file of the bundle's own cached tree
 * (the tagged revision's bundle.ts, or the copy of the project's bundle folder it was built from),
 * never the working tree's. Only when its manifest says it has hooks: otherwise no load at all.
 */
export async function loadHooks(bundle: BuiltBundle): Promise<BundleHooks> {
  const names = bundle.manifest.definition.hooks ?? [];
  if (names.length === 0) return {};
  const name = bundle.manifest.name;
  const file = definitionFile(bundle.templatesDir);
  if (file === undefined)
    throw new ProjectError({ file: `bundles/${name}` }, `hooks: the build ${bundle.id} has no definition file`);
  const display = `bundles/${name}/${file.slice(bundle.templatesDir.length + 1)} (${bundle.id})`;
  const { hooks } = await loadDefinition(file, display, name);
  const missing = names.filter((n) => hooks[n] === undefined);
  if (missing.length)
    throw new ProjectError({ file: display }, `hooks: ${missing.join(', ')} recorded in the build but not defined`);
  return hooks;
}
