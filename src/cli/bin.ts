#!/usr/bin/env node
// The `ferry` command: set V8's tiering, turn on the compile cache, then load the CLI (dist/ferry/main.cjs).
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { enableCompileCache } from './compile-cache.js';
import { tierUpLater } from './jit-tiering.js';

const here = dirname(fileURLToPath(import.meta.url));
tierUpLater();
enableCompileCache(join(here, '..', '..'));
createRequire(import.meta.url)(join(here, 'main.cjs'));
