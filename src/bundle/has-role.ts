import type { Host } from '../inventory/types.js';

/** Does a host with these roles get something meant for `roles`? */
export function hasRole(host: Pick<Host, 'roles'>, roles: readonly string[]): boolean {
  return host.roles.some((r) => roles.includes(r));
}
