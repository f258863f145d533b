#!/usr/bin/env python3
"""rusage.py OUT CMD [ARG...]: run CMD and write "wall user sys maxrss_kb" to OUT.

The benchmarks' stopwatch. GNU time (/usr/bin/time, used before) prints
user and system time truncated to whole hundredths of a second, each on its
own: a one-region run of ~60 ms could read 40 or 50 ms. Here both come from
wait4()'s rusage to the microsecond, as seconds with six decimals; maxrss is
that of the largest process of the run (the command or a child it waited for),
as GNU time's %M. CMD's stdout and stderr are its own; its exit status is
returned, and OUT is written only when CMD succeeded.
"""
import os
import subprocess
import sys
import time


def main():
    if len(sys.argv) < 3:
        sys.stderr.write("usage: rusage.py OUT CMD [ARG...]\n")
        return 2
    out, cmd = sys.argv[1], sys.argv[2:]
    t0 = time.monotonic()
    child = subprocess.Popen(cmd)
    # wait4 (not child.wait): the rusage is only given by the call that reaps
    _, status, ru = os.wait4(child.pid, 0)
    wall = time.monotonic() - t0
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        return child.returncode if child.returncode > 0 else 128 - child.returncode
    with open(out, "w") as f:
        f.write("%.6f %.6f %.6f %d\n" % (wall, ru.ru_utime, ru.ru_stime, ru.ru_maxrss))
    return 0


if __name__ == "__main__":
    sys.exit(main())
