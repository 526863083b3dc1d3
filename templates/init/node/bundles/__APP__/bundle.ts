// The bundle __APP__: `ferry --stage staging deploy __APP__ --tag v0.1.0` builds it from that git
// tag (never the working tree), stages it on every `app` host, then switches them together.
// Next edit: put your app here (or point `source` at it) and adjust the supervisor template.
import { defineBundle } from 'ferry';

export default defineBundle({
  name: '__APP__',
  // the app is this folder at the tag; the app at the repository's root: source: { path: '.' }
  // (then bundle.ts and templates/ are taken as they are now; see README "The app in its own repository")
  // node: `npm ci` from package-lock.json, build steps, `npm prune --omit=dev`: one checksummed artifact
  env: { kind: 'node' },
  // who receives it (inventory roles)
  roles: ['app'],
  configs: [
    {
      // rendered per host (Liquid: host.attrs.*, bundle.*, deploy.*), validated before the switch
      template: 'templates/supervisor.conf.liquid',
      target: 'supervisor/__APP__.conf',
      link: '/etc/supervisor/conf.d/__APP__.conf',
      validate: 'supervisor',
    },
  ],
  // after the switch, ferry waits for http://<address>:<app_port>/check.html to answer 200
  health: { path: '/check.html', port: 'app_port' },
  // deployPath: '/srv/__APP__', keep: 5, shared: ['log', 'tmp']
});
