import { describe, expect, it } from 'vitest';
import { releaseIdOf, releasePaths } from '../../../src/ops/release/paths.js';

describe('release paths', () => {
  it('refuses relative roots, unsafe ids and bad sha256s', () => {
    expect(() => releasePaths('srv/app')).toThrow(/absolute/);
    const p = releasePaths('/srv/app/');
    expect(p.current).toBe('/srv/app/current');
    expect(() => p.release('../etc')).toThrow(/invalid release id/);
    expect(() => p.release('a b')).toThrow(/invalid release id/);
    expect(() => p.cacheFile('abc')).toThrow(/sha256/);
  });

  it('reads the release id out of a current/previous link target', () => {
    expect(releaseIdOf('releases/app-v1')).toBe('app-v1');
    expect(releaseIdOf('/srv/app/releases/app-v1')).toBe('app-v1');
    expect(releaseIdOf(undefined)).toBeUndefined();
  });
});
