/** Who holds a deploy lock: written to .ferry/lock/owner.json. */
export interface LockOwner {
  readonly user: string;
  readonly host: string;
  readonly pid: number;
  readonly started: string;
  readonly command: string;
  readonly runId: string;
}
