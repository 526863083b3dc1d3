/** The e2e suite talks to loopback only: 127.0.0.0/8 by literal address. */
export function assertLoopbackUrl(url: string): URL {
  const u = new URL(url);
  if (u.protocol !== 'http:') throw new Error(`load: only http:// URLs, got ${url}`);
  const m = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(u.hostname);
  if (!m || m.slice(1).some((o) => Number(o) > 255))
    throw new Error(`load: only 127.0.0.0/8 addresses are allowed, got ${u.hostname}`);
  return u;
}
