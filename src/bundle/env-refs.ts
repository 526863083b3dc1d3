/** `attr('workers')` in an env file: the host's attribute (inventory precedence, `--set` on top). */
export function attr(name: string): { readonly attr: string } {
  return { attr: name };
}

/**
 * `secretRef('SHOP_DATABASE_URL')` in an env file: the value of that secret on the control machine
 * (its environment, else the secrets file). Never in the artifact, a log, a report or an argv.
 */
export function secretRef(name: string): { readonly secret: string } {
  return { secret: name };
}
