#!/usr/bin/env python3
"""Independent DuckDB reference for goldpan's products, related pairs and buyers.

All row-level work is DuckDB SQL over the raw export (Shopify orders, or
BigCommerce with its `Product Details`); it shares no code with goldpan. It
runs goldpan on the same file and compares:

- products: per product (by name without the variant, in any case) the
  customers, orders, units, revenue, first-order customers, repeat share and
  median days to the second order;
- related: customers_both of every pair (goldpan run with --min-customers 1),
  and the customers counted;
- buyers: the e-mails (or customer ids), matched units and last_bought of
  `--bought PATTERN --not-bought PATTERN` (substring, any case, over name,
  name with variant and SKU).

  products_reference.py FILE --as-of YYYY-MM-DD --goldpan target/debug/goldpan \
      [--bought "dinner napkin" --not-bought "cocktail napkin"]

Prints the figures it checked and exits 1 on the first disagreement.

Decisions (docs/products.md): a product is its name cut at the last " - "
(Shopify's "Title - Variant"); the real samples have no SKU shared by two
names and one SKU per name, so grouping by name is goldpan's default
identity there. A line's revenue is price x quantity - line discount
(BigCommerce: Product Total Price). Counted orders: Shopify not cancelled,
not voided/refunded/expired, not the test gateway; BigCommerce not
cancelled/declined/refunded/incomplete; dated on or before --as-of.
"""
import argparse
import csv
import io
import subprocess
import sys

import duckdb


def q(s):
    return "'" + str(s).replace("'", "''") + "'"


def load(con, path, as_of):
    """Creates `lines(order_id, customer, day, secs, product, variant, sku, qty, cents)`
    for the line items of the counted orders."""
    header = next(csv.reader(open(path, encoding="utf-8-sig")))
    con.execute(f"CREATE TABLE raw AS SELECT row_number() OVER () AS rn, * FROM "
                f"read_csv({q(path)}, all_varchar=true, header=true)")
    if "Lineitem name" in header:
        con.execute(f"""
CREATE TABLE orders AS
SELECT "Name" AS order_id, lower(trim(coalesce("Email", ''))) AS customer,
       CAST(substr("Created at", 1, 10) AS DATE) AS day,
       substr("Created at", 12, 8) AS secs
FROM (SELECT *, row_number() OVER (PARTITION BY "Name" ORDER BY rn) AS k FROM raw)
WHERE k = 1 AND coalesce("Cancelled at", '') = ''
  AND lower(trim(coalesce("Financial Status", ''))) NOT IN ('voided', 'refunded', 'expired')
  AND trim(coalesce("Payment Method", '')) <> '(for testing) Bogus Gateway'
  AND CAST(substr("Created at", 1, 10) AS DATE) <= DATE {q(as_of)}""")
        con.execute(f"""
CREATE TABLE items AS
SELECT "Name" AS order_id, trim("Lineitem name") AS n, nullif(trim(coalesce("Lineitem sku", '')), '') AS sku,
       CAST("Lineitem quantity" AS BIGINT) AS qty,
       CAST(round(CAST(coalesce(nullif("Lineitem price", ''), '0') AS DECIMAL(18,2)) * 100) AS BIGINT)
         * CAST("Lineitem quantity" AS BIGINT)
       - CAST(round(CAST(coalesce(nullif("Lineitem discount", ''), '0') AS DECIMAL(18,2)) * 100) AS BIGINT)
         AS cents
FROM raw""")
    else:
        email = '"Customer Email"' if "Customer Email" in header else "NULL"
        con.execute(f"""
CREATE TABLE orders AS
SELECT "Order ID" AS order_id,
       coalesce(nullif(lower(trim(coalesce({email}, ''))), ''),
                CASE WHEN coalesce(trim("Customer ID"), '0') IN ('', '0') THEN ''
                     ELSE 'id:' || trim("Customer ID") END) AS customer,
       strptime("Order Date", '%d/%m/%Y')::DATE AS day, '' AS secs
FROM raw
WHERE lower(trim("Order Status")) NOT IN ('cancelled', 'declined', 'refunded', 'incomplete')
  AND strptime("Order Date", '%d/%m/%Y')::DATE <= DATE {q(as_of)}""")
        con.execute("""
CREATE TABLE items AS
WITH parts AS (
  SELECT "Order ID" AS order_id, unnest(string_split(trim("Product Details"), '|Product ID: ')) AS p
  FROM raw WHERE trim(coalesce("Product Details", '')) <> '')
SELECT order_id,
       trim(replace(replace(replace(regexp_extract(p, ', Product Name: (.*?), Product Weight: ', 1),
            '&quot;', '"'), '&#39;', ''''), '&amp;', '&')) AS n,
       nullif(trim(regexp_extract(p, ', Product SKU: (.*?), Product Name: ', 1)), '') AS sku,
       CAST(regexp_extract(p, 'Product Qty: ([0-9]+),', 1) AS BIGINT) AS qty,
       CAST(round(CAST(regexp_extract(p, 'Product Total Price: ([0-9.]+)$', 1) AS DECIMAL(18,2)) * 100)
            AS BIGINT) AS cents
FROM parts""")
    con.execute(f"""
CREATE TABLE lines AS
SELECT o.order_id, nullif(o.customer, '') AS customer, o.day, o.secs,
       CASE WHEN regexp_matches(i.n, '^.*\S.* - .*\S.*$')
            THEN trim(regexp_extract(i.n, '^(.*) - (.*)$', 1)) ELSE i.n END AS product,
       i.n AS full_name, i.sku, i.qty, i.cents
FROM items i JOIN orders o USING (order_id)""")
    # A customer's orders, earliest first: date, time, then the id as text.
    con.execute("""
CREATE TABLE cust_orders AS
SELECT customer, order_id, day,
       row_number() OVER (PARTITION BY customer ORDER BY day, secs, order_id) AS k
FROM orders WHERE customer <> ''""")


def products(con):
    rows = con.execute("""
WITH firsts AS (
  SELECT f.customer, f.order_id, s.day - f.day AS days
  FROM cust_orders f LEFT JOIN cust_orders s ON s.customer = f.customer AND s.k = 2
  WHERE f.k = 1),
per AS (
  SELECT lower(product) AS key, count(DISTINCT customer) AS customers,
         count(DISTINCT order_id) AS orders, sum(qty) AS units, sum(cents) AS cents
  FROM lines GROUP BY 1),
first_buys AS (
  SELECT DISTINCT lower(l.product) AS key, f.customer, f.days
  FROM lines l JOIN firsts f ON l.order_id = f.order_id),
rep AS (
  SELECT key, count(*) AS first_customers, count(days) AS returned,
         median(days) AS median_days
  FROM first_buys GROUP BY key)
SELECT per.key, customers, orders, units, cents, coalesce(first_customers, 0), returned, median_days
FROM per LEFT JOIN rep USING (key) ORDER BY cents DESC, key""").fetchall()
    return {r[0]: r[1:] for r in rows}


def pairs(con):
    rows = con.execute("""
WITH bought AS (SELECT DISTINCT customer, lower(product) AS key FROM lines WHERE customer IS NOT NULL)
SELECT a.key, b.key, count(*) FROM bought a JOIN bought b ON a.customer = b.customer AND a.key < b.key
GROUP BY 1, 2""").fetchall()
    customers = con.execute(
        "SELECT count(DISTINCT customer) FROM lines WHERE customer IS NOT NULL").fetchone()[0]
    return {(a, b): n for a, b, n in rows}, customers


def buyers(con, bought, not_bought):
    def matches(patterns):
        return " OR ".join(
            f"contains(lower(product), {q(p.lower())}) OR contains(lower(full_name), {q(p.lower())}) "
            f"OR contains(lower(coalesce(sku, '')), {q(p.lower())})" for p in patterns)
    unwanted = f"AND customer NOT IN (SELECT customer FROM lines WHERE customer IS NOT NULL AND ({matches(not_bought)}))" \
        if not_bought else ""
    rows = con.execute(f"""
SELECT customer, sum(qty), max(day)::VARCHAR FROM lines
WHERE customer IS NOT NULL AND ({matches(bought)}) {unwanted}
GROUP BY customer""").fetchall()
    return {r[0]: (r[1], r[2]) for r in rows}


def goldpan(binary, *args):
    done = subprocess.run([binary, *args], capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"goldpan {' '.join(args)} failed: {done.stderr}")
    return done.stdout


def agree(what, ours, theirs):
    if ours != theirs:
        print(f"DISAGREE {what}: reference {ours!r}, goldpan {theirs!r}")
        sys.exit(1)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("file")
    parser.add_argument("--as-of", required=True)
    parser.add_argument("--goldpan", required=True)
    parser.add_argument("--bought", action="append", default=[])
    parser.add_argument("--not-bought", action="append", default=[])
    args = parser.parse_args()
    con = duckdb.connect()
    load(con, args.file, args.as_of)
    common = [args.file, "--as-of", args.as_of]

    ref = products(con)
    got = list(csv.DictReader(io.StringIO(goldpan(args.goldpan, "products", *common))))
    agree("number of products", len(ref), len(got))
    for row in got:
        key = row["product"].lower()
        customers, orders, units, cents, first, returned, median = ref[key]
        repeat = f"{returned / first:.4f}" if first else ""
        med = f"{median:.1f}" if median is not None else ""
        revenue = f"{cents // 100}.{cents % 100:02d}" if cents >= 0 else f"-{-cents // 100}.{-cents % 100:02d}"
        agree(f"products {key}",
              (str(customers), str(orders), str(units), revenue, str(first), repeat, med),
              (row["customers"], row["orders"], row["units"], row["revenue"],
               row["first_order_customers"], row["repeat_share"], row["median_days_to_second"]))
    top = ", ".join(f"{r['product']} ({r['revenue']})" for r in got[:3])
    print(f"products: {len(got)} agree; top by revenue: {top}")

    import tempfile
    with tempfile.TemporaryDirectory() as out:
        report = goldpan(args.goldpan, "related", *common, "--min-customers", "1", "--json", "--out", out)
        got_pairs = {}
        for row in csv.DictReader(open(f"{out}/pairs.csv", encoding="utf-8")):
            a, b = row["product_a"].lower(), row["product_b"].lower()
            if a < b:
                got_pairs[(a, b)] = int(row["customers_both"])
    ref_pairs, customers = pairs(con)
    import json
    agree("customers paired", customers, json.loads(report)["customers"])
    agree("pairs", ref_pairs, got_pairs)
    print(f"related: {len(ref_pairs)} pairs agree on customers_both, over {customers} customers")

    if args.bought:
        flags = [f for p in args.bought for f in ("--bought", p)]
        flags += [f for p in args.not_bought for f in ("--not-bought", p)]
        listed = csv.DictReader(io.StringIO(goldpan(args.goldpan, "buyers", *common, *flags, "--out", "-")))
        got_buyers = {}
        for row in listed:
            key = row["email"] or f"id:{row['customer_id']}"
            got_buyers[key] = (int(row["matched_units"]), row["last_bought"])
        agree("buyers", buyers(con, args.bought, args.not_bought), got_buyers)
        print(f"buyers: {len(got_buyers)} customers agree (units, last_bought)")


if __name__ == "__main__":
    main()
