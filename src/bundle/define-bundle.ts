import type { BundleDefinitionInput } from './definition.js';

export { attr, secretRef } from './env-refs.js';

/** Typed identity for `bundles/<name>/bundle.ts`: `export default defineBundle({ … })`. */
export function defineBundle(def: BundleDefinitionInput): BundleDefinitionInput {
  return def;
}
