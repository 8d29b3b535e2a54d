"""Run every benchmark script in turn (`make bench`). Each prints its own figures and targets."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
SCRIPTS = [
    "bench_read.py",
    "bench_ingest.py",
    "bench_measures.py",
    "bench_report.py",
    "bench_worklist.py",
    "bench_spc.py",
    "bench_pack.py",
    "bench_scope.py",
    "bench_dashboard.py",
    "bench_scale.py",  # issue 12: every row of its table, SQLite and PostgreSQL
    "bench_splice.py",  # issue 12: each step after an upload, against the full computation
    "bench_pages.py",  # issue 12: the first visit to every page
    "fuzz_files.py",
]

for script in SCRIPTS:
    path = BENCH / script
    if not path.exists():
        continue
    print(f"\n=== {script} ===", flush=True)
    subprocess.run([sys.executable, str(path)], check=True, cwd=BENCH.parent)
