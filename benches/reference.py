#!/usr/bin/env python3
"""Independent DuckDB reference for goldpan's Shopify-orders figures, segments and product lists.

Two jobs: an oracle for goldpan's numbers (docs/definitions.md sections 1 to 4), and
the DuckDB peer in the speed benchmark. So all row-level work is DuckDB SQL
over the raw CSV, written as an expert would write it for speed: one parallel
`read_csv`, one `GROUP BY` per order and one per customer, no window over the
file's rows; Python only parses flags and does the final divisions.

  reference.py summary  FILE.csv --as-of YYYY-MM-DD [--lifespan-years 3] [--currency CODE]
  reference.py segments FILE.csv --as-of YYYY-MM-DD --out DIR [--currency CODE]
  reference.py products FILE.csv --as-of YYYY-MM-DD --out FILE.csv
  reference.py buyers   FILE.csv --as-of YYYY-MM-DD --bought PATTERN --out FILE.csv [--currency CODE]
  reference.py related  FILE.csv --as-of YYYY-MM-DD --out DIR [--min-customers 5]
                        [--per-customer 3] [--currency CODE]
  (all take --threads N, DuckDB's threads; default: all cores)

The lists have goldpan's columns (email, customer_id, name, company, phone,
accepts_marketing, orders, revenue, aov, first/last order, days since, the
quantities, `reasons` on bulk_b2b, as_of), except that `p_alive` on the lapsed
lists is left empty: it comes from a fitted model (docs/rfm-and-prediction.md),
not from SQL, and benches/bench.py does not compare it.

`buyers` and `related` (docs/products.md) read the file once too: its rows
become a temp table, grouped per order (the customer figures, as for the
lists) and, joined to the counted orders, per customer and line item; the
products, pairs and suggestions are GROUP BYs and joins over those smaller
tables, with windows only over the pairs table or within a customer's rows.
- buyers: the customers who bought an item whose name, name with variant or
  SKU contains PATTERN (one plain substring, any case; no globs, no
  --not-bought, no --since), as a list: the segment lists' columns (all
  computable here: buyers has no p_alive), then matched_products,
  matched_units, last_bought, as_of; sorted like the lists.
- related: pairs.csv (product_a, product_b, customers_a, customers_b,
  customers_both, confidence, lift; by lift, then customers_both, then the
  names) and next_items.csv (email, customer_id, name, accepts_marketing,
  rank, product, because_of, confidence, lift, as_of; customers in the lists'
  order). Customers with more than 200 products count in neither.
  The order uses the exact lift, customers_both x customers / (customers_a x
  customers_b) as one division of whole numbers, so the two directions of a
  pair always tie and go by name, and "a lift above 1" is compared in whole
  numbers.

Decisions the spec leaves open (keep in sync with the report):
- An order's fields come from the rows of its `Name` with max(): Shopify
  writes the order fields (e-mail, status, total, company, ...) on an order's
  first row only and leaves them empty on its line-item rows, so the one
  value is the first row's, as goldpan reads it, without numbering rows.
- --currency keeps only orders whose Currency matches (any case); other
  orders vanish entirely (not even excluded_orders). Without it, mixed
  currencies are summed as-is with a warning on stderr.
- Orders dated after the as-of date are left out of everything.
- Status, payment-method and company checks trim and ignore case.
- aov and clv are rounded half-up to cents from exact fractions; undefined
  ratios (no customers / orders) are null.
- Latest details (name, company, phone, accepts_marketing) come from the
  latest valid order that has a value: by `Created at` as written (local
  time), then a shorter order id, then the id's text.
- bulk_b2b: an order of 36+ items, 72+ items in all, or a company and a work
  e-mail together (the defaults; no customers export here).
- buyers, related: a product is the line item's name up to its last ' - '
  (the rest is the variant), in any case, shown under its most frequent
  spelling (by line items of counted orders; ties: the smaller text), an
  empty name being "(no name)". goldpan's default also joins names that share
  a SKU; the exports benchmarked have no such SKU, and a file that has one
  gets a warning on stderr, not goldpan's grouping.
"""
import argparse
import csv
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
# goldpan's free-mail providers and placeholder domains (src/segments.rs): an
# e-mail at any other domain is a work e-mail.
FREE_MAIL = [
    "gmail.com", "googlemail.com", "yahoo.com", "yahoo.co.uk", "yahoo.fr", "yahoo.de",
    "yahoo.it", "yahoo.es", "yahoo.ca", "yahoo.com.au", "ymail.com", "rocketmail.com",
    "hotmail.com", "hotmail.co.uk", "hotmail.fr", "hotmail.de", "hotmail.it", "hotmail.es",
    "outlook.com", "outlook.fr", "outlook.de", "live.com", "live.co.uk", "live.fr", "msn.com",
    "aol.com", "icloud.com", "me.com", "mac.com", "proton.me", "protonmail.com", "pm.me",
    "gmx.com", "gmx.de", "gmx.net", "gmx.at", "web.de", "t-online.de", "freenet.de",
    "mail.com", "email.com", "zoho.com", "yandex.com", "yandex.ru", "mail.ru", "qq.com",
    "163.com", "126.com", "naver.com", "hey.com", "fastmail.com", "tutanota.com", "libero.it",
    "virgilio.it", "orange.fr", "wanadoo.fr", "free.fr", "laposte.net", "sfr.fr",
    "btinternet.com", "sky.com", "comcast.net", "verizon.net", "att.net", "sbcglobal.net",
    "cox.net", "rediffmail.com", "seznam.cz", "wp.pl", "o2.pl", "bigpond.com", "shaw.ca",
    "example.com", "example.org", "example.net",
]
BULK_ORDER_QTY, BULK_TOTAL_QTY = 36, 72


def sql_str(s):
    return "'" + str(s).replace("'", "''") + "'"


def sql_list(xs):
    return ", ".join(map(sql_str, xs))


def prepare(con, path):
    """The macros both peers use, and `c(name)`: an export column as SQL,
    empty when the export does not have it."""
    with open(path, newline="", encoding="utf-8-sig") as f:
        header = {h.strip() for h in next(csv.reader(f))}

    def c(name):
        # An optional column the export does not have reads as empty.
        return f'cell("{name}")' if name in header else "''"

    # DuckDB reads "" and bare empty as NULL; the spreadsheet-safety `'` is
    # stripped once, before any trimming, as the exporter added it outermost.
    con.execute(r"""CREATE MACRO cell(x) AS CASE WHEN starts_with(coalesce(x, ''), '''')
                    THEN substr(x, 2) ELSE coalesce(x, '') END""")
    # Customer text as goldpan writes it: line breaks and tabs as spaces, trimmed.
    con.execute(r"CREATE MACRO plain(x) AS trim(regexp_replace(x, '[\t\r\n]', ' ', 'g'))")
    # Money: exact DECIMAL, never DOUBLE. An unparsable amount is an error
    # (CAST, not TRY_CAST): an oracle must not silently read it as 0.
    con.execute("CREATE MACRO money(x) AS coalesce(CAST(NULLIF(trim(x), '') AS DECIMAL(18,2)), 0)")
    return c


def scan(path):
    """One parallel read of the export, every cell as text."""
    return (f"read_csv({sql_str(path)}, header = true, all_varchar = true, parallel = true, "
            f"delim = ',', quote = '\"', escape = '\"')")


def build(con, path, as_of, currency, items=False):
    """Create the temp tables `orders` (one row per order) and `cust` (one row
    per attributed customer, with ranking, AOV band and B2B signals). With
    `items`, the file's rows are kept as the temp table `raw` (with each
    row's line item: `item`, `sku`, `qty`) for `line_items()`, so that the
    file is read once."""
    c = prepare(con, path)
    cur_filter = f"AND upper(currency) = upper({sql_str(currency)})" if currency else ""
    yes, no = sql_list(["yes", "true", "1", "y"]), sql_list(["no", "false", "0", "n"])
    item_columns = ""
    if items:
        if c("Lineitem name") == "''":  # the export has no such column
            sys.exit(f"reference.py: {path}: no line items (no `Lineitem name` column)")
        item_columns = f""",
         plain(cell("Lineitem name")) AS item, coalesce(plain({c("Lineitem sku")}), '') AS sku"""
    raw = f"""
  SELECT cell("Name") AS id, {c("Email")} AS email, cell("Created at") AS created,
         CAST(NULLIF(trim(cell("Lineitem quantity")), '') AS BIGINT) AS qty,
         cell("Financial Status") AS status,
         {c("Cancelled at")} AS cancelled, {c("Payment Method")} AS pay, cell("Total") AS total,
         {c("Refunded Amount")} AS refunded, {c("Billing Company")} AS company,
         {c("Currency")} AS currency,
         coalesce(nullif(plain({c("Billing Name")}), ''), plain({c("Shipping Name")})) AS person,
         coalesce(nullif(plain({c("Billing Phone")}), ''), nullif(plain({c("Phone")}), ''),
                  plain({c("Shipping Phone")})) AS phone,
         CASE WHEN lower(trim({c("Accepts Marketing")})) IN ({yes}) THEN 'yes'
              WHEN lower(trim({c("Accepts Marketing")})) IN ({no}) THEN 'no'
              ELSE '' END AS accepts{item_columns}
  FROM {scan(path)}"""
    if items:
        con.execute(f"CREATE TEMP TABLE raw AS {raw}")
        with_raw = "WITH"
    else:
        with_raw = f"WITH raw AS ({raw}\n),"
    con.execute(f"""
CREATE TEMP TABLE orders AS
{with_raw} grouped AS (
  -- Line items share Name; only an order's first row carries its order
  -- fields, so max() over the order's rows is the first row's value.
  SELECT id,
         lower(trim(max(email))) AS email,
         trim(max(created)) AS created,
         coalesce(sum(qty), 0) AS quantity,
         lower(trim(max(status))) AS status,
         trim(max(cancelled)) AS cancelled,
         trim(max(pay)) AS pay,
         money(max(total)) AS total,
         money(max(refunded)) AS refunded,
         trim(max(company)) AS company,
         trim(max(currency)) AS currency,
         max(person) AS person, max(phone) AS phone, max(accepts) AS accepts
  FROM raw GROUP BY id
)
SELECT id, email, CAST(substr(created, 1, 10) AS DATE) AS date,
       -- "Latest" order: local date and time as written, a shorter id, the id.
       (substr(created, 1, 19), length(id), id) AS latest,
       quantity, currency, greatest(total - refunded, 0) AS net,
       CASE WHEN lower(company) IN ({sql_list(NOT_COMPANY)}) THEN '' ELSE company END AS company,
       person, phone, accepts,
       NOT (cancelled <> '' OR status IN ('voided', 'refunded', 'expired')
            OR lower(pay) = '(for testing) bogus gateway') AS valid
FROM grouped
WHERE CAST(substr(created, 1, 10) AS DATE) <= DATE {sql_str(as_of)} {cur_filter}
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
         arg_max(person, latest) FILTER (person <> '') AS person,
         arg_max(company, latest) FILTER (company <> '') AS company,
         arg_max(phone, latest) FILTER (phone <> '') AS phone,
         arg_max(accepts, latest) FILTER (accepts <> '') AS accepts
  FROM orders WHERE valid AND email <> '' GROUP BY email
), s AS (
  SELECT count(*) AS n, sum(orders) AS o, sum(cents) AS r FROM c
)
SELECT c.*,
       row_number() OVER (ORDER BY cents DESC, email) AS rank,
       CASE WHEN 2 * cents * s.o < s.r * orders THEN 'low'
            WHEN cents * s.o > 2 * s.r * orders THEN 'high'
            ELSE 'mid' END AS band,
       s.n AS n_customers,
       max_order_quantity >= {BULK_ORDER_QTY} AS order_qty,
       total_quantity >= {BULK_TOTAL_QTY} AS total_qty,
       company IS NOT NULL AS has_company,
       coalesce(regexp_extract(email, '@([^@]+)$', 1), '') NOT IN ('', {sql_list(FREE_MAIL)})
         AS work_email
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


# The segment lists' columns from `cust`, as goldpan writes them (after
# list_macros()); a list adds its own columns and as_of.
LIST_COLUMNS = """safe(email) AS email, NULL AS customer_id, safe(person) AS name,
             safe(company) AS company, safe_phone(phone) AS phone,
             nullif(accepts, '') AS accepts_marketing, orders, cents_text(cents) AS revenue,
             cents_text((2 * cents + orders) // (2 * orders)) AS aov,
             first_order, last_order, days_since_last_order, total_quantity,
             max_order_quantity"""


def list_macros(con):
    # goldpan's spreadsheet-formula guard on text cells: a leading ' unless
    # the cell is a plain number (-12.50, +15550100).
    con.execute(r"""CREATE MACRO safe(x) AS CASE
        WHEN regexp_matches(x, '^[=+\-@\t\r]') AND NOT regexp_matches(x, '^[-+]?[0-9]+(\.[0-9]+)?$')
        THEN '''' || x ELSE x END""")
    # ... and on phones that a spreadsheet would read as a number (a leading
    # + or 0, then digits): the ' keeps the + and the zeros.
    con.execute(r"""CREATE MACRO safe_phone(x) AS CASE
        WHEN regexp_matches(x, '^[+0][0-9]+$') THEN '''' || x ELSE safe(x) END""")
    con.execute("CREATE MACRO cents_text(x) AS printf('%d.%02d', x // 100, x % 100)")


def segments(con, out, as_of):
    os.makedirs(out, exist_ok=True)
    n = con.execute("SELECT count(*) FROM cust").fetchone()[0]
    where = {
        "bulk_b2b": "order_qty OR total_qty OR (has_company AND work_email)",
        "repeat": "orders >= 2",
        "one_time": "orders = 1",
        "lapsed_60": "days_since_last_order >= 60 AND days_since_last_order < 90",
        "lapsed_90": "days_since_last_order >= 90",
        "top_20": f"rank <= {top_count(20, n)}",
        "aov_low": "band = 'low'", "aov_mid": "band = 'mid'", "aov_high": "band = 'high'",
    }
    list_macros(con)
    sizes = {}
    for seg in SEGMENTS:
        dest = os.path.join(out, seg + ".csv")
        extra = ""
        if seg == "bulk_b2b":
            extra = """concat_ws(';', CASE WHEN order_qty THEN 'order_qty' END,
                                      CASE WHEN total_qty THEN 'total_qty' END,
                                      CASE WHEN has_company THEN 'company' END,
                                      CASE WHEN work_email THEN 'work_email' END) AS reasons,"""
        elif seg.startswith("lapsed_"):
            extra = "NULL AS p_alive,"
        # aov: the customer's revenue / orders in cents, rounded half up.
        con.execute(f"""
COPY (SELECT {LIST_COLUMNS}, {extra} DATE {sql_str(as_of)} AS as_of
      FROM cust WHERE {where[seg]} ORDER BY cents DESC, email)
TO {sql_str(dest)} (HEADER, DELIMITER ',', DATEFORMAT '%Y-%m-%d')""")
        sizes[seg] = con.execute(f"SELECT count(*) FROM cust WHERE {where[seg]}").fetchone()[0]
    return sizes


def products(con, path, as_of, out):
    """goldpan products as SQL over the same file: one parallel scan of the
    columns it needs, one GROUP BY per order, per customer and per product.
    A product is the item's name up to its last ' - ' (the rest is the
    variant), in any case: the exports this benchmark reads have no SKU
    shared by two names, where goldpan's SKU grouping gives the same
    products. Writes key, customers, orders, units, revenue (cents),
    revenue_share, first_order_customers, repeat_share, median_days_to_second
    as CSV to `out`."""
    c = prepare(con, path)
    con.execute("CREATE MACRO cents(x) AS CAST(round(money(x) * 100) AS BIGINT)")
    con.execute(f"""
CREATE TEMP TABLE raw AS
SELECT cell("Name") AS id, {c("Email")} AS email, {c("Created at")} AS created,
       {c("Financial Status")} AS status, {c("Cancelled at")} AS cancelled,
       {c("Payment Method")} AS pay, plain(cell("Lineitem name")) AS item,
       CAST(NULLIF(trim(cell("Lineitem quantity")), '') AS BIGINT) AS qty,
       cents({c("Lineitem price")}) AS price, cents({c("Lineitem discount")}) AS discount
FROM {scan(path)}""")
    con.execute(f"""
CREATE TEMP TABLE porders AS
SELECT id, nullif(lower(trim(max(email))), '') AS customer,
       substr(trim(max(created)), 1, 19) AS stamp, CAST(substr(trim(max(created)), 1, 10) AS DATE) AS day
FROM raw GROUP BY id
HAVING trim(max(cancelled)) = ''
   AND lower(trim(max(status))) NOT IN ('voided', 'refunded', 'expired')
   AND lower(trim(max(pay))) <> '(for testing) bogus gateway'
   AND CAST(substr(trim(max(created)), 1, 10) AS DATE) <= DATE {sql_str(as_of)}""")
    con.execute("""
CREATE TEMP TABLE plines AS
SELECT r.id, o.customer, lower(CASE WHEN regexp_matches(r.item, '^.*\S.* - .*\S.*$')
                                    THEN trim(regexp_extract(r.item, '^(.*) - (.*)$', 1))
                                    ELSE r.item END) AS key,
       r.qty, r.price * r.qty - r.discount AS cents
FROM raw r JOIN porders o USING (id) WHERE r.item <> ''
""")
    con.execute(f"""
COPY (
WITH firsts AS (
  SELECT customer, arg_min(id, stamp || id) AS first_id, min(stamp) AS first_stamp, min(day) AS first_day
  FROM porders WHERE customer IS NOT NULL GROUP BY customer),
seconds AS (
  SELECT f.customer, min(o.day) - f.first_day AS days
  FROM firsts f JOIN porders o ON o.customer = f.customer AND o.stamp || o.id > f.first_stamp || f.first_id
  GROUP BY f.customer, f.first_day),
per AS (
  SELECT key, count(DISTINCT customer) AS customers, count(DISTINCT id) AS orders,
         sum(qty) AS units, sum(cents) AS cents
  FROM plines GROUP BY key),
first_buys AS (
  SELECT DISTINCT l.key, f.customer, s.days
  FROM plines l JOIN firsts f ON l.id = f.first_id LEFT JOIN seconds s ON s.customer = f.customer),
rep AS (
  SELECT key, count(*) AS first_customers, count(days) AS returned, median(days) AS median_days
  FROM first_buys GROUP BY key)
SELECT per.key, customers, orders, units, cents,
       round(cents / sum(cents) OVER (), 4) AS revenue_share,
       coalesce(first_customers, 0) AS first_order_customers,
       CASE WHEN first_customers > 0 THEN round(returned / first_customers, 4) END AS repeat_share,
       round(median_days, 1) AS median_days_to_second
FROM per LEFT JOIN rep USING (key) ORDER BY cents DESC, key
) TO {sql_str(out)} (HEADER)""")


MAX_PRODUCTS_PER_CUSTOMER = 200


def line_items(con):
    """After build(items=True): the temp tables `ci` (per customer and line
    item of the counted orders: lines, units, last day; customer '' for
    unattributed orders), `art` (per distinct item and SKU: its product
    `pid`, `name`, and `full_name`, the name with its variant) and `prods` (per
    product: pid, key, name)."""
    con.execute("""
CREATE TEMP TABLE ci AS
SELECT o.email AS customer, r.item, r.sku, count(*) AS n,
       coalesce(sum(r.qty), 0) AS units, max(o.date) AS last
FROM raw r JOIN orders o USING (id) WHERE o.valid
GROUP BY ALL""")
    # The rest works on the distinct items, a few hundred rows: the name cut
    # at its last ' - ' (both sides not blank), as goldpan cuts it.
    con.execute("""
CREATE TEMP TABLE items AS
WITH a AS (SELECT item, sku, sum(n) AS n FROM ci GROUP BY ALL),
s AS (SELECT *, trim(regexp_extract(item, '^(.*) - (.*)$', 1)) AS p,
             trim(regexp_extract(item, '^(.*) - (.*)$', 2)) AS v FROM a)
SELECT item, sku, n,
       CASE WHEN p <> '' AND v <> '' THEN p WHEN item = '' THEN '(no name)' ELSE item END AS product,
       CASE WHEN p <> '' AND v <> '' THEN p || ' - ' || v
            WHEN item = '' THEN '(no name)' ELSE item END AS full_name
FROM s""")
    # A product is its name in any case, shown under its most frequent
    # spelling (line items), ties to the smaller text.
    con.execute("""
CREATE TEMP TABLE prods AS
WITH spelled AS (SELECT lower(product) AS key, product, sum(n) AS n FROM items GROUP BY ALL),
named AS (SELECT key, arg_min(product, (-n, product)) AS name FROM spelled GROUP BY key)
SELECT row_number() OVER (ORDER BY name) AS pid, key, name FROM named""")
    con.execute("""
CREATE TEMP TABLE art AS
SELECT i.item, i.sku, i.full_name, p.pid, p.name FROM items i JOIN prods p ON p.key = lower(i.product)""")
    shared = con.execute("""
SELECT sku FROM items WHERE sku <> '' GROUP BY sku HAVING count(DISTINCT lower(product)) > 1
ORDER BY sku LIMIT 3""").fetchall()
    if shared:
        print(f"reference.py: warning: SKUs {[r[0] for r in shared]} are on items of several "
              "names: goldpan's default identity joins those names into one product, this "
              "peer does not", file=sys.stderr)


def buyers(con, out, as_of, pattern):
    """goldpan buyers --bought PATTERN: the customers with an item whose name,
    name with variant or SKU contains the pattern, in any case."""
    pat = pattern.strip().lower()
    if not pat or "*" in pat:
        sys.exit("reference.py buyers: --bought takes part of a name or SKU (no globs)")
    line_items(con)
    list_macros(con)
    con.execute(f"""
CREATE TEMP TABLE bought AS
WITH m AS (SELECT item, sku, name FROM art
           WHERE contains(lower(full_name), {sql_str(pat)}) OR contains(lower(sku), {sql_str(pat)}))
SELECT customer, string_agg(DISTINCT name, '; ' ORDER BY name) AS matched_products,
       sum(units) AS matched_units, max(last) AS last_bought
FROM ci JOIN m USING (item, sku) WHERE customer <> '' GROUP BY customer""")
    con.execute(f"""
COPY (SELECT {LIST_COLUMNS}, safe(matched_products) AS matched_products, matched_units,
             last_bought, DATE {sql_str(as_of)} AS as_of
      FROM cust JOIN bought b ON b.customer = cust.email ORDER BY cents DESC, email)
TO {sql_str(out)} (HEADER, DELIMITER ',', DATEFORMAT '%Y-%m-%d')""")
    n = con.execute("SELECT count(*) FROM bought").fetchone()[0]
    if not con.execute(f"""SELECT count(*) FROM art WHERE contains(lower(full_name), {sql_str(pat)})
                          OR contains(lower(sku), {sql_str(pat)})""").fetchone()[0]:
        print(f"reference.py: note: no product matches --bought {pattern!r}", file=sys.stderr)
    return {"buyers": n}


def related(con, out, as_of, min_customers, per_customer):
    """goldpan related: pairs.csv and next_items.csv in `out`."""
    os.makedirs(out, exist_ok=True)
    line_items(con)
    list_macros(con)
    # Each customer's distinct products, with how many they have.
    con.execute("""
CREATE TEMP TABLE cp AS
WITH d AS (SELECT DISTINCT customer, pid FROM ci JOIN art USING (item, sku) WHERE customer <> '')
SELECT customer, pid, count(*) OVER (PARTITION BY customer) AS n FROM d""")
    customers, over = con.execute(f"""
SELECT count(DISTINCT customer) FILTER (n <= {MAX_PRODUCTS_PER_CUSTOMER}),
       count(DISTINCT customer) FILTER (n > {MAX_PRODUCTS_PER_CUSTOMER}) FROM cp""").fetchone()
    # Pairs over the customers within the bound, both ways, in pairs.csv's
    # order: the exact lift (both x N / (a x b), one correctly rounded
    # division, so the two ways of a pair tie), customers_both, the names.
    con.execute(f"""
CREATE TEMP TABLE pairs AS
WITH k AS (SELECT customer, pid FROM cp WHERE n <= {MAX_PRODUCTS_PER_CUSTOMER}),
pc AS (SELECT pid, count(*) AS c FROM k GROUP BY pid),
b AS (SELECT x.pid AS pa, y.pid AS pb, count(*) AS n_both FROM k x JOIN k y
        ON x.customer = y.customer AND x.pid < y.pid
      GROUP BY ALL HAVING count(*) >= {int(min_customers)}),
d AS (SELECT pa, pb, n_both FROM b UNION ALL SELECT pb, pa, n_both FROM b),
f AS (SELECT d.pa, d.pb, ca.c AS ca, cb.c AS cb, d.n_both, na.name AS name_a, nb.name AS name_b,
             d.n_both / ca.c AS confidence,
             CAST(d.n_both * {customers} AS DOUBLE) / CAST(ca.c * cb.c AS DOUBLE) AS lift,
             d.n_both * {customers} > ca.c * cb.c AS above_one
      FROM d JOIN pc ca ON ca.pid = d.pa JOIN pc cb ON cb.pid = d.pb
      JOIN prods na ON na.pid = d.pa JOIN prods nb ON nb.pid = d.pb)
SELECT *, row_number() OVER (ORDER BY lift DESC, n_both DESC, name_a, name_b) AS rank FROM f""")
    con.execute(f"""
COPY (SELECT safe(name_a) AS product_a, safe(name_b) AS product_b, ca AS customers_a,
             cb AS customers_b, n_both AS customers_both, printf('%.4f', confidence) AS confidence,
             printf('%.4f', lift) AS lift
      FROM pairs ORDER BY rank)
TO {sql_str(os.path.join(out, "pairs.csv"))} (HEADER, DELIMITER ',')""")
    # next_items: per customer, the products they lack, each by its best pair
    # (the lowest rank, lift above 1) from a product they have; the best
    # per_customer. From a product with n owned, only its first
    # per_customer + n - 1 pairs can hold its per_customer best new ones.
    con.execute(f"""
COPY (
WITH f AS (SELECT pa, pb, rank, row_number() OVER (PARTITION BY pa ORDER BY rank) AS k
           FROM pairs WHERE above_one),
cand AS (SELECT c.customer, f.pb, min(f.rank) AS rank
         FROM cp c JOIN f ON f.pa = c.pid AND f.k < {int(per_customer)} + c.n
         WHERE c.n <= {MAX_PRODUCTS_PER_CUSTOMER} GROUP BY ALL),
new AS (SELECT * FROM cand ANTI JOIN cp o ON o.customer = cand.customer AND o.pid = cand.pb),
top AS (SELECT customer, rank, row_number() OVER (PARTITION BY customer ORDER BY rank) AS r
        FROM new QUALIFY r <= {int(per_customer)})
SELECT safe(email) AS email, NULL AS customer_id, safe(person) AS name,
       nullif(accepts, '') AS accepts_marketing, top.r AS rank, safe(p.name_b) AS product,
       safe(p.name_a) AS because_of, printf('%.4f', p.confidence) AS confidence,
       printf('%.4f', p.lift) AS lift, DATE {sql_str(as_of)} AS as_of
FROM top JOIN pairs p USING (rank) JOIN cust ON cust.email = top.customer
ORDER BY cents DESC, email, top.r
) TO {sql_str(os.path.join(out, "next_items.csv"))} (HEADER, DELIMITER ',', DATEFORMAT '%Y-%m-%d')""")
    npairs = con.execute("SELECT count(*) FROM pairs").fetchone()[0]
    return {"customers": customers, "customers_over_the_bound": over, "pairs": npairs}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("command", choices=["summary", "segments", "products", "buyers", "related"])
    ap.add_argument("file")
    ap.add_argument("--as-of", required=True, type=date.fromisoformat)
    ap.add_argument("--lifespan-years", type=float, default=3)
    ap.add_argument("--currency")
    ap.add_argument("--out")
    ap.add_argument("--bought", help="buyers: part of a product's name or SKU")
    ap.add_argument("--min-customers", type=int, default=5,
                    help="related: fewest customers in both for a pair (default 5)")
    ap.add_argument("--per-customer", type=int, default=3,
                    help="related: products suggested to each customer (default 3)")
    ap.add_argument("--threads", type=int, help="DuckDB's threads (default: all cores)")
    a = ap.parse_args()
    if a.command in ("segments", "products", "buyers", "related") and not a.out:
        ap.error(f"{a.command} needs --out")
    if a.command == "buyers" and not a.bought:
        ap.error("buyers needs --bought")
    con = duckdb.connect()
    if a.threads:
        con.execute(f"SET threads = {int(a.threads)}")
    if a.command == "products":
        products(con, a.file, a.as_of.isoformat(), a.out)
        return
    build(con, a.file, a.as_of.isoformat(), a.currency, items=a.command in ("buyers", "related"))
    if a.command == "buyers":
        print(json.dumps(buyers(con, a.out, a.as_of.isoformat(), a.bought)), file=sys.stderr)
    elif a.command == "related":
        print(json.dumps(related(con, a.out, a.as_of.isoformat(), a.min_customers,
                                 a.per_customer)), file=sys.stderr)
    elif a.command == "summary":
        print(json.dumps(summary(con, a.lifespan_years)))
    else:
        sizes = segments(con, a.out, a.as_of.isoformat())
        print(json.dumps(sizes), file=sys.stderr)


if __name__ == "__main__":
    main()
