// Reads the env file ferry writes (README "Env files and secrets"): `KEY=value` lines, each value a
// POSIX shell word — bare, or in single quotes (which may span lines) with `'\''` for a quote.
// Every value comes back byte for byte. Blank lines and `#` comments are skipped.
import { existsSync, readFileSync } from 'node:fs';

export function parseEnvFile(text) {
  const vars = {};
  let i = 0;
  while (i < text.length) {
    if (text[i] === '\n') i += 1;
    else if (text[i] === '#') i = text.includes('\n', i) ? text.indexOf('\n', i) + 1 : text.length;
    else {
      const eq = text.indexOf('=', i);
      const key = eq < 0 ? '' : text.slice(i, eq);
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) throw new Error(`env file: no KEY= at offset ${i}`);
      let value = '';
      for (i = eq + 1; i < text.length && text[i] !== '\n'; ) {
        if (text[i] === "'") {
          const end = text.indexOf("'", i + 1);
          if (end < 0) throw new Error(`env file: ${key}: unterminated quote`);
          value += text.slice(i + 1, end);
          i = end + 1;
        } else if (text[i] === '\\') {
          value += text[i + 1] ?? '';
          i += 2;
        } else {
          value += text[i];
          i += 1;
        }
      }
      vars[key] = value;
    }
  }
  return vars;
}

/** The vars of `file`, or {} when there is none. */
export function loadEnvFile(file) {
  return existsSync(file) ? parseEnvFile(readFileSync(file, 'utf8')) : {};
}
