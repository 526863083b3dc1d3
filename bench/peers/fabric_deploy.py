"""Fabric 2 peer for `npm run bench -- latency`: deploy a tarball the way a Fabric script does.

usage: /usr/bin/python3 fabric_deploy.py <hosts.json> <key> <known_hosts> <artifact> <release>
On every host at once (ThreadingGroup): skip the upload and unpack when the release folder is
there, else put the tarball, unpack it into /srv/blob-fabric/releases/<release>; then point
`current` at it (ln -sfn + mv -T, atomic). Host keys are verified (RejectPolicy).
"""
import json
import sys
from concurrent.futures import ThreadPoolExecutor

import paramiko
from fabric import Connection

ROOT = "/srv/blob-fabric"


def deploy(c: Connection, artifact: str, release: str) -> str:
    rel = f"{ROOT}/releases/{release}"
    if c.run(f"test -d {rel}", warn=True, hide=True).failed:
        c.run(f"mkdir -p {rel}.tmp {ROOT}/incoming", hide=True)
        c.put(artifact, f"{ROOT}/incoming/{release}.tar.gz")
        c.run(f"tar -xzf {ROOT}/incoming/{release}.tar.gz -C {rel}.tmp && mv {rel}.tmp {rel}", hide=True)
    c.run(f"ln -sfn {rel} {ROOT}/current.tmp && mv -T {ROOT}/current.tmp {ROOT}/current", hide=True)
    return "ok"


def main() -> int:
    hosts_file, key, known_hosts, artifact, release = sys.argv[1:6]
    with open(hosts_file) as f:
        targets = json.load(f)
    conns = []
    for t in targets:
        c = Connection(
            host=t["address"],
            port=t["port"],
            user="root",
            connect_kwargs={"key_filename": key, "look_for_keys": False, "allow_agent": False},
        )
        c.client.load_host_keys(known_hosts)
        c.client.set_missing_host_key_policy(paramiko.RejectPolicy())
        conns.append((t["name"], c))
    failed = 0
    with ThreadPoolExecutor(max_workers=len(conns)) as pool:
        futures = [(name, pool.submit(deploy, c, artifact, release)) for name, c in conns]
        for name, fut in futures:
            try:
                print(f"[{name}] {fut.result()}")
            except Exception as e:  # noqa: BLE001 - report every host
                failed += 1
                print(f"[{name}] FAILED: {e}")
    for _, c in conns:
        c.close()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
