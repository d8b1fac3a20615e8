#!/usr/bin/env python3
"""goldpan against DuckDB on real-shaped and generated Shopify exports, same machine, same run.

    python3 benches/bench.py --samples SAMPLE.csv... [--sizes 100000,1000000,3000000]
                             [--kinds real,generated] [--data DIR] [--runs 3] [--no-build]

Inputs, written once into DIR and kept for later runs:
  real       the --samples (real Shopify exports) replicated to each size by
             benches/replicate.py: renamed order ids and e-mails, every other
             byte as the store exported it; as of 2026-01-01
  generated  examples/gen_orders.rs's export of each size; as of 2026-11-01
Each input's shape (bytes per row, rows with a quoted line break, filled
columns per row) is printed first, from its smallest size.

Then, per input, in rounds that alternate the tools (the median of --runs
rounds is reported; inputs of 3M orders or more get one round, to save time):
  segments  `goldpan segments` / `reference.py segments` (DuckDB)
  summary   `goldpan summary --json` / `reference.py summary`
  segments, 1 thread  both again with --threads 1
  customers `goldpan customers --out FILE`, against goldpan's own segments
            (issue 13: within ~1.5x of segments)
  report    `goldpan report --out FILE`, against goldpan's own segments
            (issue 14: about the time of segments, page under 2 MB)
  products  `goldpan products` / `reference.py products` (DuckDB), same
            products and figures checked
  buyers    `goldpan buyers --bought` the best-selling product (the first
            row of `goldpan products`) / `reference.py buyers` (DuckDB),
            the same list checked cell for cell
  related   `goldpan related` / `reference.py related` (DuckDB), defaults
            (--min-customers 5, --per-customer 3), pairs.csv and
            next_items.csv checked cell for cell
  products, buyers, related
            the same goldpan runs, also against goldpan's own segments
            (issue 11: products and buyers about segments, related under 2x)
Each input is read once before its rounds, so that no program pays for
reading it from disk. Wall time, CPU time (user + system) and peak memory come from /usr/bin/time;
the CPU column is CPU time over wall time (200% = both cores busy), which
shows when other work on the machine took cores from a run. The script checks that
both tools give the same figures and the same lists, cell for cell (all
columns but `p_alive` of the lapsed lists, which is a fitted model DuckDB does
not compute; the buyers list has no such column, so all of its columns are
compared), the same products and figures, the same buyers list and the same
pairs.csv and next_items.csv (every cell, in goldpan's row order), and
prints Markdown tables. Needs `pip install duckdb`. Binaries are looked up in
$CARGO_TARGET_DIR (default target/), built with `cargo build --release`
unless --no-build.
"""
import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGET = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
GOLDPAN = os.path.join(TARGET, "release", "goldpan")
GEN = os.path.join(TARGET, "release", "examples", "gen_orders")
REFERENCE = [sys.executable, os.path.join(ROOT, "benches", "reference.py")]
REPLICATE = [sys.executable, os.path.join(ROOT, "benches", "replicate.py")]
AS_OF = {"real": "2026-01-01", "generated": "2026-11-01"}
KEYS = ["customers", "orders", "revenue", "aov", "purchase_frequency",
        "repeat_customers", "repeat_rate", "repeat_revenue_share", "top_10_share",
        "top_20_share", "aov_low_customers", "aov_mid_customers", "aov_high_customers",
        "aov_low_revenue_share", "aov_mid_revenue_share", "aov_high_revenue_share",
        "clv", "unattributed_orders", "unattributed_revenue", "excluded_orders"]
SEGMENTS = ["bulk_b2b", "repeat", "one_time", "lapsed_60", "lapsed_90", "top_20",
            "aov_low", "aov_mid", "aov_high"]
NOT_COMPARED = {"p_alive"}


def warm(path):
    """Reads the file once, so that the first program timed on it does not
    read it from disk while the others find it in the page cache (a 2 GB
    input read after another one may no longer be cached)."""
    with open(path, "rb") as f:
        while f.read(1 << 24):
            pass


def timed(cmd):
    """Runs cmd under /usr/bin/time; returns (wall seconds, peak MiB, CPU %,
    stdout, CPU seconds: user + system)."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as t:
        out = subprocess.run(["/usr/bin/time", "-f", "%e %M %P %U %S", "-o", t.name] + cmd,
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, check=True)
        seconds, kib, cpu, user, system = t.read().split()[-5:]
    return (float(seconds), int(kib) / 1024, int(cpu.rstrip("%")), out.stdout,
            float(user) + float(system))


def rows_of(path):
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        header = next(reader)
        keep = [i for i, h in enumerate(header) if h not in NOT_COMPARED]
        return [[header[i] for i in keep]] + [[row[i] for i in keep] for row in reader]


def check_csv(label, name, ours, theirs):
    """The CSV files `ours` (goldpan's) and `theirs` (DuckDB's) have the same
    header and rows, cell for cell, in the same order (columns in
    NOT_COMPARED aside); returns the rows compared."""
    a, b = rows_of(ours), rows_of(theirs)
    if a != b:
        diff = next((i, x, y) for i, (x, y) in enumerate(zip(a + [None], b + [None])) if x != y)
        order = " (the same rows, in another order)" if sorted(a) == sorted(b) else ""
        sys.exit(f"{label}: {name} differs at row {diff[0]}{order}: goldpan {diff[1]}, DuckDB {diff[2]}")
    return len(a) - 1


def check_same(label, ours, theirs, our_dir, their_dir):
    for key in KEYS:
        a, b = ours[key], theirs[key]
        if (a is None) != (b is None) or (a is not None and abs(a - b) > 1e-6 * max(1, abs(b))):
            sys.exit(f"{label}: {key} differs: goldpan {a}, DuckDB {b}")
    for name in SEGMENTS:
        check_csv(label, name + ".csv", os.path.join(our_dir, name + ".csv"),
                  os.path.join(their_dir, name + ".csv"))


def check_related(label, our_dir, their_dir):
    """goldpan related's pairs.csv and next_items.csv against reference.py
    related's, cell for cell; returns the rows compared per file."""
    return {name: check_csv(label, name, os.path.join(our_dir, name), os.path.join(their_dir, name))
            for name in ["pairs.csv", "next_items.csv"]}



def check_products(label, ours_csv, theirs_path):
    """goldpan products (CSV text) against reference.py products, product by
    product (by name in any case): counts and money exactly, shares and the
    median to their 4 or 1 decimals."""
    ours = {r["product"].lower(): r for r in csv.DictReader(ours_csv.splitlines())}
    with open(theirs_path, newline="", encoding="utf-8") as f:
        theirs = {r["key"]: r for r in csv.DictReader(f)}
    if set(ours) != set(theirs):
        sys.exit(f"{label}: products differ: {sorted(set(ours) ^ set(theirs))[:5]}")
    for key, t in theirs.items():
        o = ours[key]
        cents = int(t["cents"])
        money = f"{'-' if cents < 0 else ''}{abs(cents) // 100}.{abs(cents) % 100:02d}"
        same = (o["customers"], o["orders"], o["units"], o["revenue"], o["first_order_customers"]) == \
            (t["customers"], t["orders"], t["units"], money, t["first_order_customers"])
        for col, tol in [("revenue_share", 1.01e-4), ("repeat_share", 1.01e-4), ("median_days_to_second", 0.051)]:
            a, b = o[col], t[col]
            same = same and (a == b == "" or (a != "" and b != "" and abs(float(a) - float(b)) <= tol))
        if not same:
            sys.exit(f"{label}: product {key} differs: goldpan {o}, DuckDB {t}")


def make_input(kind, size, data, samples):
    export = os.path.join(data, f"shopify_{kind}_{size}.csv")
    if not os.path.exists(export):
        if kind == "real":
            if not samples:
                sys.exit("--samples is needed to make the real-shaped inputs")
            subprocess.run(REPLICATE + ["--orders", str(size), "--out", export] + samples, check=True)
        else:
            subprocess.run([GEN, "--orders", str(size), "--format", "shopify",
                            "--end-date", AS_OF["generated"], "--out", export], check=True)
    return export


def median(runs, i):
    return statistics.median(r[i] for r in runs)


def spread(runs):
    times = [r[0] for r in runs]
    return f"{min(times):.2f}–{max(times):.2f}" if len(times) > 1 else "1 run"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="100000,1000000,3000000")
    ap.add_argument("--kinds", default="real,generated")
    ap.add_argument("--samples", nargs="*", default=[], help="real Shopify exports to replicate")
    ap.add_argument("--data", default=os.path.join(TARGET, "bench-data"))
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--no-build", action="store_true")
    args = ap.parse_args()
    if not args.no_build:
        subprocess.run(["cargo", "build", "--release", "--quiet", "--bin", "goldpan",
                        "--example", "gen_orders"], cwd=ROOT, check=True)
    os.makedirs(args.data, exist_ok=True)
    sizes = [int(s) for s in args.sizes.split(",")]
    kinds = args.kinds.split(",")
    inputs = [(kind, size, make_input(kind, size, args.data, args.samples))
              for kind in kinds for size in sizes]

    print(f"machine: {os.cpu_count()} cores; times are wall seconds (median of {args.runs} "
          "alternating rounds; one round from 3M orders), memory is peak RSS\n")
    print("Input shapes (from the smallest size of each input):\n")
    smallest = [next(path for k, s, path in inputs if k == kind) for kind in kinds]
    print(subprocess.run(REPLICATE + ["--shape"] + smallest, check=True,
                         stdout=subprocess.PIPE, text=True).stdout)

    vs_duckdb, vs_segments = [], []
    for kind, size, export in inputs:
        as_of = AS_OF[kind]
        megabytes = os.path.getsize(export) / 1e6
        runs = 1 if size >= 3_000_000 else args.runs
        t = {name: [] for name in ["seg", "seg_d", "sum", "sum_d", "seg1", "seg1_d", "cust", "report",
                                 "products", "products_d", "buyers", "buyers_d", "related",
                                 "related_d"]}
        page_mb = None
        warm(export)
        with tempfile.TemporaryDirectory() as work:
            ours, theirs = os.path.join(work, "goldpan"), os.path.join(work, "duckdb")
            page = os.path.join(work, "report.html")
            for _ in range(runs):
                common = [export, "--as-of", as_of]
                t["seg"].append(timed([GOLDPAN, "segments"] + common + ["--out", ours]))
                t["seg_d"].append(timed(REFERENCE + ["segments"] + common + ["--out", theirs]))
                t["sum"].append(timed([GOLDPAN, "summary"] + common + ["--json"]))
                t["sum_d"].append(timed(REFERENCE + ["summary"] + common))
                t["seg1"].append(timed([GOLDPAN, "segments"] + common + ["--out", ours, "--threads", "1"]))
                t["seg1_d"].append(timed(REFERENCE + ["segments"] + common + ["--out", theirs, "--threads", "1"]))
                t["cust"].append(timed([GOLDPAN, "customers"] + common + ["--out", os.path.join(work, "c.csv")]))
                t["report"].append(timed([GOLDPAN, "report"] + common + ["--out", page]))
                page_mb = os.path.getsize(page) / 1e6
                t["products"].append(timed([GOLDPAN, "products"] + common))
                peer_products = os.path.join(work, "products_duckdb.csv")
                t["products_d"].append(timed(REFERENCE + ["products"] + common + ["--out", peer_products]))
                products = t["products"][-1][3].decode("utf-8").splitlines()
                best_seller = next(csv.DictReader(products))["product"]
                buyers = [os.path.join(work, "b.csv"), os.path.join(work, "b_duckdb.csv")]
                t["buyers"].append(timed([GOLDPAN, "buyers"] + common + [
                    "--bought", best_seller, "--out", buyers[0]]))
                t["buyers_d"].append(timed(REFERENCE + ["buyers"] + common + [
                    "--bought", best_seller, "--out", buyers[1]]))
                related = [os.path.join(work, "related"), os.path.join(work, "related_duckdb")]
                t["related"].append(timed([GOLDPAN, "related"] + common + ["--out", related[0]]))
                t["related_d"].append(timed(REFERENCE + ["related"] + common + ["--out", related[1]]))
            label = f"{kind} {size:,} orders"
            check_same(label, json.loads(t["sum"][0][3]), json.loads(t["sum_d"][0][3]), ours, theirs)
            check_products(label, t["products"][0][3].decode("utf-8"), peer_products)
            check_csv(label, f"buyers of {best_seller!r}", buyers[0], buyers[1])
            check_related(label, related[0], related[1])
        rows = json.loads(t["sum"][0][3])["input"]["rows_read"]
        where = f"| {kind} | {size:,} | {rows:,} | {megabytes:,.0f} "
        for name, a, b in [("segments", "seg", "seg_d"), ("summary", "sum", "sum_d"),
                           ("segments, 1 thread", "seg1", "seg1_d"),
                           ("products", "products", "products_d"),
                           ("buyers", "buyers", "buyers_d"), ("related", "related", "related_d")]:
            ga, gb = median(t[a], 0), median(t[b], 0)
            vs_duckdb.append(
                f"{where}| {name} | {ga:.2f} ({spread(t[a])}) | {gb:.2f} ({spread(t[b])}) "
                f"| **{ga / gb:.2f}** | {median(t[a], 4) / median(t[b], 4):.2f} "
                f"| {median(t[a], 1):,.0f} ({median(t[a], 1) / megabytes:.2f}× file) "
                f"| {median(t[b], 1):,.0f} | {median(t[a], 2):.0f}% / {median(t[b], 2):.0f}% |")
        seg = median(t["seg"], 0)
        for name, key, extra in [("customers", "cust", ""), ("report", "report", f"page {page_mb:.2f} MB"),
                                 ("products", "products", ""), ("buyers", "buyers", ""),
                                 ("related", "related", "")]:
            vs_segments.append(
                f"{where}| {name} | {median(t[key], 0):.2f} ({spread(t[key])}) | {seg:.2f} "
                f"| **{median(t[key], 0) / seg:.2f}** | {median(t[key], 1):,.0f} | {extra} |")
        print(f"done: {label}", file=sys.stderr, flush=True)

    print("goldpan against DuckDB (`benches/reference.py`), same figures and lists checked:\n")
    print("| input | orders | rows | export MB | command | goldpan s (range) | DuckDB s (range) "
          "| goldpan/DuckDB | CPU s goldpan/DuckDB | goldpan MiB (RSS/file) | DuckDB MiB "
          "| CPU use goldpan / DuckDB |")
    print("|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|")
    print("\n".join(vs_duckdb))
    print("\ngoldpan's other commands against its own `segments` on the same input:\n")
    print("| input | orders | rows | export MB | command | goldpan s (range) | segments s "
          "| ratio to segments | peak MiB | |")
    print("|---|---:|---:|---:|---|---:|---:|---:|---:|---|")
    print("\n".join(vs_segments))
    print("\nSame figures, lists, products, buyers and related files from both tools on every input.")


if __name__ == "__main__":
    main()
