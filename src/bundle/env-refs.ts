export interface AttrRef {
  readonly attr: string;
  /** a host without the attribute: the var is left out (an owner: the SSH user keeps the file) */
  readonly optional?: boolean;
}

/** `attr('workers')` in an env file: the host's attribute (inventory precedence, `--set` on top). */
export function attr(name: string, options: { optional?: boolean } = {}): AttrRef {
  return options.optional ? { attr: name, optional: true } : { attr: name };
}

/**
 * `secretRef('SHOP_DATABASE_URL')` in an env file: the value of that secret on the control machine
 * (its environment, else the secrets file). Never in the artifact, a log, a report or an argv.
 */
export function secretRef(name: string): { readonly secret: string } {
  return { secret: name };
}
