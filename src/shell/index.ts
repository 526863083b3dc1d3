export { quote } from './quote.js';
export { secret, isSecret, maskText, MASK, type Secret } from './secret.js';
export {
  cmd, sh, and, withOptions, render, secretsOf, SUDO_PROMPT, SUDO_OK,
  type Command, type CommandOptions, type Word, type RenderOptions,
} from './command.js';
