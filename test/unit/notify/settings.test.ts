import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ProjectError } from '../../../src/errors/project-error.js';
import { loadSettings } from '../../../src/project/settings.js';

function withSettings(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-notify-'));
  writeFileSync(join(dir, 'ferry.yaml'), text);
  return dir;
}

describe('ferry.yaml notify:', () => {
  it('graphite (port and prefix defaulted), events, webhooks and the timeout', async () => {
    const dir = withSettings(
      [
        'notify:',
        '  graphite: { host: graphite.internal, events: "http://graphite.internal/events/" }',
        '  webhooks: [ "https://hooks.example/deploys", "http://10.0.0.9:8080/x" ]',
        '  timeout: 1.5',
        '',
      ].join('\n'),
    );
    expect((await loadSettings(dir)).notify).toEqual({
      graphite: { host: 'graphite.internal', port: 2003, prefix: 'ferry', events: 'http://graphite.internal/events/' },
      webhooks: ['https://hooks.example/deploys', 'http://10.0.0.9:8080/x'],
      timeoutMs: 1500,
    });
    const one = withSettings('notify:\n  webhooks: https://hooks.example/a\n');
    expect((await loadSettings(one)).notify).toEqual({ webhooks: ['https://hooks.example/a'], timeoutMs: 2000 });
    expect((await loadSettings(withSettings('stage: x\n'))).notify).toBeUndefined();
  });

  it('a webhook that is not http(s): ProjectError at its file:line:column, naming the key and the scheme only', async () => {
    const dir = withSettings('notify:\n  webhooks:\n    - https://ok.example/\n    - ftp://files.example/t0ken\n');
    const err = await loadSettings(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProjectError);
    expect((err as Error).message).toBe(
      `${join(dir, 'ferry.yaml')}:4:7: notify.webhooks.1: must be an http:// or https:// URL, not ftp:`,
    );
    expect((err as Error).message).not.toContain('t0ken');
    await expect(loadSettings(withSettings('notify:\n  webhooks: [ "hooks.example/x" ]\n'))).rejects.toThrow(
      /ferry\.yaml:2:15: notify\.webhooks\.0: must be an http:\/\/ or https:\/\/ URL \(this is not a URL\)/,
    );
  });

  it('a bad graphite block: prefix, events URL, unknown key', async () => {
    await expect(loadSettings(withSettings('notify:\n  graphite: { host: g, prefix: "a..b" }\n'))).rejects.toThrow(
      /ferry\.yaml:2:32: notify\.graphite\.prefix: must be dotted Graphite nodes/,
    );
    await expect(loadSettings(withSettings('notify:\n  graphite: { host: g, events: "udp://g/" }\n'))).rejects.toThrow(
      /notify\.graphite\.events: must be an http:\/\/ or https:\/\/ URL, not udp:/,
    );
    await expect(loadSettings(withSettings('notify:\n  graphite: { host: g, prot: 1 }\n'))).rejects.toThrow(
      /ferry\.yaml:2:24: unknown key "prot" in notify\.graphite/,
    );
  });
});
