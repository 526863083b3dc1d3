// The shell layer as the public entry (src/index.ts) offers it to task files.
export { quote } from './quote.js';
export { secret, type Secret } from './secret.js';
export { cmd, sh, and, render, type Command, type Word } from './command.js';
