import { run } from './keys.js';

/** Non-root user present on every host, for sudo tests; sudo asks for FERRYTEST_PASSWORD. */
export const FERRYTEST_USER = 'ferrytest';
export const FERRYTEST_PASSWORD = 'ferry-sudo-pw';
export const FERRYTEST_SUDOERS = '/etc/sudoers.d/ferrytest';
/** Non-root user without any sudoers entry (same password): "without the sudo right" tests. */
export const FERRYNOSUDO_USER = 'ferrynosudo';

const addUser = (u: string) =>
  `{ id -u ${u} >/dev/null 2>&1 || useradd --system --create-home --home-dir /home/${u} --shell /bin/bash ${u}; }`;

/**
 * Create the users once on this machine (useradd if missing), (re)set their password and the
 * sudoers drop-in `ferrytest ALL=(ALL) ALL` (ferrynosudo gets none). Serialized with flock:
 * parallel fleets run this too.
 */
export async function ensureTestUser(): Promise<void> {
  const script = [
    addUser(FERRYTEST_USER),
    addUser(FERRYNOSUDO_USER),
    `printf '%s\\n' '${FERRYTEST_USER}:${FERRYTEST_PASSWORD}' '${FERRYNOSUDO_USER}:${FERRYTEST_PASSWORD}' | chpasswd`,
    `printf '%s\\n' '${FERRYTEST_USER} ALL=(ALL) ALL' > ${FERRYTEST_SUDOERS}.tmp`,
    `chmod 0440 ${FERRYTEST_SUDOERS}.tmp`,
    `visudo -cqf ${FERRYTEST_SUDOERS}.tmp`,
    `mv -f ${FERRYTEST_SUDOERS}.tmp ${FERRYTEST_SUDOERS}`,
  ].join(' && ');
  await run('flock', ['/run/lock/ferry-fleet-user.lock', 'sh', '-c', script]);
}
