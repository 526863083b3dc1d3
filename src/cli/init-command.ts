import { existsSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { Command as Program, Option } from 'commander';
import { scaffold, type ScaffoldKind } from '../project/scaffold.js';
import type { GlobalOptions } from './global-options.js';

/** `ferry init`: scaffold a ferry project in the current (or --project) folder; never overwrites unasked. */
export function initCommand(setExit: (code: number) => void): Program {
  return new Program('init')
    .description(
      'write a ferry project here: ferry.yaml, inventories/, tasks/example.ts, bundles/<app>/, tsconfig.json',
    )
    .addOption(
      new Option('--bundle <kind>', 'the kind of app the bundle ships').choices(['node', 'python']).default('node'),
    )
    .option('--name <app>', 'bundle name (default: package.json name, else the folder name)')
    .option('--force', 'overwrite files that exist (default: skip them)')
    .action((o: { bundle: ScaffoldKind; name?: string; force?: boolean }, self: Program) => {
      const g = self.optsWithGlobals<GlobalOptions>();
      const projectDir = resolve(g.project ?? process.cwd());
      const r = scaffold({ projectDir, kind: o.bundle, app: o.name, force: o.force });
      const out: string[] = [];
      if (r.existing) {
        out.push(
          `${relative(process.cwd(), r.existing) || r.existing} exists: this is a ferry project already; nothing changed`,
        );
        out.push('(ferry init --force writes the scaffold anyway, replacing files it would write)');
        process.stdout.write(`${out.join('\n')}\n`);
        return setExit(0);
      }
      for (const f of r.written) out.push(`  wrote   ${f}`);
      for (const f of r.skipped) out.push(`  skipped ${f} (exists; --force replaces it)`);
      const git = existsSync(join(projectDir, '.git')) ? '' : 'git init && ';
      out.push(
        '',
        'next:',
        '  edit inventories/staging.yaml (your hosts), then:',
        '  npx ferry check                                   # tasks and bundles load and type-check',
        `  ${git}git add -A && git commit -m "ferry" && git tag v0.1.0`,
        `  npx ferry --stage staging deploy ${r.app} --tag v0.1.0`,
      );
      if (r.skipped.includes('tsconfig.json'))
        out.push('', 'tsconfig.json exists: for `ferry check`, include tasks/**/*.ts and bundles/*/bundle.ts in it');
      process.stdout.write(`${out.join('\n')}\n`);
      setExit(0);
    });
}
