import { fileURLToPath } from 'node:url';

/** The checkout root (this file runs as dist/bench/lib/paths.js). */
export const REPO = fileURLToPath(new URL('../../../', import.meta.url));
export const FERRY_BIN = `${REPO}dist/ferry/bin.cjs`;
export const BARE_SSH2_BIN = `${REPO}dist/bench/bare-ssh2.js`;
export const PEERS_DIR = `${REPO}bench/peers`;
export const RESULTS_DIR = `${REPO}bench/results`;
/** runs a command and reports its wall, CPU and peak RSS to the microsecond (see the file) */
export const RUSAGE_PY = `${REPO}bench/lib/rusage.py`;
/** Debian's python3 (has python3-fabric); the one on PATH may be pyenv's */
export const SYSTEM_PYTHON = '/usr/bin/python3';
