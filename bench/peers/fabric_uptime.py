"""Fabric 2 peer for `npm run bench -- fanout`: a ThreadingGroup of every host runs `uptime`.

usage: /usr/bin/python3 fabric_uptime.py <hosts.json> <key> <known_hosts>
Host keys are verified against the fleet's known_hosts (RejectPolicy), as ferry does.
"""
import json
import sys

import paramiko
from fabric import ThreadingGroup


def main() -> int:
    hosts_file, key, known_hosts = sys.argv[1:4]
    with open(hosts_file) as f:
        targets = json.load(f)
    group = ThreadingGroup(
        *[f"root@{t['address']}:{t['port']}" for t in targets],
        connect_kwargs={"key_filename": key, "look_for_keys": False, "allow_agent": False},
    )
    for c in group:
        c.client.load_host_keys(known_hosts)
        c.client.set_missing_host_key_policy(paramiko.RejectPolicy())
    failed = 0
    try:
        results = group.run("uptime", hide=True, warn=True)
        for c, r in results.items():
            print(f"[{c.host}] {r.stdout.strip()}")
    except Exception as e:  # GroupException: some hosts failed
        for c, r in getattr(e, "result", {}).items():
            if isinstance(r, Exception):
                failed += 1
                print(f"[{c.host}] FAILED: {r}")
            else:
                print(f"[{c.host}] {r.stdout.strip()}")
        if not hasattr(e, "result"):
            raise
    finally:
        group.close()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
