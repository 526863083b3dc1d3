export type { Attrs, Host, Inventory } from './types.js';
export { deepMerge, mergeLayers } from './merge.js';
export { parseSetFlags } from './set-flags.js';
export { selectHosts, type SelectionInput } from './select.js';
