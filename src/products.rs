//! Products: the line items of the counted orders grouped into products
//! (docs/products.md), and what `products`, `buyers` and `related` compute
//! from them. Plain Rust over vectors: a product and a customer are indices,
//! so a million orders' items are counted without a string per item.

use crate::model::{col, item_col};
use polars::prelude::{DataFrame, DataType, PolarsResult, StringChunked};
use rustc_hash::{FxHashMap, FxHashSet};

/// What makes two line items one product (`--product-key`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Key {
    /// The name (in any case), and the SKU where an item has one: items that
    /// share either are one product (a product renamed keeps its SKU; the variants of
    /// one product share its name).
    Auto,
    /// The name alone (in any case); SKUs are ignored.
    Name,
    /// The SKU alone; an item without one goes by its name.
    Sku,
}

impl Key {
    pub const NAMES: [&'static str; 3] = ["auto", "name", "sku"];

    pub fn of(name: &str) -> Option<Key> {
        match name {
            "auto" => Some(Key::Auto),
            "name" => Some(Key::Name),
            "sku" => Some(Key::Sku),
            _ => None,
        }
    }
}

/// How line items become products.
#[derive(Clone, Copy, Debug)]
pub struct Identity {
    pub key: Key,
    /// Each variant its own product (`--by-variant`).
    pub by_variant: bool,
}

/// One distinct (name, variant, SKU) met in the line items.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Article {
    product: String,
    variant: Option<String>,
    sku: Option<String>,
}

impl Article {
    /// The name the article is known by: the product's, with the variant
    /// after ` - ` when variants are products of their own.
    fn name(&self, by_variant: bool) -> String {
        match (&self.variant, by_variant) {
            (Some(variant), true) => format!("{} - {variant}", self.product),
            _ => self.product.clone(),
        }
    }
}

/// A product as the commands show it.
#[derive(Clone, Debug, PartialEq)]
pub struct Product {
    /// The most frequent name among its items (ties: the first in order).
    pub name: String,
    /// Its SKUs, sorted and joined with ", "; empty when none.
    pub sku: String,
}

/// One counted order.
#[derive(Clone, Debug)]
pub struct Order {
    /// Index into [`Purchases::customers`]; `None` for an unattributed order.
    pub customer: Option<u32>,
    /// Days since 1970-01-01.
    pub date: i32,
    time: i32,
    /// Its row in the orders table, whose order id breaks ties in time.
    row: u32,
}

/// A line item of a counted order.
#[derive(Clone, Copy, Debug)]
pub struct Line {
    /// Index into [`Purchases::orders`].
    pub order: u32,
    /// Index into [`Purchases::products`].
    pub product: u32,
    article: u32,
    pub quantity: i64,
    pub revenue_cents: i64,
}

/// The line items of the counted orders, with their products, orders and
/// customers.
pub struct Purchases {
    pub products: Vec<Product>,
    pub orders: Vec<Order>,
    /// Customer keys ([`col::CUSTOMER`]).
    pub customers: Vec<String>,
    pub lines: Vec<Line>,
    articles: Vec<Article>,
    /// The orders table's order ids.
    order_ids: StringChunked,
}

/// Finds the row of the orders table that has an item's order (store and
/// order id). The items come in the order their orders were read, so an
/// item's order is mostly the previous item's or the row after it; any other
/// is looked up in an index, built the first time one is needed (hashing a
/// million order ids when none is, was a quarter of `products`' own work).
struct OrderFinder<'a> {
    /// The order id of each row, and with separate stores its store: one
    /// row per pair.
    ids: &'a StringChunked,
    stores: Option<&'a StringChunked>,
    /// The row after the last one found.
    next: usize,
    last: Option<usize>,
    index: Option<FxHashMap<OrderKey<'a>, usize>>,
}

/// A store (with separate stores) and an order id.
type OrderKey<'a> = (Option<&'a str>, Option<&'a str>);

impl<'a> OrderFinder<'a> {
    fn key(&self, row: usize) -> OrderKey<'a> {
        (self.stores.and_then(|s| s.get(row)), self.ids.get(row))
    }

    fn row(&mut self, key: OrderKey) -> Option<usize> {
        if let Some(last) = self.last
            && self.key(last) == key
        {
            return Some(last);
        }
        let row = if self.next < self.ids.len() && self.key(self.next) == key {
            Some(self.next)
        } else {
            if self.index.is_none() {
                let rows = (0..self.ids.len()).map(|row| (self.key(row), row));
                self.index = Some(rows.collect());
            }
            let index = self.index.as_ref().expect("just built");
            index.get(&key).copied()
        };
        if let Some(row) = row {
            self.last = Some(row);
            self.next = self.next.max(row + 1);
        }
        row
    }
}

/// Union-find over articles.
fn root(parent: &mut [u32], mut i: u32) -> u32 {
    while parent[i as usize] != i {
        parent[i as usize] = parent[parent[i as usize] as usize];
        i = parent[i as usize];
    }
    i
}

fn text_column(frame: &DataFrame, name: &str) -> PolarsResult<StringChunked> {
    Ok(frame.column(name)?.str()?.rechunk().into_owned())
}

impl Purchases {
    /// The items of `items` (the line-items table) whose order is counted in
    /// `orders` (the orders table: not excluded, on or before the as-of
    /// date), grouped into products by `identity`.
    pub fn of(orders: &DataFrame, items: &DataFrame, identity: Identity) -> PolarsResult<Self> {
        let stores = orders.schema().contains(col::STORE);
        let order_ids = text_column(orders, col::ORDER_ID)?;
        let order_stores = stores
            .then(|| text_column(orders, col::STORE))
            .transpose()?;
        let customer_keys = text_column(orders, col::CUSTOMER)?;
        let excluded = text_column(orders, col::EXCLUDED)?;
        let dates = orders.column(col::DATE)?.cast(&DataType::Int32)?;
        let dates = dates.i32()?.rechunk().into_owned();
        let times = orders.column(col::TIME)?.i32()?.rechunk().into_owned();

        // Sized once: doubling as they grow held up to twice their memory
        // (a million orders have about two million line items).
        let mut purchases = Purchases {
            products: Vec::new(),
            orders: Vec::with_capacity(orders.height()),
            customers: Vec::new(),
            lines: Vec::with_capacity(items.height()),
            articles: Vec::new(),
            order_ids: order_ids.clone(),
        };
        // The counted order of each row of the orders table, if counted.
        let mut order_of_row: Vec<Option<u32>> = Vec::with_capacity(orders.height());
        let mut customer_index: FxHashMap<&str, u32> = FxHashMap::default();
        let rows = excluded
            .iter()
            .zip(customer_keys.iter())
            .zip(dates.iter().zip(times.iter()));
        for (row, ((excluded, customer), (date, time))) in rows.enumerate() {
            if excluded.is_some() {
                order_of_row.push(None);
                continue;
            }
            let customer = customer.map(|key| {
                *customer_index.entry(key).or_insert_with(|| {
                    purchases.customers.push(key.to_string());
                    (purchases.customers.len() - 1) as u32
                })
            });
            order_of_row.push(Some(purchases.orders.len() as u32));
            purchases.orders.push(Order {
                customer,
                date: date.unwrap_or_default(),
                time: time.unwrap_or(-1),
                row: row as u32,
            });
        }

        let mut finder = OrderFinder {
            ids: &order_ids,
            stores: order_stores.as_ref(),
            next: 0,
            last: None,
            index: None,
        };
        let item_orders = text_column(items, item_col::ORDER_ID)?;
        let item_stores = stores
            .then(|| text_column(items, item_col::STORE))
            .transpose()?;
        let product = text_column(items, item_col::PRODUCT)?;
        let variant = text_column(items, item_col::VARIANT)?;
        let sku = text_column(items, item_col::SKU)?;
        let quantity = items
            .column(item_col::QUANTITY)?
            .i64()?
            .rechunk()
            .into_owned();
        let revenue = items
            .column(item_col::REVENUE)?
            .i64()?
            .rechunk()
            .into_owned();
        // Keyed by the cells themselves: an Article of owned texts per line
        // item would allocate millions of strings to find a few hundred.
        let mut article_index: FxHashMap<(&str, Option<&str>, Option<&str>), u32> =
            FxHashMap::default();
        let stores = item_stores.iter().flat_map(|s| s.iter().map(Some));
        let item_rows = item_orders
            .iter()
            .zip(stores.chain(std::iter::repeat(None)))
            .zip(product.iter().zip(variant.iter()).zip(sku.iter()))
            .zip(quantity.iter().zip(revenue.iter()));
        for (((id, store), ((product, variant), sku)), (quantity, revenue)) in item_rows {
            let Some(order) = finder
                .row((store.flatten(), id))
                .and_then(|row| order_of_row[row])
            else {
                continue;
            };
            let key = (product.unwrap_or_default(), variant, sku);
            let next = article_index.len() as u32;
            let article = *article_index.entry(key).or_insert(next);
            purchases.lines.push(Line {
                order,
                product: 0,
                article,
                quantity: quantity.unwrap_or(0),
                revenue_cents: revenue.unwrap_or(0),
            });
        }
        let mut articles: Vec<_> = article_index.into_iter().collect();
        articles.sort_unstable_by_key(|(_, i)| *i);
        purchases.articles = articles
            .into_iter()
            .map(|((product, variant, sku), _)| Article {
                product: product.to_string(),
                variant: variant.map(str::to_string),
                sku: sku.map(str::to_string),
            })
            .collect();
        purchases.group(identity);
        Ok(purchases)
    }

    /// Gives every line its product: articles that share the key of
    /// `identity` are one product. Products are numbered by name.
    fn group(&mut self, identity: Identity) {
        let names: Vec<String> = self
            .articles
            .iter()
            .map(|a| a.name(identity.by_variant))
            .collect();
        // "Dinner Napkin" and "dinner napkin" are one name.
        let keys: Vec<String> = names.iter().map(|n| n.to_lowercase()).collect();
        let mut parent: Vec<u32> = (0..self.articles.len() as u32).collect();
        let mut first_of: FxHashMap<(bool, &str), u32> = FxHashMap::default();
        for (i, article) in self.articles.iter().enumerate() {
            let by_sku = article.sku.as_deref().filter(|_| identity.key != Key::Name);
            let keys: Vec<(bool, &str)> = match (identity.key, by_sku) {
                (Key::Sku, Some(sku)) => vec![(true, sku)],
                (Key::Auto, Some(sku)) => vec![(true, sku), (false, keys[i].as_str())],
                _ => vec![(false, keys[i].as_str())],
            };
            for key in keys {
                let first = *first_of.entry(key).or_insert(i as u32);
                let (a, b) = (root(&mut parent, first), root(&mut parent, i as u32));
                if a != b {
                    parent[a.max(b) as usize] = a.min(b);
                }
            }
        }
        // Lines per article, to name each product after its most frequent name.
        let mut lines_of = vec![0u64; self.articles.len()];
        for line in &self.lines {
            lines_of[line.article as usize] += 1;
        }
        let mut groups: FxHashMap<u32, Vec<u32>> = FxHashMap::default();
        for i in 0..self.articles.len() as u32 {
            let r = root(&mut parent, i);
            groups.entry(r).or_default().push(i);
        }
        let mut products: Vec<(Product, Vec<u32>)> = groups
            .into_values()
            .map(|members| {
                let mut counts: Vec<(&str, u64)> = Vec::new();
                for &m in &members {
                    let name = names[m as usize].as_str();
                    match counts.iter_mut().find(|(n, _)| *n == name) {
                        Some((_, c)) => *c += lines_of[m as usize],
                        None => counts.push((name, lines_of[m as usize])),
                    }
                }
                counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
                let mut skus: Vec<&str> = members
                    .iter()
                    .filter_map(|&m| self.articles[m as usize].sku.as_deref())
                    .collect();
                skus.sort_unstable();
                skus.dedup();
                let product = Product {
                    name: counts[0].0.to_string(),
                    sku: skus.join(", "),
                };
                (product, members)
            })
            .collect();
        products.sort_by(|a, b| a.0.name.cmp(&b.0.name).then(a.0.sku.cmp(&b.0.sku)));
        let mut product_of = vec![0u32; self.articles.len()];
        for (p, (_, members)) in products.iter().enumerate() {
            for &m in members {
                product_of[m as usize] = p as u32;
            }
        }
        for line in &mut self.lines {
            line.product = product_of[line.article as usize];
        }
        self.products = products.into_iter().map(|(p, _)| p).collect();
    }

    /// Each customer's first and second orders (the earliest by date, time,
    /// then order id), as indices into `orders`.
    fn first_two_orders(&self) -> Vec<[Option<u32>; 2]> {
        let id = |order: &Order| self.order_ids.get(order.row as usize).unwrap_or_default();
        let before = |a: u32, b: u32| {
            let (a, b) = (&self.orders[a as usize], &self.orders[b as usize]);
            (a.date, a.time)
                .cmp(&(b.date, b.time))
                .then_with(|| id(a).cmp(id(b)))
                .is_lt()
        };
        let mut first_two = vec![[None, None]; self.customers.len()];
        for (index, order) in self.orders.iter().enumerate() {
            let Some(customer) = order.customer else {
                continue;
            };
            let order = index as u32;
            // Of orders at the same time and id, the earlier row comes first.
            let [first, second] = &mut first_two[customer as usize];
            match *first {
                None => *first = Some(order),
                Some(earliest) if before(order, earliest) => {
                    *second = *first;
                    *first = Some(order);
                }
                Some(_) => {
                    if second.is_none_or(|next| before(order, next)) {
                        *second = Some(order);
                    }
                }
            }
        }
        first_two
    }

    /// Each customer's distinct products, ascending.
    pub fn products_by_customer(&self) -> Vec<Vec<u32>> {
        let mut by_customer: Vec<Vec<u32>> = vec![Vec::new(); self.customers.len()];
        for line in &self.lines {
            if let Some(c) = self.orders[line.order as usize].customer {
                by_customer[c as usize].push(line.product);
            }
        }
        for products in &mut by_customer {
            products.sort_unstable();
            products.dedup();
        }
        by_customer
    }

    /// Whether an article's name, name with variant, or SKU matches.
    /// Whether any product sold matches `pattern`.
    pub fn any_matches(&self, pattern: &Pattern) -> bool {
        (0..self.articles.len() as u32)
            .any(|a| self.article_matches(a, std::slice::from_ref(pattern)))
    }

    fn article_matches(&self, article: u32, patterns: &[Pattern]) -> bool {
        let a = &self.articles[article as usize];
        let full = a.name(true);
        patterns.iter().any(|p| {
            p.matches(&a.product)
                || p.matches(&full)
                || a.sku.as_deref().is_some_and(|s| p.matches(s))
        })
    }
}

/// One row of `goldpan products`.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct ProductRow {
    pub product: String,
    pub sku: String,
    /// Attributed customers who bought it.
    pub customers: u64,
    /// Counted orders with it, unattributed ones too.
    pub orders: u64,
    pub units: i64,
    pub revenue_cents: i64,
    /// Its revenue over every item's revenue.
    pub revenue_share: f64,
    /// Customers whose first order had it.
    pub first_order_customers: u64,
    /// Of those, the share who ordered again.
    pub repeat_share: Option<f64>,
    /// Their median days from the first order to the second.
    pub median_days_to_second: Option<f64>,
}

/// One row per product, by revenue (descending), then name.
pub fn product_rows(purchases: &Purchases) -> Vec<ProductRow> {
    let n = purchases.products.len();
    let mut rows: Vec<ProductRow> = purchases
        .products
        .iter()
        .map(|p| ProductRow {
            product: p.name.clone(),
            sku: p.sku.clone(),
            customers: 0,
            orders: 0,
            units: 0,
            revenue_cents: 0,
            revenue_share: 0.0,
            first_order_customers: 0,
            repeat_share: None,
            median_days_to_second: None,
        })
        .collect();
    let mut customer_pairs: Vec<(u32, u32)> = Vec::new();
    let mut order_pairs: Vec<(u32, u32)> = Vec::with_capacity(purchases.lines.len());
    let mut total_revenue: i64 = 0;
    for line in &purchases.lines {
        let row = &mut rows[line.product as usize];
        row.units += line.quantity;
        row.revenue_cents += line.revenue_cents;
        total_revenue += line.revenue_cents;
        order_pairs.push((line.product, line.order));
        if let Some(c) = purchases.orders[line.order as usize].customer {
            customer_pairs.push((line.product, c));
        }
    }
    for (pairs, count) in [(&mut order_pairs, 0), (&mut customer_pairs, 1)] {
        pairs.sort_unstable();
        pairs.dedup();
        for &(p, _) in pairs.iter() {
            let row = &mut rows[p as usize];
            if count == 0 {
                row.orders += 1;
            } else {
                row.customers += 1;
            }
        }
    }
    // Which first purchase makes regulars: the products of each customer's
    // first order, and whether a second order followed.
    // The products of each order: `order_pairs` is sorted by product, so
    // each order's products come in ascending order.
    let mut starts = vec![0u32; purchases.orders.len() + 1];
    for &(_, o) in &order_pairs {
        starts[o as usize + 1] += 1;
    }
    for o in 0..purchases.orders.len() {
        starts[o + 1] += starts[o];
    }
    let mut filled = starts.clone();
    let mut products_of_order = vec![0u32; order_pairs.len()];
    for &(p, o) in &order_pairs {
        products_of_order[filled[o as usize] as usize] = p;
        filled[o as usize] += 1;
    }
    let mut days: Vec<Vec<i32>> = vec![Vec::new(); n];
    for [first, second] in purchases.first_two_orders() {
        let Some(first) = first else {
            continue;
        };
        let second = second
            .map(|o| purchases.orders[o as usize].date - purchases.orders[first as usize].date);
        let products = starts[first as usize] as usize..starts[first as usize + 1] as usize;
        for &p in &products_of_order[products] {
            rows[p as usize].first_order_customers += 1;
            if let Some(d) = second {
                days[p as usize].push(d);
            }
        }
    }
    for (row, mut days) in rows.iter_mut().zip(days) {
        row.revenue_share = if total_revenue > 0 {
            row.revenue_cents as f64 / total_revenue as f64
        } else {
            0.0
        };
        if row.first_order_customers > 0 {
            row.repeat_share = Some(days.len() as f64 / row.first_order_customers as f64);
        }
        if !days.is_empty() {
            days.sort_unstable();
            let mid = days.len() / 2;
            row.median_days_to_second = Some(if days.len() % 2 == 1 {
                days[mid] as f64
            } else {
                (days[mid - 1] as f64 + days[mid] as f64) / 2.0
            });
        }
    }
    rows.sort_by(|a, b| {
        b.revenue_cents
            .cmp(&a.revenue_cents)
            .then(a.product.cmp(&b.product))
            .then(a.sku.cmp(&b.sku))
    });
    rows
}

/// A `--bought` pattern: a case-insensitive substring, or with `*` a glob
/// that must match the whole text.
#[derive(Clone, Debug)]
pub struct Pattern {
    lower: String,
    glob: bool,
}

impl Pattern {
    pub fn new(text: &str) -> Pattern {
        let lower = text.trim().to_lowercase();
        Pattern {
            glob: lower.contains('*'),
            lower,
        }
    }

    pub fn matches(&self, text: &str) -> bool {
        let text = text.to_lowercase();
        if !self.glob {
            return text.contains(&self.lower);
        }
        glob_matches(&self.lower, &text)
    }
}

/// `*` is any run of characters; everything else matches itself.
fn glob_matches(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !text.starts_with(first) || text.len() < first.len() + last.len() || !text.ends_with(last) {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    for part in &parts[1..parts.len() - 1] {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    true
}

/// A customer of `buyers`: what they bought that matched.
#[derive(Clone, Debug, PartialEq)]
pub struct Buyer {
    /// The matched products' names, sorted, joined with "; ".
    pub products: String,
    pub units: i64,
    /// Days since 1970-01-01 of the latest order with a matched item.
    pub last_bought: i32,
}

/// The customers (by key) who bought an item matching `bought` in an order
/// dated on or after `since` (days since 1970), less those who ever bought
/// one matching `not_bought`.
pub fn buyers(
    purchases: &Purchases,
    bought: &[Pattern],
    not_bought: &[Pattern],
    since: Option<i32>,
) -> FxHashMap<String, Buyer> {
    let articles = purchases.articles.len() as u32;
    let wanted: Vec<bool> = (0..articles)
        .map(|a| purchases.article_matches(a, bought))
        .collect();
    let unwanted: Vec<bool> = (0..articles)
        .map(|a| !not_bought.is_empty() && purchases.article_matches(a, not_bought))
        .collect();
    let mut excluded: FxHashSet<u32> = FxHashSet::default();
    let mut found: FxHashMap<u32, (Vec<u32>, i64, i32)> = FxHashMap::default();
    for line in &purchases.lines {
        let order = &purchases.orders[line.order as usize];
        let Some(customer) = order.customer else {
            continue;
        };
        if unwanted[line.article as usize] {
            excluded.insert(customer);
        }
        if wanted[line.article as usize] && since.is_none_or(|since| order.date >= since) {
            let entry = found.entry(customer).or_insert((Vec::new(), 0, i32::MIN));
            entry.0.push(line.product);
            entry.1 += line.quantity;
            entry.2 = entry.2.max(order.date);
        }
    }
    found
        .into_iter()
        .filter(|(customer, _)| !excluded.contains(customer))
        .map(|(customer, (mut products, units, last))| {
            products.sort_unstable();
            products.dedup();
            let mut names: Vec<&str> = products
                .iter()
                .map(|&p| purchases.products[p as usize].name.as_str())
                .collect();
            names.sort_unstable();
            names.dedup();
            let buyer = Buyer {
                products: names.join("; "),
                units,
                last_bought: last,
            };
            (purchases.customers[customer as usize].clone(), buyer)
        })
        .collect()
}

/// Customers with more distinct products than this are left out of
/// `related`: a customer's pairs grow as the square of their products (500
/// products would be 124,750 pairs), and such a customer (a reseller, a
/// test account) says little about what goes with what.
pub const MAX_PRODUCTS_PER_CUSTOMER: usize = 200;

/// Two products bought by the same customers, in one direction (A, then B).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Pair {
    pub product_a: u32,
    pub product_b: u32,
    pub customers_a: u64,
    pub customers_b: u64,
    pub customers_both: u64,
    /// P(B | A): customers_both / customers_a.
    pub confidence: f64,
    /// confidence / P(B): above 1, B goes with A more than chance.
    pub lift: f64,
}

/// What `related` found.
pub struct Related {
    /// Pairs with at least `min_customers` customers in both, by lift, then
    /// customers_both (descending), then the products' names.
    pub pairs: Vec<Pair>,
    /// Customers counted: those with at least one product and at most
    /// [`MAX_PRODUCTS_PER_CUSTOMER`].
    pub customers: u64,
    /// Customers left out for having more products than that.
    pub over_the_bound: u64,
}

/// Pair counts over customers (across their orders, not only within one basket).
pub fn related(purchases: &Purchases, by_customer: &[Vec<u32>], min_customers: u64) -> Related {
    let mut bought = vec![0u64; purchases.products.len()];
    let mut both: FxHashMap<(u32, u32), u64> = FxHashMap::default();
    let (mut customers, mut over) = (0u64, 0u64);
    for products in by_customer {
        if products.is_empty() {
            continue;
        }
        if products.len() > MAX_PRODUCTS_PER_CUSTOMER {
            over += 1;
            continue;
        }
        customers += 1;
        for (i, &a) in products.iter().enumerate() {
            bought[a as usize] += 1;
            for &b in &products[i + 1..] {
                *both.entry((a, b)).or_insert(0) += 1;
            }
        }
    }
    let mut pairs = Vec::new();
    for (&(a, b), &count) in &both {
        if count < min_customers {
            continue;
        }
        for (x, y) in [(a, b), (b, a)] {
            let (cx, cy) = (bought[x as usize], bought[y as usize]);
            pairs.push(Pair {
                product_a: x,
                product_b: y,
                customers_a: cx,
                customers_b: cy,
                customers_both: count,
                confidence: count as f64 / cx as f64,
                // One division of whole numbers: both directions of a pair
                // get the very same lift (confidence × N / cy rounded twice,
                // and its last bit, not the names, ordered them).
                lift: (count * customers) as f64 / (cx * cy) as f64,
            });
        }
    }
    let name = |p: u32| &purchases.products[p as usize];
    pairs.sort_by(|p, q| {
        q.lift
            .total_cmp(&p.lift)
            .then(q.customers_both.cmp(&p.customers_both))
            .then(name(p.product_a).name.cmp(&name(q.product_a).name))
            .then(name(p.product_b).name.cmp(&name(q.product_b).name))
            .then(p.product_a.cmp(&q.product_a))
            .then(p.product_b.cmp(&q.product_b))
    });
    Related {
        pairs,
        customers,
        over_the_bound: over,
    }
}

/// A product suggested to a customer.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Suggestion {
    pub product: u32,
    /// The product they bought that suggests it.
    pub because_of: u32,
    /// Index of the pair (because_of, product) in [`Related::pairs`]: the
    /// lower, the stronger.
    pub pair: usize,
}

/// For each customer (index as in `by_customer`), up to `per_customer`
/// products they have not bought, each by its strongest pair (the pairs'
/// order; a lift above 1 only) from a product they did buy, strongest first. Customers over
/// [`MAX_PRODUCTS_PER_CUSTOMER`] get none.
pub fn next_items(
    related: &Related,
    by_customer: &[Vec<u32>],
    per_customer: usize,
) -> Vec<Vec<Suggestion>> {
    // The pairs from each product, strongest first (they are sorted).
    // A pair with a lift of 1 or less is chance or worse: nothing to suggest.
    // (A lift of exactly 1 is 1.0: it is one division of whole numbers.)
    let mut from: FxHashMap<u32, Vec<usize>> = FxHashMap::default();
    for (i, pair) in related.pairs.iter().enumerate() {
        if pair.lift > 1.0 {
            from.entry(pair.product_a).or_default().push(i);
        }
    }
    by_customer
        .iter()
        .map(|products| {
            if products.len() > MAX_PRODUCTS_PER_CUSTOMER || per_customer == 0 {
                return Vec::new();
            }
            let mut best: Vec<Suggestion> = Vec::new();
            for &a in products {
                let mut taken = 0;
                for &i in from.get(&a).into_iter().flatten() {
                    let b = related.pairs[i].product_b;
                    if products.binary_search(&b).is_ok() {
                        continue;
                    }
                    match best.iter_mut().find(|s| s.product == b) {
                        Some(s) if s.pair > i => {
                            s.pair = i;
                            s.because_of = a;
                        }
                        Some(_) => {}
                        None => best.push(Suggestion {
                            product: b,
                            because_of: a,
                            pair: i,
                        }),
                    }
                    // A product's later pairs are weaker: its first few new
                    // ones are all it can add to the top.
                    taken += 1;
                    if taken == per_customer {
                        break;
                    }
                }
            }
            best.sort_by_key(|s| s.pair);
            best.truncate(per_customer);
            best
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Exclusion, LineItem, Order as ModelOrder, OrdersBuilder};
    use chrono::NaiveDate;

    /// An order: id, customer, day of January 2025, items as (name, sku).
    type TestOrder<'a> = (&'a str, Option<&'a str>, u32, &'a [(&'a str, &'a str)]);

    fn purchases(orders: &[TestOrder], identity: Identity) -> Purchases {
        let mut builder = OrdersBuilder::with_line_items();
        for (id, customer, day, items) in orders {
            let row = builder
                .push(ModelOrder {
                    id: id.to_string(),
                    email: customer.map(str::to_string),
                    date: NaiveDate::from_ymd_opt(2025, 1, *day).unwrap(),
                    quantity: items.len() as i64,
                    ..ModelOrder::default()
                })
                .unwrap();
            let items = items
                .iter()
                .map(|(name, sku)| LineItem {
                    sku: (!sku.is_empty()).then(|| sku.to_string()),
                    quantity: 1,
                    revenue_cents: 1000,
                    ..LineItem::named(name)
                })
                .collect();
            builder.add_line_items(row, items).unwrap();
        }
        let built = builder.finish().unwrap();
        Purchases::of(&built.orders, &built.items.unwrap(), identity).unwrap()
    }

    const AUTO: Identity = Identity {
        key: Key::Auto,
        by_variant: false,
    };

    fn names(p: &Purchases) -> Vec<(&str, &str)> {
        p.products
            .iter()
            .map(|p| (p.name.as_str(), p.sku.as_str()))
            .collect()
    }

    #[test]
    fn variants_group_under_the_product_and_skus_join_renamed_ones() {
        let orders: &[TestOrder] = &[
            (
                "1",
                Some("a"),
                1,
                &[("Napkin - Blue", "N-B"), ("Napkin - Red", "N-R")],
            ),
            ("2", Some("b"), 2, &[("Table napkin", "N-B"), ("Mug", "")]),
        ];
        let auto = purchases(orders, AUTO);
        assert_eq!(names(&auto), [("Mug", ""), ("Napkin", "N-B, N-R")]);
        let by_variant = purchases(
            orders,
            Identity {
                by_variant: true,
                ..AUTO
            },
        );
        assert_eq!(
            names(&by_variant),
            [
                ("Mug", ""),
                ("Napkin - Blue", "N-B"),
                ("Napkin - Red", "N-R")
            ]
        );
        let by_name = purchases(
            orders,
            Identity {
                key: Key::Name,
                by_variant: false,
            },
        );
        assert_eq!(
            names(&by_name),
            [("Mug", ""), ("Napkin", "N-B, N-R"), ("Table napkin", "N-B")]
        );
        let by_sku = purchases(
            orders,
            Identity {
                key: Key::Sku,
                by_variant: false,
            },
        );
        assert_eq!(
            names(&by_sku),
            [("Mug", ""), ("Napkin", "N-B"), ("Napkin", "N-R")]
        );
    }

    #[test]
    fn first_purchase_repeat_share_and_median_days() {
        let p = purchases(
            &[
                ("1", Some("a"), 1, &[("Napkin", "")]),
                ("2", Some("a"), 11, &[("Placemat", "")]),
                ("3", Some("b"), 1, &[("Napkin", "")]),
                ("4", Some("b"), 21, &[("Napkin", "")]),
                ("5", Some("c"), 2, &[("Napkin", ""), ("Mug", "")]),
                ("6", None, 3, &[("Mug", "")]),
            ],
            AUTO,
        );
        let rows = product_rows(&p);
        let napkin = rows.iter().find(|r| r.product == "Napkin").unwrap();
        assert_eq!((napkin.customers, napkin.orders, napkin.units), (3, 4, 4));
        assert_eq!(napkin.first_order_customers, 3);
        assert_eq!(napkin.repeat_share, Some(2.0 / 3.0));
        assert_eq!(napkin.median_days_to_second, Some(15.0));
        let mug = rows.iter().find(|r| r.product == "Mug").unwrap();
        // The unattributed order counts in orders and revenue, not customers.
        assert_eq!((mug.customers, mug.orders, mug.revenue_cents), (1, 2, 2000));
        assert_eq!(mug.repeat_share, Some(0.0));
        assert_eq!(mug.median_days_to_second, None);
        let placemat = rows.iter().find(|r| r.product == "Placemat").unwrap();
        assert_eq!(
            (placemat.first_order_customers, placemat.repeat_share),
            (0, None)
        );
        assert!((rows.iter().map(|r| r.revenue_share).sum::<f64>() - 1.0).abs() < 1e-9);
    }

    /// Items out of their orders' order (a later row of an order after
    /// other orders), an order without items and a cancelled order's items:
    /// each counted item finds its order; a customer's first two orders are
    /// the earliest by date, time, then order id.
    #[test]
    fn items_find_their_orders_and_ties_in_time_go_by_order_id() {
        let mut builder = OrdersBuilder::with_line_items();
        let mut push = |id: &str, email: &str, day: u32, excluded: Option<Exclusion>| {
            builder
                .push(ModelOrder {
                    id: id.to_string(),
                    email: Some(email.to_string()),
                    date: NaiveDate::from_ymd_opt(2025, 1, day).unwrap(),
                    time_of_day: Some(36_000),
                    quantity: 1,
                    excluded,
                    ..ModelOrder::default()
                })
                .unwrap()
        };
        let a2 = push("A2", "x@example.com", 5, None);
        let b = push("B", "y@example.com", 3, Some(Exclusion::Cancelled));
        // The same day and time as A2: A1 is the customer's first order.
        let a1 = push("A1", "x@example.com", 5, None);
        push("D", "y@example.com", 4, None);
        let e = push("E", "x@example.com", 9, None);
        for (row, product, quantity) in [
            (a1, "Mug", 1),
            (a2, "Napkin", 2),
            (b, "Mug", 4),
            (e, "Napkin", 8),
            (a2, "Placemat", 16),
        ] {
            let item = LineItem {
                quantity,
                revenue_cents: 100,
                ..LineItem::named(product)
            };
            builder.add_line_items(row, vec![item]).unwrap();
        }
        let built = builder.finish().unwrap();
        let p = Purchases::of(&built.orders, &built.items.unwrap(), AUTO).unwrap();
        let id = |order: u32| {
            p.order_ids
                .get(p.orders[order as usize].row as usize)
                .unwrap()
        };
        let lines: Vec<(&str, i64)> = p.lines.iter().map(|l| (id(l.order), l.quantity)).collect();
        assert_eq!(lines, [("A1", 1), ("A2", 2), ("E", 8), ("A2", 16)]);
        let x = p.customers.iter().position(|c| c.starts_with('x')).unwrap();
        let [first, second] = p.first_two_orders()[x];
        assert_eq!((id(first.unwrap()), id(second.unwrap())), ("A1", "A2"));
    }

    #[test]
    fn buyers_of_one_product_but_not_another() {
        let p = purchases(
            &[
                ("1", Some("a"), 1, &[("Dinner Napkin - Linen", "DN-1")]),
                ("2", Some("a"), 5, &[("Dinner napkin - Cotton", "DN-2")]),
                ("3", Some("b"), 2, &[("Dinner napkin", "")]),
                ("4", Some("b"), 3, &[("Cocktail napkin", "")]),
                ("5", Some("c"), 4, &[("Placemat", "PM-1")]),
            ],
            AUTO,
        );
        let found = buyers(
            &p,
            &[Pattern::new("dinner napkin")],
            &[Pattern::new("COCKTAIL napkin")],
            None,
        );
        assert_eq!(found.len(), 1);
        let a = &found["a"];
        // The most frequent spelling names the product (b bought it too).
        assert_eq!((a.units, a.products.as_str()), (2, "Dinner napkin"));
        assert_eq!(a.last_bought, epoch(5));
        // A glob matches the whole name or the SKU; --since drops older buys.
        assert_eq!(buyers(&p, &[Pattern::new("pm-*")], &[], None).len(), 1);
        assert_eq!(buyers(&p, &[Pattern::new("*napkin")], &[], None).len(), 2);
        assert_eq!(
            buyers(&p, &[Pattern::new("*napkin*linen")], &[], None).len(),
            1
        );
        assert!(buyers(&p, &[Pattern::new("napkin*linen")], &[], None).is_empty());
        let since = buyers(&p, &[Pattern::new("dinner")], &[], Some(epoch(3)));
        assert_eq!(since.keys().collect::<Vec<_>>(), ["a"]);
        assert_eq!(since["a"].units, 1);
    }

    fn epoch(day: u32) -> i32 {
        crate::model::epoch_days(NaiveDate::from_ymd_opt(2025, 1, day).unwrap())
    }

    #[test]
    fn pairs_have_known_confidence_and_lift_and_suggest_what_is_missing() {
        // 4 customers: napkins+placemats twice, napkins alone, mugs alone.
        let p = purchases(
            &[
                ("1", Some("a"), 1, &[("Napkin", "")]),
                ("2", Some("a"), 9, &[("Placemat", "")]),
                ("3", Some("b"), 1, &[("Napkin", ""), ("Placemat", "")]),
                ("4", Some("c"), 1, &[("Napkin", "")]),
                ("5", Some("d"), 1, &[("Mug", "")]),
            ],
            AUTO,
        );
        let by_customer = p.products_by_customer();
        let related = related(&p, &by_customer, 2);
        assert_eq!(related.customers, 4);
        let name = |i: u32| p.products[i as usize].name.as_str();
        let shown: Vec<(&str, &str, u64, u64, u64)> = related
            .pairs
            .iter()
            .map(|q| {
                (
                    name(q.product_a),
                    name(q.product_b),
                    q.customers_a,
                    q.customers_b,
                    q.customers_both,
                )
            })
            .collect();
        // Both directions have the same lift (4·2 / (3·2) = 4/3): by name then.
        assert_eq!(
            shown,
            [
                ("Napkin", "Placemat", 3, 2, 2),
                ("Placemat", "Napkin", 2, 3, 2)
            ]
        );
        assert!((related.pairs[0].confidence - 2.0 / 3.0).abs() < 1e-12);
        assert!((related.pairs[1].confidence - 1.0).abs() < 1e-12);
        assert!((related.pairs[0].lift - 4.0 / 3.0).abs() < 1e-12);
        let next = next_items(&related, &by_customer, 3);
        let customer = |key: &str| p.customers.iter().position(|c| c == key).unwrap();
        let c = &next[customer("c")];
        assert_eq!(c.len(), 1);
        assert_eq!(
            (name(c[0].product), name(c[0].because_of)),
            ("Placemat", "Napkin")
        );
        assert!(next[customer("a")].is_empty(), "a has both");
        assert!(next[customer("d")].is_empty(), "no pair from mugs");
        assert!(related_with_min(&p, 3).pairs.is_empty());
    }

    #[test]
    fn both_directions_of_a_pair_have_one_lift_and_go_by_name() {
        // 5 customers; Bowl bought by 3, Zebra by 1, both by 1: lift 5/3
        // both ways (computed as 1/1 × 5/3 and 1/3 × 5/1, they differed in
        // the last bit, and Zebra came first).
        let p = purchases(
            &[
                ("1", Some("a"), 1, &[("Zebra", ""), ("Bowl", "")]),
                ("2", Some("b"), 1, &[("Bowl", "")]),
                ("3", Some("c"), 1, &[("Bowl", "")]),
                ("4", Some("d"), 1, &[("Mug", "")]),
                ("5", Some("e"), 1, &[("Cup", "")]),
            ],
            AUTO,
        );
        let related = related_with_min(&p, 1);
        let name = |i: u32| p.products[i as usize].name.as_str();
        let shown: Vec<(&str, &str)> = related
            .pairs
            .iter()
            .map(|q| (name(q.product_a), name(q.product_b)))
            .collect();
        assert_eq!(shown, [("Bowl", "Zebra"), ("Zebra", "Bowl")]);
        assert_eq!(related.pairs[0].lift, related.pairs[1].lift);
    }

    #[test]
    fn a_lift_of_exactly_one_suggests_nothing() {
        // 25 customers bought an apron, 7 of them a bowl: P(bowl | apron)
        // = 7/25 = P(bowl), a lift of 1 (7/25 × 25/7 was 1.0000000000000002).
        let ids: Vec<(String, String)> = (0..25)
            .map(|n| (format!("#{n}"), format!("c{n}")))
            .collect();
        let orders: Vec<TestOrder> = ids
            .iter()
            .enumerate()
            .map(|(n, (id, email))| {
                let items: &[(&str, &str)] = if n < 7 {
                    &[("Apron", ""), ("Bowl", "")]
                } else {
                    &[("Apron", "")]
                };
                (id.as_str(), Some(email.as_str()), 1, items)
            })
            .collect();
        let p = purchases(&orders, AUTO);
        let by_customer = p.products_by_customer();
        let related = related(&p, &by_customer, 1);
        assert_eq!(related.pairs.len(), 2);
        assert_eq!(related.pairs[0].lift, 1.0);
        assert!(
            next_items(&related, &by_customer, 3)
                .iter()
                .all(Vec::is_empty)
        );
    }

    fn related_with_min(p: &Purchases, min: u64) -> Related {
        related(p, &p.products_by_customer(), min)
    }

    #[test]
    fn a_customer_with_too_many_products_is_left_out_of_pairs() {
        let names: Vec<String> = (0..=MAX_PRODUCTS_PER_CUSTOMER)
            .map(|i| format!("P{i:03}"))
            .collect();
        let many: Vec<(&str, &str)> = names.iter().map(|n| (n.as_str(), "")).collect();
        let p = purchases(
            &[
                ("1", Some("reseller"), 1, &many),
                ("2", Some("a"), 1, &[("P000", ""), ("P001", "")]),
            ],
            AUTO,
        );
        let by_customer = p.products_by_customer();
        let related = related(&p, &by_customer, 1);
        assert_eq!((related.customers, related.over_the_bound), (1, 1));
        assert_eq!(related.pairs.len(), 2);
        assert_eq!(related.pairs[0].customers_a, 1);
        let reseller = p.customers.iter().position(|c| c == "reseller").unwrap();
        assert!(next_items(&related, &by_customer, 3)[reseller].is_empty());
    }

    #[test]
    fn globs_match_the_whole_text() {
        assert!(glob_matches("a*c", "abc"));
        assert!(glob_matches("*napkin*", "dinner napkin blue"));
        assert!(!glob_matches("a*c", "abcd"));
        assert!(glob_matches("a*", "a"));
        assert!(!glob_matches("ab*ba", "aba"));
    }
}
