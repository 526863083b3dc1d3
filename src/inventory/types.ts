/** Merged attributes: plain JSON-like data. */
export type Attrs = { [key: string]: unknown };

/** A host as ferry sees it after loading and merging the inventory. */
export interface Host {
  /** inventory name, e.g. `web1` */
  readonly name: string;
  /** what to connect to (may be an ~/.ssh/config alias when no address is given) */
  readonly address: string;
  readonly user?: string | undefined;
  readonly port?: number | undefined;
  /** ProxyJump: an inventory host name or [user@]host[:port] */
  readonly jump?: string | undefined;
  readonly roles: readonly string[];
  /** `primary: true`: run-once steps of its roles run here (else on the role's first host) */
  readonly primary?: boolean | undefined;
  /** defaults < role (listed order) < host < --set */
  readonly attrs: Attrs;
}

export interface Inventory {
  readonly file: string;
  readonly hosts: readonly Host[];
  readonly roles: ReadonlyMap<string, Attrs>;
  readonly defaults: Attrs;
  /** the file says `stage: { protected: true }` */
  readonly protected?: boolean;
  /** the file says `stage: { tagsOnly: true }`: a deploy names a tag, not a branch or commit */
  readonly tagsOnly?: boolean;
}
