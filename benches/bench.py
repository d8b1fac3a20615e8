#!/usr/bin/env python3
"""goldpan against DuckDB on the same synthetic Shopify export, same machine, same run.

    python3 benches/bench.py [--sizes 100000,1000000,3000000] [--data DIR]

Builds the release binary and the generator, writes one export per size (kept
in DIR for later runs), then times, end to end and one after the other:
`goldpan segments`, `goldpan summary --json`, and benches/reference.py (the same
figures and lists as DuckDB SQL over the same CSV). Wall time and peak memory
come from /usr/bin/time. It checks that both give the same figures and the
same lists, and prints a Markdown table with the goldpan/DuckDB time ratio.
Needs `pip install duckdb`.
"""
import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GOLDPAN = os.path.join(ROOT, "target", "release", "goldpan")
GEN = os.path.join(ROOT, "target", "release", "examples", "gen_orders")
REFERENCE = [sys.executable, os.path.join(ROOT, "benches", "reference.py")]
AS_OF = "2026-11-01"  # the generator's default --end-date
KEYS = ["customers", "orders", "revenue", "aov", "purchase_frequency",
        "repeat_customers", "repeat_rate", "repeat_revenue_share", "top_10_share",
        "top_20_share", "aov_low_customers", "aov_mid_customers", "aov_high_customers",
        "aov_low_revenue_share", "aov_mid_revenue_share", "aov_high_revenue_share",
        "clv", "unattributed_orders", "unattributed_revenue", "excluded_orders"]
SEGMENTS = ["bulk_b2b", "repeat", "one_time", "lapsed_60", "lapsed_90", "top_20",
            "aov_low", "aov_mid", "aov_high"]


def timed(cmd, stdout=subprocess.DEVNULL):
    """Runs cmd under /usr/bin/time; returns (seconds, peak MiB, stdout)."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as t:
        out = subprocess.run(["/usr/bin/time", "-f", "%e %M", "-o", t.name] + cmd,
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, check=True)
        seconds, kib = t.read().split()[-2:]
    return float(seconds), int(kib) / 1024, out.stdout


def emails(path):
    with open(path, newline="") as f:
        return [row["email"] or row.get("customer_id", "") for row in csv.DictReader(f)]


def check_same(size, ours, theirs, our_dir, their_dir):
    for key in KEYS:
        a, b = ours[key], theirs[key]
        if (a is None) != (b is None) or (a is not None and abs(a - b) > 1e-6 * max(1, abs(b))):
            sys.exit(f"{size} orders: {key} differs: goldpan {a}, DuckDB {b}")
    for name in SEGMENTS:
        if emails(os.path.join(our_dir, name + ".csv")) != emails(os.path.join(their_dir, name + ".csv")):
            sys.exit(f"{size} orders: {name}.csv lists differ")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="100000,1000000,3000000")
    ap.add_argument("--data", default=os.path.join(ROOT, "target", "bench-data"))
    args = ap.parse_args()
    subprocess.run(["cargo", "build", "--release", "--quiet", "--bin", "goldpan",
                    "--example", "gen_orders"], cwd=ROOT, check=True)
    os.makedirs(args.data, exist_ok=True)
    print(f"machine: {os.cpu_count()} cores; as of {AS_OF}; times are wall seconds, memory is peak RSS\n")
    print("| orders | rows | export MB | command | goldpan s | DuckDB s | goldpan/DuckDB | goldpan MB | DuckDB MB |")
    print("|---:|---:|---:|---|---:|---:|---:|---:|---:|")
    for size in [int(s) for s in args.sizes.split(",")]:
        export = os.path.join(args.data, f"shopify_{size}.csv")
        if not os.path.exists(export):
            subprocess.run([GEN, "--orders", str(size), "--format", "shopify",
                            "--end-date", AS_OF, "--out", export], check=True)
        megabytes = os.path.getsize(export) / 1e6
        with tempfile.TemporaryDirectory() as work:
            ours_dir, theirs_dir = os.path.join(work, "goldpan"), os.path.join(work, "duckdb")
            seg_ours = timed([GOLDPAN, "segments", export, "--as-of", AS_OF, "--out", ours_dir])
            seg_theirs = timed(REFERENCE + ["segments", export, "--as-of", AS_OF, "--out", theirs_dir])
            sum_ours = timed([GOLDPAN, "summary", export, "--as-of", AS_OF, "--json"])
            sum_theirs = timed(REFERENCE + ["summary", export, "--as-of", AS_OF])
            check_same(size, json.loads(sum_ours[2]), json.loads(sum_theirs[2]), ours_dir, theirs_dir)
        rows = json.loads(sum_ours[2])["input"]["rows_read"]
        for name, ours, theirs in [("segments", seg_ours, seg_theirs), ("summary", sum_ours, sum_theirs)]:
            print(f"| {size:,} | {rows:,} | {megabytes:,.0f} | {name} | {ours[0]:.2f} | {theirs[0]:.2f} "
                  f"| {ours[0] / theirs[0]:.2f} | {ours[1]:,.0f} | {theirs[1]:,.0f} |", flush=True)
    print("\nSame figures and same lists from both at every size.")


if __name__ == "__main__":
    main()
