#!/usr/bin/env python3
"""Seal and open throughput on one file, file to file, next to age and gpg in the same run,
and peak RSS on a larger input.

    python3 bench/seal_open.py [--dir DIR] [--durable] [--size-mib 256] [--rss-mib 1024]
                               [--rounds 3] [--bin build/client]

Each tool runs once per round in turn; the median of the rounds is reported. Before every timed
command the page cache is flushed with sync(), so no tool pays for another's writeback.

gavah always fsyncs what it writes (a witness's envelope and an investigator's opened testimony
must survive a crash); age and gpg do not. With --durable, age's and gpg's commands are followed
by `sync FILE` inside the timing, so all three pay for durability. On a tmpfs --dir (/dev/shm),
fsync costs nothing and the run measures computation and copying alone.

gavah's open includes one Argon2id key-file unlock (256 MiB, 3 passes); the table also gives it
without that fixed cost, measured on a 1-byte testimony in the same run.
"""
import argparse, os, shutil, statistics, subprocess, sys, tempfile, time

def run(cmd, env=None, stdin=None):
    os.sync()
    t = time.perf_counter()
    r = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, stdin=stdin)
    dt = time.perf_counter() - t
    if r.returncode:
        sys.exit(f"failed: {' '.join(cmd)}: {r.stderr.decode()[-300:]}")
    return dt

def peak_rss_kib(cmd, env=None):
    r = subprocess.run(["/usr/bin/time", "-f", "%M"] + cmd, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, env=env)
    if r.returncode:
        sys.exit(f"failed: {' '.join(cmd)}: {r.stderr.decode()[-300:]}")
    return int(r.stderr.decode().strip().splitlines()[-1])

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--size-mib", type=int, default=256)
    ap.add_argument("--rss-mib", type=int, default=1024)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--dir", default=os.environ.get("TMPDIR", "/var/tmp"))
    ap.add_argument("--durable", action="store_true")
    ap.add_argument("--bin", default=os.path.join(os.path.dirname(__file__), "..", "build", "client"))
    a = ap.parse_args()
    W = os.path.abspath(os.path.join(a.bin, "gavah-witness"))
    I = os.path.abspath(os.path.join(a.bin, "gavah-investigator"))
    for tool in ("age", "age-keygen", "gpg"):
        if not shutil.which(tool):
            sys.exit(f"{tool} not found (apt-get install age gnupg)")
    work = tempfile.mkdtemp(prefix="gavah-bench-", dir=a.dir)
    os.chdir(work)
    env = dict(os.environ, GAVAH_PASSPHRASE="benchmark passphrase", GNUPGHOME=os.path.join(work, "gnupg"))
    os.mkdir(env["GNUPGHOME"], 0o700)
    try:
        subprocess.run([I, "org-init", "--out", "org.key"], env=env, check=True, stdout=subprocess.DEVNULL)
        subprocess.run([I, "keygen", "--name", "a", "--out", "a.key"], env=env, check=True, stdout=subprocess.DEVNULL)
        subprocess.run([I, "bundle", "--org-key", "org.key", "--investigator", "a.pub", "--threshold", "1",
                        "--out", "org.bundle"], env=env, check=True, stdout=subprocess.DEVNULL)
        subprocess.run(["age-keygen", "-o", "age.key"], check=True, stderr=subprocess.DEVNULL)
        recipient = [l.split(": ")[1].strip() for l in open("age.key") if l.startswith("# public key")][0]
        subprocess.run(["gpg", "--batch", "--quiet", "--passphrase", "", "--quick-gen-key", "bench@gavah",
                        "rsa4096", "encr", "never"], env=env, check=True, stderr=subprocess.DEVNULL)
        with open("big.bin", "wb") as f:
            for _ in range(a.size_mib):
                f.write(os.urandom(1 << 20))
        open("t.txt", "w").write("t\n")
        open("one.bin", "wb").write(b"x")

        tools = {
            "gavah": (lambda: [W, "seal", "--bundle", "org.bundle", "--text-file", "t.txt", "--attach", "big.bin", "--out", "s.out"],
                      lambda: [I, "open", "s.out", "--key", "a.key", "--out", "o.out"]),
            "age": (lambda: ["age", "-r", recipient, "-o", "s.out", "big.bin"],
                    lambda: ["age", "-d", "-i", "age.key", "-o", "o.out", "s.out"]),
            "gpg (RSA-4096, no compression)": (
                lambda: ["gpg", "--batch", "--quiet", "--yes", "--compress-algo", "none", "--trust-model", "always",
                         "-r", "bench@gavah", "-o", "s.out", "-e", "big.bin"],
                lambda: ["gpg", "--batch", "--quiet", "--yes", "-o", "o.out", "-d", "s.out"]),
        }
        if a.durable:
            def durable(cmd, out):
                return lambda: ["sh", "-c", " ".join(f"'{x}'" for x in cmd()) + f" && sync {out}"]
            for name in list(tools):
                if name != "gavah":
                    s_cmd, o_cmd = tools[name]
                    tools[name] = (durable(s_cmd, "s.out"), durable(o_cmd, "o.out"))
        seal = {k: [] for k in tools}
        opn = {k: [] for k in tools}
        unlock = []
        for _ in range(a.rounds):
            for name, (s, o) in tools.items():
                seal[name].append(run(s(), env))
                opn[name].append(run(o(), env))
                subprocess.run(["rm", "-rf", "s.out", "o.out"])
            run([W, "seal", "--bundle", "org.bundle", "--text-file", "t.txt", "--attach", "one.bin", "--out", "tiny.out"], env)
            unlock.append(run([I, "open", "tiny.out", "--key", "a.key", "--out", "tiny.dir"], env))
            subprocess.run(["rm", "-rf", "tiny.out", "tiny.dir"])

        mib = a.size_mib
        med = statistics.median
        mode = "durable: every tool's output fsynced" if a.durable else "gavah fsyncs, age and gpg do not"
        print(f"### Seal and open, {mib} MiB file to file in {a.dir} ({mode}; median of {a.rounds})\n")
        print("| tool | seal s | seal MiB/s | open s | open MiB/s |")
        print("|---|---|---|---|---|")
        for name in tools:
            print(f"| {name} | {med(seal[name]):.3f} | {mib / med(seal[name]):.0f} | {med(opn[name]):.3f} | {mib / med(opn[name]):.0f} |")
        net = med(opn["gavah"]) - med(unlock)
        print(f"| gavah open without the key-file unlock ({med(unlock):.3f} s, measured on a 1-byte testimony) | | | {net:.3f} | {mib / net:.0f} |")
        print()
        g, ag = med(seal["gavah"]), med(seal["age"])
        print(f"gavah / age: seal {ag / g:.2f}x, open {med(opn['age']) / med(opn['gavah']):.2f}x "
              f"(without unlock {med(opn['age']) / net:.2f}x)\n")

        subprocess.run(["rm", "-f", "big.bin"])
        with open("huge.bin", "wb") as f:
            for _ in range(a.rss_mib):
                f.write(b"\0" * (1 << 20))
        print(f"### Peak RSS, {a.rss_mib} MiB input\n")
        print("| command | peak RSS MiB |")
        print("|---|---|")
        rs = peak_rss_kib([W, "seal", "--bundle", "org.bundle", "--text-file", "t.txt", "--attach", "huge.bin", "--out", "h.out"], env)
        print(f"| gavah seal | {rs / 1024:.1f} |")
        ro = peak_rss_kib([I, "open", "h.out", "--key", "a.key", "--out", "h.dir"], env)
        print(f"| gavah open (includes Argon2id's 256 MiB for the key file, freed before decryption) | {ro / 1024:.1f} |")
        subprocess.run(["rm", "-rf", "h.dir"])
        ra = peak_rss_kib(["age", "-r", recipient, "-o", "a.out", "huge.bin"])
        print(f"| age encrypt | {ra / 1024:.1f} |")
    finally:
        shutil.rmtree(work, ignore_errors=True)

if __name__ == "__main__":
    main()
