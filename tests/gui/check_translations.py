#!/usr/bin/env python3
"""Every string an app shows is translated: runs lupdate over the app's C++ and QML
into copies of the committed .ts files, then fails on any message lupdate finds unfinished
(a string added without its translation), vanished (a translation of a string no longer
shown) or empty, and on a %1-style argument that a translation dropped."""
import re, shutil, subprocess, sys, tempfile, xml.etree.ElementTree as ET
from pathlib import Path

lupdate, app_dir = sys.argv[1], Path(sys.argv[2])
# The app's sources with strings: the witness app's unless named after the folder.
sources = [str(app_dir / s) for s in sys.argv[3:]] or [
    str(app_dir / "witness_app.cc"), str(app_dir / "session.cc"), str(app_dir / "qml")]
failures = []
with tempfile.TemporaryDirectory() as tmp:
    for ts in sorted((app_dir / "i18n").glob("*.ts")):
        copy = Path(tmp) / ts.name
        shutil.copy(ts, copy)
        subprocess.run([lupdate, "-locations", "none", *sources, "-ts", str(copy)],
                       check=True, capture_output=True)
        count = 0
        for context in ET.parse(copy).getroot().iter("context"):
            name = context.findtext("name")
            for m in context.iter("message"):
                count += 1
                src = m.findtext("source") or ""
                tr = m.find("translation")
                kind = tr.get("type", "") if tr is not None else "missing"
                text = (tr.text or "") if tr is not None else ""
                if kind in ("unfinished", "vanished", "obsolete", "missing") or not text.strip():
                    failures.append(f"{ts.name}: {name}: {kind or 'empty'}: {src[:70]!r}")
                elif sorted(re.findall(r"%\d", src)) != sorted(re.findall(r"%\d", text)):
                    failures.append(f"{ts.name}: {name}: arguments differ: {src[:70]!r}")
        if count < 100:
            failures.append(f"{ts.name}: only {count} messages; is lupdate reading the QML?")
        print(f"{ts.name}: {count} messages")
for f in failures:
    print(f)
sys.exit(1 if failures else 0)
