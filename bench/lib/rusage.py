# rusage.py OUT CMD [ARG...]: run CMD and write to OUT "wall user sys maxrss_kb": its wall time, and
# the CPU and peak RSS of it and of every descendant it waited for (wait4's rusage, like GNU time's,
# but to the microsecond: GNU time prints 10 ms steps, a tenth of a 50-host run's difference).
# Exits with CMD's status (128 + N when signal N ended it).
import os
import sys
import time

out, argv = sys.argv[1], sys.argv[2:]
t0 = time.monotonic()
pid = os.fork()
if pid == 0:
    try:
        os.execvp(argv[0], argv)
    except OSError as e:
        sys.stderr.write(f"rusage.py: {argv[0]}: {e}\n")
        os._exit(127)
_, status, ru = os.wait4(pid, 0)
wall = time.monotonic() - t0
with open(out, "w") as f:
    f.write(f"{wall:.6f} {ru.ru_utime:.6f} {ru.ru_stime:.6f} {ru.ru_maxrss}\n")
code = os.waitstatus_to_exitcode(status)
sys.exit(code if code >= 0 else 128 - code)
