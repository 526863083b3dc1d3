// What a bundle file may import as '../../src/bundle/index.js' (defineBundle and its types, see
// load-definition.ts), and the build/cache/render entry points the CLI uses.
export { defineBundle, attr, secretRef } from './define-bundle.js';
export { envFilePath, stagedEnvFile, type RenderedEnvFile } from './env-file.js';
export type { AttrRef } from './env-refs.js';
export type {
  BundleDefinitionInput,
  BundleDefinition,
  BundleSource,
  EnvInput,
  ConfigInput,
  ConfigValidator,
  EnvFileInput,
  EnvValue,
  SharedFileInput,
} from './definition.js';
export { parseBundle } from './schema.js';
export { loadDefinition } from './load-definition.js';
export { buildBundle } from './build.js';
export { listBundles, loadBundle, removeCached, type BuiltBundle } from './cache.js';
export type { Manifest } from './manifest.js';
export { renderConfigs, renderContext, renderTemplate } from './render.js';
export { checkRuntime, needsRuntime } from './runtime-check.js';
