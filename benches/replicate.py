#!/usr/bin/env python3
"""Real-shaped benchmark inputs: real exports replicated to any number of orders.

    python3 benches/replicate.py --orders 1000000 --out big.csv SAMPLE.csv [SAMPLE.csv ...]
    python3 benches/replicate.py --shape FILE.csv [FILE.csv ...]

The first form writes copies of the samples' orders until --orders orders are
written. Every copy keeps each row's bytes, quoting and multi-line notes as the
store exported them, and changes only what makes it a new store history:
  - order ids are renumbered (Shopify `Name` #1001, #1002, ..., and `Id`;
    BigCommerce `Order ID`), so no two copies share an order;
  - e-mails get a per-copy prefix (`c17.ann@shop.com`) and BigCommerce
    customer ids a per-copy offset, so each copy has its own customers, with
    the samples' repeat structure (one customer with 50 orders stays one);
  - every date of a copy moves back by the same random number of days (0 to
    1095; seed 42), so the history spans three years up to the samples' latest
    order, and lapsed lists are not empty or full.
Shopify samples with another header (the 75-column one without the POS
block) are written in the first sample's columns, by name. A sample in
another currency is written as the first sample's currency, since goldpan
refuses to add up mixed currencies. All samples must be of one platform.

The second form prints what shapes a CSV's parsing cost, for the samples and
for any generated file, so generators can be made to match real exports:
bytes per row, the share of rows with a quoted line break, and the filled
(non-empty) columns per row, for an order's first row and its later
(line-item only) rows.
"""
import argparse
import csv
import io
import random
import sys
from datetime import date, timedelta

SHOPIFY = {"id": "Name", "email": "Email", "currency": "Currency",
           "dates": ["Paid at", "Fulfilled at", "Created at", "Cancelled at"]}
BIGCOMMERCE = {"id": "Order ID", "customer": "Customer ID", "email": "Customer Email",
               "currency": "Order Currency Code", "dates": ["Order Date", "Date Shipped"]}


def raw_records(text):
    """Splits CSV text into records of raw fields: each field exactly as written
    (quotes and all), so a copy keeps the export's bytes."""
    records, fields, start, i, n = [], [], 0, 0, len(text)
    quoted = False
    while i < n:
        c = text[i]
        if quoted:
            if c == '"':
                if i + 1 < n and text[i + 1] == '"':
                    i += 1
                else:
                    quoted = False
        elif c == '"':
            quoted = True
        elif c == ",":
            fields.append(text[start:i])
            start = i + 1
        elif c == "\n" or c == "\r":
            fields.append(text[start:i])
            records.append(fields)
            fields = []
            if c == "\r" and i + 1 < n and text[i + 1] == "\n":
                i += 1
            start = i + 1
        i += 1
    if start < n or fields:
        fields.append(text[start:])
        records.append(fields)
    return records


def value(raw):
    return raw[1:-1].replace('""', '"') if raw.startswith('"') else raw


def shift_date(raw, days, cache):
    """Moves a Shopify (`2025-05-11 09:55:16 -0400`) or BigCommerce
    (`17/06/2021`, `2/7/2021`) date back by `days`, keeping its format."""
    key = (raw, days)
    if key in cache:
        return cache[key]
    text = value(raw)
    out = raw
    if len(text) >= 10 and text[4] == "-":
        d = date.fromisoformat(text[:10]) - timedelta(days=days)
        out = d.isoformat() + text[10:]
    elif text.count("/") == 2:
        day, month, year = text.split("/")
        d = date(int(year), int(month), int(day)) - timedelta(days=days)
        out = (f"{d.day:02d}/{d.month:02d}/{d.year}" if len(day) == 2
               else f"{d.day}/{d.month}/{d.year}")
    cache[key] = out
    return out


def load(paths):
    """(platform, header raw fields, newline, orders): each order a list of
    rows of raw fields in the first sample's columns."""
    header, newline, platform, orders, currency = None, None, None, [], None
    for path in paths:
        with open(path, newline="", encoding="utf-8") as f:
            text = f.read()
        records = raw_records(text)
        names = [value(h) for h in records[0]]
        kind = SHOPIFY if "Name" in names and "Lineitem quantity" in names else BIGCOMMERCE
        if platform is None:
            platform, header = kind, records[0]
            newline = "\r\n" if "\r\n" in text else "\n"
        elif kind is not platform:
            sys.exit(f"{path}: not the same platform as {paths[0]}")
        target = [value(h) for h in header]
        where = [names.index(t) if t in names else None for t in target]
        cur = target.index(platform["currency"]) if platform["currency"] in target else None
        by_id = {}
        for rec in records[1:]:
            if rec == [""]:
                continue
            row = [rec[j] if j is not None else "" for j in where]
            if cur is not None and row[cur]:
                currency = currency or row[cur]
                row[cur] = currency
            by_id.setdefault(value(row[target.index(platform["id"])]), []).append(row)
        orders.extend(by_id.values())
    return platform, header, newline, orders


def replicate(paths, total, out, seed):
    platform, header, newline, orders = load(paths)
    names = [value(h) for h in header]
    col = {n: i for i, n in enumerate(names)}
    id_col = col[platform["id"]]
    email_col = col.get(platform["email"])
    cust_col = col.get(platform.get("customer"))
    shopify_id = col.get("Id") if platform is SHOPIFY else None
    date_cols = [col[d] for d in platform["dates"] if d in col]
    rng = random.Random(seed)
    cache = {}
    written, copy = 0, 0
    with open(out, "w", newline="", encoding="utf-8") as f:
        f.write(",".join(header) + newline)
        while written < total:
            days = rng.randrange(0, 1096)
            prefix = f"c{copy}."
            lines = []
            for order in orders:
                if written == total:
                    break
                number = 1001 + written
                new_id = f"#{number}" if platform is SHOPIFY else str(number)
                for template in order:
                    row = list(template)
                    row[id_col] = new_id
                    if email_col is not None and row[email_col]:
                        e = row[email_col]
                        row[email_col] = ('"' + prefix + e[1:]) if e.startswith('"') else prefix + e
                    if cust_col is not None and value(row[cust_col]) not in ("", "0"):
                        row[cust_col] = str(int(value(row[cust_col])) + copy * 1_000_000)
                    if shopify_id is not None and row[shopify_id]:
                        row[shopify_id] = str(9_000_000_000_000 + number)
                    for c in date_cols:
                        if row[c] and row[c] != '""':
                            row[c] = shift_date(row[c], days, cache)
                    lines.append(",".join(row))
                written += 1
            f.write(newline.join(lines) + newline)
            copy += 1
    print(f"{out}: {written:,} orders from {len(orders)} sample orders, {copy:,} copies", file=sys.stderr)


def shape(path):
    """Bytes per row, share of rows with a quoted line break, and the mean
    filled columns of an order's first row and of its later rows."""
    size = 0
    rows = multiline = 0
    first_rows = first_filled = later_rows = later_filled = 0
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        header = next(reader)
        id_name = "Name" if "Name" in header else ("Order ID" if "Order ID" in header else header[0])
        id_col = header.index(id_name)
        previous = None
        for row in reader:
            rows += 1
            if any("\n" in cell or "\r" in cell for cell in row):
                multiline += 1
            filled = sum(1 for cell in row if cell.strip())
            if row[id_col] == previous:
                later_rows += 1
                later_filled += filled
            else:
                first_rows += 1
                first_filled += filled
            previous = row[id_col]
    with open(path, "rb") as f:
        f.seek(0, io.SEEK_END)
        size = f.tell()
    return {
        "file": path, "columns": len(header), "rows": rows, "orders": first_rows,
        "bytes_per_row": size / rows if rows else 0,
        "rows_per_order": rows / first_rows if first_rows else 0,
        "multiline_row_share": multiline / rows if rows else 0,
        "filled_first_row": first_filled / first_rows if first_rows else 0,
        "filled_later_row": later_filled / later_rows if later_rows else 0,
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("files", nargs="+")
    ap.add_argument("--orders", type=int)
    ap.add_argument("--out")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--shape", action="store_true", help="print the files' shape instead")
    a = ap.parse_args()
    if a.shape:
        print("| file | columns | rows | orders | bytes/row | rows/order | rows with a quoted line break "
              "| filled columns, first row | filled columns, later rows |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        for path in a.files:
            s = shape(path)
            print(f"| {s['file'].rsplit('/', 1)[-1]} | {s['columns']} | {s['rows']:,} | {s['orders']:,} "
                  f"| {s['bytes_per_row']:.0f} | {s['rows_per_order']:.2f} | {s['multiline_row_share']:.1%} "
                  f"| {s['filled_first_row']:.1f} | {s['filled_later_row']:.1f} |")
        return
    if not a.orders or not a.out:
        ap.error("give --orders N and --out FILE (or --shape)")
    replicate(a.files, a.orders, a.out, a.seed)


if __name__ == "__main__":
    main()
