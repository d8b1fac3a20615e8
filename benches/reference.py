#!/usr/bin/env python3
"""Independent DuckDB reference for goldpan's Shopify-orders figures and segments.

Two jobs: an oracle for goldpan's numbers (docs/definitions.md sections 3 and 4), and
the DuckDB peer in the speed benchmark. So all row-level work is DuckDB SQL
over the raw CSV; Python only parses flags and does the final divisions.

  reference.py summary  FILE.csv --as-of YYYY-MM-DD [--lifespan-years 3] [--currency CODE]
  reference.py segments FILE.csv --as-of YYYY-MM-DD --out DIR [--currency CODE]

Decisions the spec leaves open (keep in sync with the report):
- "First row of an order" is file order, numbered with row_number() OVER ()
  (DuckDB keeps insertion order by default); order fields come from that row.
- --currency keeps only orders whose first-row Currency matches (any case);
  other orders vanish entirely (not even excluded_orders). Without it, mixed
  currencies are summed as-is with a warning on stderr.
- Status, payment-method and company checks trim and ignore case.
- aov and clv are rounded half-up to cents from exact fractions; undefined
  ratios (no customers / orders) are null.
"""
import argparse
import json
import os
import sys
from datetime import date
from decimal import Decimal
from fractions import Fraction

import duckdb

SEGMENTS = ["bulk_b2b", "repeat", "one_time", "lapsed_60", "lapsed_90",
            "top_20", "aov_low", "aov_mid", "aov_high"]
NOT_COMPANY = ["-", ".", "n/a", "na", "none", "null", "self", "home",
               "private", "personal"]


def sql_str(s):
    return "'" + str(s).replace("'", "''") + "'"


def build(con, path, as_of, currency):
    """Create the temp tables `orders` (one row per order) and `cust` (one row
    per attributed customer, with ranking and AOV band)."""
    # DuckDB reads "" and bare empty as NULL; the spreadsheet-safety `'` is
    # stripped once, before any trimming, as the exporter added it outermost.
    con.execute("""CREATE MACRO cell(x) AS CASE WHEN starts_with(coalesce(x, ''), '''')
                   THEN substr(x, 2) ELSE coalesce(x, '') END""")
    # Money: exact DECIMAL, never DOUBLE. An unparsable amount is an error
    # (CAST, not TRY_CAST): an oracle must not silently read it as 0.
    con.execute("CREATE MACRO money(x) AS coalesce(CAST(NULLIF(trim(x), '') AS DECIMAL(18,2)), 0)")
    cur_filter = f"AND upper(currency) = upper({sql_str(currency)})" if currency else ""
    con.execute(f"""
CREATE TEMP TABLE orders AS
WITH raw AS (
  SELECT row_number() OVER () AS rn, cell("Name") AS name, cell("Email") AS email,
         cell("Created at") AS created, cell("Lineitem quantity") AS qty,
         cell("Financial Status") AS status, cell("Cancelled at") AS cancelled,
         cell("Payment Method") AS pay, cell("Total") AS total,
         cell("Refunded Amount") AS refunded, cell("Billing Company") AS company,
         cell("Currency") AS currency
  FROM read_csv({sql_str(path)}, header = true, all_varchar = true,
                delim = ',', quote = '"', escape = '"')
), grouped AS (
  -- Line items share Name; arg_min(.., rn) picks each order's first row,
  -- the only row that carries order-level fields.
  SELECT name,
         lower(trim(arg_min(email, rn))) AS email,
         CAST(substr(trim(arg_min(created, rn)), 1, 10) AS DATE) AS date,
         coalesce(sum(CAST(NULLIF(trim(qty), '') AS BIGINT)), 0) AS quantity,
         lower(trim(arg_min(status, rn))) AS status,
         trim(arg_min(cancelled, rn)) AS cancelled,
         trim(arg_min(pay, rn)) AS pay,
         money(arg_min(total, rn)) AS total,
         money(arg_min(refunded, rn)) AS refunded,
         trim(arg_min(company, rn)) AS company,
         trim(arg_min(currency, rn)) AS currency
  FROM raw GROUP BY name
)
SELECT name, email, date, quantity, currency,
       greatest(total - refunded, 0) AS net,
       CASE WHEN lower(company) IN ({", ".join(map(sql_str, NOT_COMPANY))})
            THEN '' ELSE company END AS company,
       NOT (cancelled <> '' OR status IN ('voided', 'refunded', 'expired')
            OR lower(pay) = '(for testing) bogus gateway') AS valid
FROM grouped WHERE true {cur_filter}
""")
    # Customer figures; money as HUGEINT cents so AOV bands compare exactly by
    # cross-multiplication: aov_c < 0.5*R/O  <=>  2*rev_c*O < R*orders_c.
    con.execute(f"""
CREATE TEMP TABLE cust AS
WITH c AS (
  SELECT email, count(*) AS orders, sum(net) AS revenue,
         CAST(sum(net) * 100 AS HUGEINT) AS cents,
         min(date) AS first_order, max(date) AS last_order,
         DATE {sql_str(as_of)} - max(date) AS days_since_last_order,
         sum(quantity) AS total_quantity, max(quantity) AS max_order_quantity,
         bool_or(company <> '') AS has_company
  FROM orders WHERE valid AND email <> '' GROUP BY email
), s AS (
  SELECT count(*) AS n, sum(orders) AS o, sum(cents) AS r FROM c
)
SELECT c.*,
       row_number() OVER (ORDER BY cents DESC, email) AS rank,
       CASE WHEN 2 * cents * s.o < s.r * orders THEN 'low'
            WHEN cents * s.o > 2 * s.r * orders THEN 'high'
            ELSE 'mid' END AS band,
       s.n AS n_customers
FROM c, s
""")
    if not currency:
        found = con.execute("SELECT DISTINCT currency FROM orders WHERE valid ORDER BY 1").fetchall()
        if len(found) > 1:
            print(f"reference.py: warning: several currencies {[f[0] for f in found]}; "
                  "summing as-is (use --currency)", file=sys.stderr)


def top_count(p, n):
    # ceil(p/100 * n) without floating point.
    return -(-Fraction(str(p)) * n // 100) if n else 0


def cents_round(x):
    """Exact Fraction of cents -> major units rounded half-up, as float."""
    whole = x.numerator // x.denominator
    if (x - whole) * 2 >= 1:  # half-up; cents are never negative here
        whole += 1
    return float(Decimal(whole) / 100)


def summary(con, lifespan):
    n = con.execute("SELECT count(*) FROM cust").fetchone()[0]
    t10, t20 = top_count(10, n), top_count(20, n)
    row = con.execute(f"""
SELECT count(*), coalesce(sum(orders), 0), coalesce(sum(cents), 0),
       count(*) FILTER (orders >= 2), coalesce(sum(cents) FILTER (orders >= 2), 0),
       coalesce(sum(cents) FILTER (rank <= {t10}), 0),
       coalesce(sum(cents) FILTER (rank <= {t20}), 0),
       count(*) FILTER (band = 'low'), count(*) FILTER (band = 'mid'), count(*) FILTER (band = 'high'),
       coalesce(sum(cents) FILTER (band = 'low'), 0), coalesce(sum(cents) FILTER (band = 'mid'), 0),
       coalesce(sum(cents) FILTER (band = 'high'), 0),
       max(last_order) - min(first_order) + 1
FROM cust""").fetchone()
    n, o, r, rep, rep_c, t10_c, t20_c, lo, mid, hi, lo_c, mid_c, hi_c, span_days = \
        [int(v) if v is not None else None for v in row]
    ex, un, un_c = con.execute("""
SELECT count(*) FILTER (NOT valid), count(*) FILTER (valid AND email = ''),
       coalesce(CAST(sum(net) FILTER (valid AND email = '') * 100 AS HUGEINT), 0)
FROM orders""").fetchone()

    def share(a, b):
        return a / b if b else None
    aov = Fraction(r, o) if o else None
    clv = None
    if n and span_days:
        # aov * (O/N) / (span_days/365.25) * lifespan, kept exact until the end.
        clv = aov * Fraction(o, n) / (Fraction(span_days) / Fraction("365.25")) \
            * Fraction(str(lifespan))
    return {
        "customers": n, "orders": o, "revenue": r / 100,
        "aov": cents_round(aov) if aov is not None else None,
        "purchase_frequency": share(o, n),
        "repeat_customers": rep, "repeat_rate": share(rep, n),
        "repeat_revenue_share": share(rep_c, r),
        "top_10_share": share(t10_c, r), "top_20_share": share(t20_c, r),
        "aov_low_customers": lo, "aov_mid_customers": mid, "aov_high_customers": hi,
        "aov_low_revenue_share": share(lo_c, r), "aov_mid_revenue_share": share(mid_c, r),
        "aov_high_revenue_share": share(hi_c, r),
        "clv": cents_round(clv) if clv is not None else None,
        "unattributed_orders": int(un), "unattributed_revenue": int(un_c) / 100,
        "excluded_orders": int(ex),
    }


def segments(con, out):
    os.makedirs(out, exist_ok=True)
    n = con.execute("SELECT count(*) FROM cust").fetchone()[0]
    where = {
        "bulk_b2b": "max_order_quantity >= 36 OR total_quantity >= 72 OR has_company",
        "repeat": "orders >= 2",
        "one_time": "orders = 1",
        "lapsed_60": "days_since_last_order >= 60 AND days_since_last_order < 90",
        "lapsed_90": "days_since_last_order >= 90",
        "top_20": f"rank <= {top_count(20, n)}",
        "aov_low": "band = 'low'", "aov_mid": "band = 'mid'", "aov_high": "band = 'high'",
    }
    sizes = {}
    for seg in SEGMENTS:
        dest = os.path.join(out, seg + ".csv")
        # Same spreadsheet-formula guard goldpan applies to text cells.
        con.execute(f"""
COPY (SELECT CASE WHEN regexp_matches(email, '^[=+\\-@\\t\\r]') THEN '''' || email
                  ELSE email END AS email,
             orders, revenue, first_order, last_order, days_since_last_order,
             total_quantity, max_order_quantity
      FROM cust WHERE {where[seg]} ORDER BY cents DESC, email)
TO {sql_str(dest)} (HEADER, DELIMITER ',', DATEFORMAT '%Y-%m-%d')""")
        sizes[seg] = con.execute(f"SELECT count(*) FROM cust WHERE {where[seg]}").fetchone()[0]
    return sizes


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("command", choices=["summary", "segments"])
    ap.add_argument("file")
    ap.add_argument("--as-of", required=True, type=date.fromisoformat)
    ap.add_argument("--lifespan-years", type=float, default=3)
    ap.add_argument("--currency")
    ap.add_argument("--out")
    a = ap.parse_args()
    if a.command == "segments" and not a.out:
        ap.error("segments needs --out DIR")
    con = duckdb.connect()
    build(con, a.file, a.as_of.isoformat(), a.currency)
    if a.command == "summary":
        print(json.dumps(summary(con, a.lifespan_years)))
    else:
        sizes = segments(con, a.out)
        print(json.dumps(sizes), file=sys.stderr)


if __name__ == "__main__":
    main()
