#!/usr/bin/env python3
"""How long a command-line tool takes to start: the median of N runs of `<tool> --help`, and
how many shared libraries it loads. Usage: bench/startup.py BUILD_DIR [N]."""
import statistics, subprocess, sys, time

build, n = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 20
for tool in ("client/gavah-witness", "client/gavah-investigator"):
    path = f"{build}/{tool}"
    runs = []
    for _ in range(n):
        start = time.perf_counter()
        subprocess.run([path, "--help"], stdout=subprocess.DEVNULL, check=True)
        runs.append(time.perf_counter() - start)
    libs = len(subprocess.run(["ldd", path], capture_output=True, text=True).stdout.splitlines())
    print(f"{tool.split('/')[-1]}: median {statistics.median(runs) * 1000:.1f} ms over {n} runs, "
          f"{libs} shared libraries")
