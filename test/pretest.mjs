// `npm test` on a fresh machine: install the system packages the tests use (as root, when missing), then build.
import { build, ensureSystemPackages } from './system-packages.mjs';

ensureSystemPackages('pretest');
build('pretest');
