/** Waiters per signal; each signal gets one real 'abort' listener, which calls them all. */
const waiting = new WeakMap<AbortSignal, Set<() => void>>();

const stopNothing = () => undefined;

/**
 * Call `fn` once `signal` aborts (never when it has aborted already: the caller checks `aborted`
 * first). Returns the function that stops waiting. Every host session and every running command
 * waits on the run's one Ctrl-C signal: through EventTarget's addEventListener (a listener object
 * and a scan of the list per add) that was ~0.1 ms of CPU per host, a tenth of ferry's CPU above
 * the bare-ssh2 floor at 500 hosts; a Set add and delete is not measurable.
 */
export function onAbort(signal: AbortSignal | undefined, fn: () => void): () => void {
  if (!signal || signal.aborted) return stopNothing;
  let fns = waiting.get(signal);
  if (!fns) {
    const all = new Set<() => void>();
    fns = all;
    waiting.set(signal, all);
    signal.addEventListener(
      'abort',
      () => {
        waiting.delete(signal);
        for (const f of all) f();
      },
      { once: true },
    );
  }
  // its own identity: the same function waiting twice is called twice, and stopped once each
  const entry = () => fn();
  const set = fns;
  set.add(entry);
  return () => {
    set.delete(entry);
  };
}
