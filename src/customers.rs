//! From the orders table to the customers table (docs/definitions.md,
//! section 2).
//!
//! Both `summary` and `segments` start from this one table, so a figure and
//! the list behind it can never disagree. Column names are in [`field`]
//! (the orders table's are `crate::model::col`).

use crate::model::col as order;
use crate::model::hint_col as hint;
use chrono::NaiveDate;
use polars::prelude::*;
use rayon::prelude::*;
use rustc_hash::FxHashMap;

/// Column names of the customers table.
pub mod field {
    /// String: e-mail, or `id:<customer id>` for a customer known only by id.
    pub const CUSTOMER: &str = "customer";
    pub const EMAIL: &str = "email";
    pub const CUSTOMER_ID: &str = "customer_id";
    pub const NAME: &str = "name";
    pub const COMPANY: &str = "company";
    pub const PHONE: &str = "phone";
    pub const ZIP: &str = "zip";
    pub const COUNTRY: &str = "country";
    pub const ACCEPTS_MARKETING: &str = "accepts_marketing";
    /// UInt32: number of valid orders.
    pub const ORDERS: &str = "orders";
    /// Int64: sum of the orders' net revenue, in cents.
    pub const REVENUE: &str = "revenue_cents";
    pub const FIRST_ORDER: &str = "first_order";
    pub const LAST_ORDER: &str = "last_order";
    /// Int32: as-of date − last order date.
    pub const DAYS_SINCE_LAST_ORDER: &str = "days_since_last_order";
    pub const TOTAL_QUANTITY: &str = "total_quantity";
    pub const MAX_ORDER_QUANTITY: &str = "max_order_quantity";
    /// UInt32: 0 for the customer with the most revenue; ties by `customer`.
    pub const RANK: &str = "rank";
    /// Boolean: a customers export says the customer is tax exempt.
    pub const TAX_EXEMPT: &str = super::hint::TAX_EXEMPT;
    /// Boolean: a customers export tags the customer wholesale, b2b or trade.
    pub const WHOLESALE_TAG: &str = super::hint::WHOLESALE_TAG;
    /// String: the customer's store; only when stores are separate (the
    /// orders table has `crate::model::col::STORE`).
    pub const STORE: &str = super::order::STORE;
}

/// Columns of the histories table: one row per customer, what the models
/// are fed (one purchase per day at most).
pub mod history_col {
    use super::field;
    /// String: the customers table's key.
    pub const CUSTOMER: &str = field::CUSTOMER;
    /// UInt32: purchase days after the first.
    pub const X: &str = "x";
    /// Int32: days from the first purchase day to the last.
    pub const T_X: &str = "t_x";
    /// Int32: days from the first purchase day to the as-of date (T).
    pub const AGE: &str = "age";
    /// Float64, major currency units: average net revenue of the repeat
    /// purchase days (the first day left out); 0 when x = 0.
    pub const REPEAT_MEAN_VALUE: &str = "repeat_mean_value";
}

/// The three sums every ratio is built on (N, O and R of the spec).
#[derive(Clone, Copy, Debug, Default)]
pub struct Totals {
    pub customers: u64,
    pub orders: u64,
    pub revenue_cents: i64,
}

impl Totals {
    /// The sums of a customers table (as built by [`customers`]).
    pub fn of(customers: &DataFrame) -> PolarsResult<Totals> {
        Ok(Totals {
            customers: customers.height() as u64,
            orders: customers
                .column(field::ORDERS)?
                .as_materialized_series()
                .cast(&DataType::UInt64)?
                .u64()?
                .sum()
                .unwrap_or(0),
            revenue_cents: customers.column(field::REVENUE)?.i64()?.sum().unwrap_or(0),
        })
    }
}

/// Valid orders that belong to a customer: the orders every customer figure uses.
pub fn attributed_valid_orders(orders: LazyFrame) -> LazyFrame {
    orders.filter(attributed_and_valid())
}

/// Whether an order is valid and belongs to a customer.
fn attributed_and_valid() -> Expr {
    col(order::EXCLUDED)
        .is_null()
        .and(col(order::CUSTOMER).is_not_null())
}

/// The customers table and the customers' purchase histories, from one
/// pass over the orders.
///
/// The customers table: one row per customer, sorted by revenue descending
/// then `customer` ascending, with that position in `rank`. `hints` (from a customers
/// export, keyed by e-mail) add `tax_exempt`, `wholesale_tag` and a company
/// where the orders have none, and replace the orders' marketing consent
/// with the customer record's; without them both flags are false.
///
/// With separate stores (a `store` column in the orders), a customer is one
/// per store: the customer key names the store, and the table has a
/// [`field::STORE`] column.
///
/// The histories are what the prediction models are fitted on, one row per
/// customer with orders on or before `as_of`, sorted by customer
/// (`predict::histories` defines them as a query; a test checks
/// both agree).
pub fn customers_and_histories(
    orders: &DataFrame,
    hints: Option<LazyFrame>,
    as_of: NaiveDate,
) -> PolarsResult<(LazyFrame, DataFrame)> {
    let as_of_days = crate::model::epoch_days(as_of);
    let separate_stores = orders.schema().contains(order::STORE);
    const ROW: &str = "__row";
    // "Latest" name, company, phone, zip, consent…: the last non-empty value in
    // the order of the orders' full timestamps (date, then time of day; an
    // unknown time first), then their ids (shorter first, so #999 comes
    // before #1000), never the order of rows or files.
    //
    // Only the sort keys are sorted: each order gets its place in that order,
    // a customer keeps the place of its last order with each text, and the
    // texts are taken from the orders table by those places, one per
    // customer. (Sorting the whole table copied every order's texts, which
    // doubled a large export's memory.)
    let time_order = time_order(orders)?;
    let time_order = IdxCa::from_vec(ROW.into(), time_order);
    let mut places = vec![0 as IdxSize; orders.height()];
    for (place, row) in time_order.into_no_null_iter().enumerate() {
        places[row as usize] = place as IdxSize;
    }
    // The customers: the counted orders grouped by customer key. Each keeps
    // its sums, the place of its first order (for the e-mail and store) and
    // of its last order with each text, and which customer each order is.
    let counted = orders
        .clone()
        .lazy()
        .select([attributed_and_valid().alias("counted")])
        .collect()?;
    let counted: Vec<bool> = counted
        .column("counted")?
        .bool()?
        .iter()
        .map(|c| c == Some(true))
        .collect();
    let net = orders.column(order::NET)?.i64()?.rechunk();
    let quantity = orders.column(order::QUANTITY)?.i64()?.rechunk();
    let (net, quantity) = (net.cont_slice()?, quantity.cont_slice()?);
    let days = orders.column(order::DATE)?.cast(&DataType::Int32)?;
    let days = days.i32()?.rechunk();
    let days = days.cont_slice()?;
    let has: Vec<Vec<bool>> = TEXTS
        .iter()
        .map(|(from, _)| {
            Ok(orders
                .column(from)?
                .is_not_null()
                .iter()
                .map(|h| h == Some(true))
                .collect())
        })
        .collect::<PolarsResult<_>>()?;
    // Which customer each counted order is: customers are numbered as their
    // first counted orders come, each known by the row of that order. (Polars'
    // grouping kept a list of rows per customer, 57 MB at 1M orders.)
    let keys = orders.column(order::CUSTOMER)?.str()?.rechunk();
    let mut customer_of = vec![IdxSize::MAX; orders.height()];
    let mut key_rows: Vec<IdxSize> = Vec::new();
    let mut number_of: FxHashMap<&str, IdxSize> = FxHashMap::default();
    for (row, key) in keys.iter().enumerate() {
        // A counted order has a customer key.
        let Some(key) = key.filter(|_| counted[row]) else {
            continue;
        };
        customer_of[row] = *number_of.entry(key).or_insert_with(|| {
            key_rows.push(row as IdxSize);
            (key_rows.len() - 1) as IdxSize
        });
    }
    drop(number_of);
    // The sums, walking the orders in the table's order: each order's
    // columns are read in sequence, only its customer's sums jump.
    let mut sums = vec![Sums::default(); key_rows.len()];
    for (row, &customer) in customer_of.iter().enumerate() {
        if customer == IdxSize::MAX {
            continue;
        }
        let sums = &mut sums[customer as usize];
        let place = places[row] + 1;
        sums.orders += 1;
        sums.revenue += net[row];
        sums.first_day = sums.first_day.min(days[row]);
        sums.last_day = sums.last_day.max(days[row]);
        sums.total_quantity += quantity[row];
        sums.max_quantity = sums.max_quantity.max(quantity[row]);
        sums.earliest = sums.earliest.min(place);
        for (latest, has) in sums.latest.iter_mut().zip(&has) {
            if has[row] {
                *latest = (*latest).max(place);
            }
        }
    }
    let in_key_order = match keys.downcast_iter().next() {
        Some(keys) => in_key_order(keys, &key_rows),
        None => Vec::new(),
    };
    let histories = histories(
        orders,
        &key_rows,
        &in_key_order,
        &customer_of,
        &time_order,
        (net, days),
        as_of_days,
    )?;
    // The customers table's order: revenue, highest first, then key.
    let mut key_place = vec![0 as IdxSize; key_rows.len()];
    for (place, &customer) in in_key_order.iter().enumerate() {
        key_place[customer as usize] = place as IdxSize;
    }
    let mut by_rank: Vec<(std::cmp::Reverse<i64>, IdxSize, IdxSize)> = sums
        .iter()
        .enumerate()
        .map(|(customer, sums)| {
            let place = key_place[customer];
            (std::cmp::Reverse(sums.revenue), place, customer as IdxSize)
        })
        .collect();
    by_rank.par_sort_unstable();
    let key_rows: Vec<IdxSize> = by_rank.iter().map(|c| key_rows[c.2 as usize]).collect();
    // The sums in that order, read in place (a copy would double them).
    let ranked = || by_rank.iter().map(|c| &sums[c.2 as usize]);
    // A value of the orders table's column `from` by the rows `rows`. Texts
    // stay in the orders' text buffers, shared: copying them out (so that
    // dropping the orders table would free its texts) made this step the
    // run's peak of memory, above what the lists then free.
    let value_of = |from: &str, rows: &IdxCa, to: &str| -> PolarsResult<Column> {
        Ok(orders.column(from)?.take(rows)?.with_name(to.into()))
    };
    // The rows of places in time order (kept plus one, 0 for none).
    let time_order_rows = time_order.cont_slice()?;
    let rows_at = |places: &mut dyn Iterator<Item = IdxSize>| -> IdxCa {
        places
            .map(|place| {
                place
                    .checked_sub(1)
                    .map(|place| time_order_rows[place as usize])
            })
            .collect()
    };
    let earliest_rows = rows_at(&mut ranked().map(|s| s.earliest));
    let mut columns = vec![
        value_of(
            order::CUSTOMER,
            &IdxCa::from_vec("".into(), key_rows.clone()),
            field::CUSTOMER,
        )?,
        value_of(order::EMAIL, &earliest_rows, field::EMAIL)?,
    ];
    // Each text a gather from all over the orders table: taken side by side.
    columns.extend(
        TEXTS
            .par_iter()
            .enumerate()
            .map(|(k, (from, to))| value_of(from, &rows_at(&mut ranked().map(|s| s.latest[k])), to))
            .collect::<PolarsResult<Vec<_>>>()?,
    );
    let date = |name: &str, days: Vec<i32>| {
        Int32Chunked::from_vec(name.into(), days)
            .into_date()
            .into_column()
    };
    let each = |value: fn(&Sums) -> i64| ranked().map(value).collect::<Vec<_>>();
    columns.extend([
        Column::new(
            field::ORDERS.into(),
            ranked().map(|s| s.orders).collect::<Vec<_>>(),
        ),
        Column::new(field::REVENUE.into(), each(|s| s.revenue)),
        date(field::FIRST_ORDER, ranked().map(|s| s.first_day).collect()),
        date(field::LAST_ORDER, ranked().map(|s| s.last_day).collect()),
        Column::new(field::TOTAL_QUANTITY.into(), each(|s| s.total_quantity)),
        Column::new(field::MAX_ORDER_QUANTITY.into(), each(|s| s.max_quantity)),
    ]);
    if separate_stores {
        // The customer key names the store: all of a customer's orders are its.
        columns.push(value_of(order::STORE, &earliest_rows, field::STORE)?);
    }
    let customers = DataFrame::new(key_rows.len(), columns)?
        .lazy()
        .with_column(
            (lit(as_of_days) - col(field::LAST_ORDER).cast(DataType::Int32))
                .alias(field::DAYS_SINCE_LAST_ORDER),
        )
        .with_row_index(field::RANK, None);
    // With separate stores, hints are keyed by the customer key of their store.
    let hint_key = if separate_stores {
        field::CUSTOMER
    } else {
        field::EMAIL
    };
    let customers = match hints {
        Some(hints) => customers
            .join(
                hints,
                [col(hint_key)],
                [col(hint::EMAIL)],
                // In the customers' order, which ranks them.
                JoinArgs {
                    maintain_order: MaintainOrderJoin::Left,
                    ..JoinArgs::new(JoinType::Left)
                },
            )
            .with_columns([
                col(field::COMPANY).fill_null(col(hint::COMPANY)),
                col(hint::ACCEPTS_MARKETING)
                    .fill_null(col(field::ACCEPTS_MARKETING))
                    .alias(field::ACCEPTS_MARKETING),
                col(field::TAX_EXEMPT).fill_null(lit(false)),
                col(field::WHOLESALE_TAG).fill_null(lit(false)),
            ])
            .drop(cols([hint::COMPANY, hint::ACCEPTS_MARKETING])),
        None => customers.with_columns([
            lit(false).alias(field::TAX_EXEMPT),
            lit(false).alias(field::WHOLESALE_TAG),
        ]),
    };
    Ok((customers, histories))
}

/// One customer's counted orders so far. Places in time order are kept
/// plus one, 0 for none.
#[derive(Clone)]
struct Sums {
    orders: IdxSize,
    revenue: i64,
    first_day: i32,
    last_day: i32,
    total_quantity: i64,
    max_quantity: i64,
    /// The place of the first order (its e-mail and store).
    earliest: IdxSize,
    /// Per text of `TEXTS`, the place of the last order that has it.
    latest: [IdxSize; TEXTS.len()],
}

impl Default for Sums {
    fn default() -> Sums {
        Sums {
            orders: 0,
            revenue: 0,
            first_day: i32::MAX,
            last_day: i32::MIN,
            total_quantity: 0,
            max_quantity: i64::MIN,
            earliest: IdxSize::MAX,
            latest: [0; TEXTS.len()],
        }
    }
}

/// The texts a customer takes from its latest order that has them: the
/// orders table's column, the customers table's.
const TEXTS: [(&str, &str); 7] = [
    (order::CUSTOMER_ID, field::CUSTOMER_ID),
    (order::NAME, field::NAME),
    (order::COMPANY, field::COMPANY),
    (order::PHONE, field::PHONE),
    (order::ZIP, field::ZIP),
    (order::COUNTRY, field::COUNTRY),
    (order::ACCEPTS_MARKETING, field::ACCEPTS_MARKETING),
];

/// The purchase histories (`predict::histories`) of the customers
/// whose key is on `key_rows`, walking the orders once in time order:
/// `customer_of` gives each counted order's customer (`IdxSize::MAX` for
/// the others), `net_and_days` each order's net cents and day.
/// The rows of the orders table in the order of their full timestamps:
/// date, then time of day (an unknown time first), then order id (shorter
/// first), then row. A Rust sort of one packed number per order, which
/// compares ids only on ties: polars' sort by four columns compared each
/// key through its columns, a third of the customers table's time on
/// 3M orders.
fn time_order(orders: &DataFrame) -> PolarsResult<Vec<IdxSize>> {
    use rayon::slice::ParallelSliceMut;
    let days = orders.column(order::DATE)?.cast(&DataType::Int32)?;
    let days = days.i32()?.rechunk();
    let times = orders.column(order::TIME)?.i32()?.rechunk();
    let ids = orders.column(order::ORDER_ID)?.str()?.rechunk();
    let Some(ids) = ids.downcast_iter().next() else {
        return Ok(Vec::new());
    };
    // Nulls first, as polars sorts them: an unknown date (never, in
    // practice) before every date, an unknown time before 00:00:00, an
    // unknown id (length 0 here) before every id. An id's length and first
    // eight bytes go with its timestamp: ties in time are mostly told apart
    // without reading the ids again (Shopify's `#1001` has five).
    let mut keyed: Vec<(i64, usize, u64, IdxSize)> = days
        .iter()
        .zip(times.iter())
        .zip(ids.iter())
        .enumerate()
        .map(|(row, ((day, time), id))| {
            let day = day.map_or(i64::MIN >> 20, i64::from);
            let time = time.map_or(0, |t| i64::from(t) + 1);
            let (length, head) = id.map_or((0, 0), |id| (id.len() + 1, head_of(id)));
            ((day << 20) + time, length, head, row as IdxSize)
        })
        .collect();
    keyed.par_sort_unstable_by(|a, b| {
        (a.0, a.1, a.2)
            .cmp(&(b.0, b.1, b.2))
            // Same length, same first eight bytes: longer ids differ later.
            .then_with(|| match a.1 > 9 {
                true => ids.get(a.3 as usize).cmp(&ids.get(b.3 as usize)),
                false => std::cmp::Ordering::Equal,
            })
            .then(a.3.cmp(&b.3))
    });
    Ok(keyed.into_iter().map(|(.., row)| row).collect())
}

fn histories(
    orders: &DataFrame,
    key_rows: &[IdxSize],
    in_key_order: &[IdxSize],
    customer_of: &[IdxSize],
    time_order: &IdxCa,
    (net, days): (&[i64], &[i32]),
    as_of_days: i32,
) -> PolarsResult<DataFrame> {
    use history_col as hist;
    /// A customer's purchase days so far (several orders on one day are one
    /// purchase, worth their sum).
    #[derive(Clone, Copy)]
    struct Days {
        first: i32,
        last: i32,
        count: u32,
        first_day_net: i64,
        net: i64,
    }
    let mut seen: Vec<Option<Days>> = vec![None; key_rows.len()];
    for row in time_order.into_no_null_iter().map(|row| row as usize) {
        let customer = customer_of[row];
        if customer == IdxSize::MAX || days[row] > as_of_days {
            continue;
        }
        let (day, cents) = (days[row], net[row]);
        match &mut seen[customer as usize] {
            None => {
                seen[customer as usize] = Some(Days {
                    first: day,
                    last: day,
                    count: 1,
                    first_day_net: cents,
                    net: cents,
                });
            }
            // Time order is day order: a later day is a new purchase.
            Some(days) => {
                if day != days.last {
                    days.count += 1;
                    days.last = day;
                }
                if day == days.first {
                    days.first_day_net += cents;
                }
                days.net += cents;
            }
        }
    }
    let (mut rows, mut x, mut t_x, mut age, mut mean) = (vec![], vec![], vec![], vec![], vec![]);
    for &customer in in_key_order {
        let Some(days) = seen[customer as usize] else {
            continue;
        };
        let repeats = days.count - 1;
        let repeat_net = days.net - days.first_day_net;
        rows.push(key_rows[customer as usize]);
        x.push(repeats);
        t_x.push(days.last - days.first);
        age.push(as_of_days - days.first);
        mean.push(if repeats > 0 {
            // Times a hundredth, as polars divides by a constant: the same
            // last bit as the query's (and so the same fitted models).
            repeat_net as f64 * (1.0 / 100.0) / repeats as f64
        } else {
            0.0
        });
    }
    let mut keys = orders
        .column(order::CUSTOMER)?
        .take(&IdxCa::from_vec("".into(), rows))?;
    keys.set_sorted_flag(polars::series::IsSorted::Ascending);
    DataFrame::new(
        x.len(),
        vec![
            keys.with_name(hist::CUSTOMER.into()),
            Column::new(hist::X.into(), x),
            Column::new(hist::T_X.into(), t_x),
            Column::new(hist::AGE.into(), age),
            Column::new(hist::REPEAT_MEAN_VALUE.into(), mean),
        ],
    )
}

/// The customers (indices into `key_rows`, the rows of their keys in
/// `keys`) in the byte order of their keys, as polars sorts text: the order
/// of the histories, and of customers of equal revenue. One sort compares
/// each key's first eight bytes and reads the keys again only on a tie, where
/// polars' sorts compared keys through their columns (on 3M orders the
/// customers table's sort by revenue and key took as long as its sums).
fn in_key_order(keys: &polars_arrow::array::Utf8ViewArray, key_rows: &[IdxSize]) -> Vec<IdxSize> {
    let key = |customer: IdxSize| keys.value(key_rows[customer as usize] as usize);
    let mut keyed: Vec<(u64, IdxSize)> = (0..key_rows.len() as IdxSize)
        .map(|customer| (head_of(key(customer)), customer))
        .collect();
    keyed.par_sort_unstable_by(|a, b| a.0.cmp(&b.0).then_with(|| key(a.1).cmp(key(b.1))));
    keyed.into_iter().map(|(_, customer)| customer).collect()
}

/// A text's first eight bytes as a number (zeros after a shorter text):
/// two texts whose heads differ compare as their heads do.
fn head_of(text: &str) -> u64 {
    let mut head = [0u8; 8];
    let first = &text.as_bytes()[..text.len().min(8)];
    head[..first.len()].copy_from_slice(first);
    u64::from_be_bytes(head)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Exclusion, Order, OrdersBuilder};

    fn order(id: &str, email: Option<&str>, date: (i32, u32, u32), cents: i64) -> Order {
        Order {
            id: id.into(),
            email: email.map(str::to_string),
            date: NaiveDate::from_ymd_opt(date.0, date.1, date.2).unwrap(),
            quantity: 1,
            total_cents: cents,
            ..Order::default()
        }
    }

    /// The orders table of `count` orders, each made by `order` from its
    /// number and `next(below)`, a seeded pseudo-random number below `below`.
    fn random_orders(
        seed: u64,
        count: usize,
        mut order: impl FnMut(usize, &mut dyn FnMut(u64) -> u64) -> Order,
    ) -> DataFrame {
        let mut rng = crate::ingest::fuzz_mutations::Rng(seed);
        let mut next = |below: u64| rng.next() % below;
        let mut builder = OrdersBuilder::default();
        builder.start_file("test.csv");
        for n in 0..count {
            builder.push(order(n, &mut next)).unwrap();
        }
        builder.finish().unwrap().orders
    }

    /// The order of time is polars' stable sort by date, time of day, id
    /// length and id, with nulls first: checked on orders with many ties in
    /// time (a day's few times), unknown times, ids of several lengths, in
    /// no order of time.
    #[test]
    fn the_time_order_is_polars_sort_by_date_time_and_id() {
        let orders = random_orders(7, 3_000, |n, next| {
            let day = next(20) as u32 + 1;
            Order {
                // A third share their first eight bytes, as long ids.
                id: match n % 3 {
                    0 => format!("#order-number-{}", n * 7_919 % 3_000),
                    _ => format!("#{}", n * 7_919 % 3_000),
                },
                time_of_day: (next(3) > 0).then(|| next(4) as u32 * 3_600),
                ..order("", Some("a@x.com"), (2025, 1, day), 100)
            }
        });
        let expected = orders
            .clone()
            .lazy()
            .with_row_index("row", None)
            .sort_by_exprs(
                [
                    col(order::DATE),
                    col(order::TIME),
                    col(order::ORDER_ID).str().len_bytes(),
                    col(order::ORDER_ID),
                ],
                SortMultipleOptions::default().with_maintain_order(true),
            )
            .collect()
            .unwrap();
        let expected: Vec<IdxSize> = expected
            .column("row")
            .unwrap()
            .idx()
            .unwrap()
            .into_no_null_iter()
            .collect();
        assert_eq!(orders.height(), 3_000);
        assert_eq!(time_order(&orders).unwrap(), expected);
    }

    /// A few orders built in memory, the customers table computed from them.
    fn table(orders: Vec<Order>) -> DataFrame {
        let mut builder = OrdersBuilder::default();
        builder.start_file("test.csv");
        for o in orders {
            builder.push(o).unwrap();
        }
        customers_and_histories(
            &builder.finish().unwrap().orders,
            None,
            NaiveDate::from_ymd_opt(2025, 3, 1).unwrap(),
        )
        .unwrap()
        .0
        .collect()
        .unwrap()
    }

    #[test]
    fn latest_non_empty_details_and_days_since_the_last_order() {
        let mut newer = order("#2", Some("a@x.com"), (2025, 2, 1), 1000);
        newer.name = None; // the newest order has no name: keep the latest one that has
        newer.phone = Some("555".into());
        let mut older = order("#1", Some("a@x.com"), (2025, 1, 1), 500);
        older.name = Some("Ann".into());
        older.phone = Some("444".into());
        // Newest first, as many exports are: order in the file must not matter.
        let t = table(vec![newer, older]);
        assert_eq!(t.height(), 1);
        let get = |c: &str| t.column(c).unwrap().get(0).unwrap().to_string();
        assert_eq!(get(field::NAME), "\"Ann\"");
        assert_eq!(get(field::PHONE), "\"555\"");
        assert_eq!(get(field::ORDERS), "2");
        assert_eq!(get(field::REVENUE), "1500");
        assert_eq!(get(field::DAYS_SINCE_LAST_ORDER), "28");
    }

    #[test]
    fn each_detail_comes_from_the_row_of_its_customers_latest_order_with_it() {
        let named = |id: &str, email: Option<&str>, day: u32, name: Option<&str>| {
            let mut o = order(id, email, (2025, 1, day), 100);
            o.name = name.map(str::to_string);
            o
        };
        let mut cancelled = named("#1", Some("a@x.com"), 9, Some("Cancelled"));
        cancelled.excluded = Some(Exclusion::Cancelled);
        let mut consented = named("#5", Some("a@x.com"), 1, Some("Ann"));
        consented.accepts_marketing = Some(true);
        consented.phone = Some("555".into());
        let mut unknown_consent = named("#6", Some("a@x.com"), 4, None);
        unknown_consent.accepts_marketing = None;
        // Rows of other customers and of none come between Ann's, in no
        // order of time: a row number mixed up would give another's detail.
        let t = table(vec![
            cancelled,
            named("#2", None, 8, Some("Nobody")),
            named("#3", Some("b@x.com"), 2, Some("Bea")),
            named("#4", Some("a@x.com"), 3, None),
            consented,
            unknown_consent,
            named("#7", Some("b@x.com"), 1, Some("Bea Old")),
        ]);
        let row = |email: &str| {
            let at = t
                .column(field::EMAIL)
                .unwrap()
                .str()
                .unwrap()
                .iter()
                .position(|e| e == Some(email))
                .unwrap();
            [
                field::NAME,
                field::PHONE,
                field::ACCEPTS_MARKETING,
                field::ORDERS,
            ]
            .map(|c| t.column(c).unwrap().get(at).unwrap().to_string())
        };
        assert_eq!(t.height(), 2);
        assert_eq!(row("a@x.com"), ["\"Ann\"", "\"555\"", "true", "3"]);
        assert_eq!(row("b@x.com"), ["\"Bea\"", "null", "null", "2"]);
    }

    #[test]
    fn orders_sorted_by_customer_give_the_same_tables() {
        // Polars groups a column it knows to be sorted into slices of rows,
        // not lists of rows: both must give the same customers.
        let mut builder = OrdersBuilder::default();
        builder.start_file("test.csv");
        for (n, who) in ["b", "a", "c", "a", "b", "a"].iter().enumerate() {
            let mut o = order(
                &format!("#{n}"),
                Some(&format!("{who}@x.com")),
                (2025, 1, 1 + n as u32),
                100,
            );
            o.name = Some(format!("{who} {n}"));
            builder.push(o).unwrap();
        }
        let orders = builder.finish().unwrap().orders;
        let sorted = orders
            .sort(
                [crate::model::col::CUSTOMER],
                SortMultipleOptions::default(),
            )
            .unwrap();
        let key = sorted.column(crate::model::col::CUSTOMER).unwrap();
        assert_ne!(
            key.is_sorted_flag(),
            polars::series::IsSorted::Not,
            "the slices' path is not taken"
        );
        let as_of = NaiveDate::from_ymd_opt(2025, 3, 1).unwrap();
        let tables = |orders: &DataFrame| {
            let (customers, histories) = customers_and_histories(orders, None, as_of).unwrap();
            (customers.collect().unwrap(), histories)
        };
        let (customers, histories) = tables(&orders);
        assert_eq!(customers.height(), 3);
        assert_eq!(tables(&sorted), (customers, histories));
    }

    #[test]
    fn excluded_and_unattributed_orders_make_no_customer() {
        let mut cancelled = order("#1", Some("a@x.com"), (2025, 1, 1), 500);
        cancelled.excluded = Some(Exclusion::Cancelled);
        let t = table(vec![
            cancelled,
            order("#2", None, (2025, 1, 1), 700),
            order("#3", Some("b@x.com"), (2025, 1, 1), 100),
        ]);
        let customers: Vec<_> = t
            .column(field::CUSTOMER)
            .unwrap()
            .str()
            .unwrap()
            .iter()
            .collect();
        assert_eq!(customers, [Some("b@x.com")]);
    }

    /// The customers table is in the order of polars' sort by revenue
    /// (highest first) then key, with or without a customers export joined,
    /// and the histories in the order of the keys: checked on keys that
    /// share their first eight bytes or differ only in length, and revenues
    /// that tie.
    #[test]
    fn customers_by_revenue_then_key_and_histories_by_key_as_polars_sorts_them() {
        let keys = ["customer", "customer-1", "customer-10", "cus", "b", "zz"];
        let orders = random_orders(11, 2_000, |n, next| {
            let key = format!("{}{}@x.com", keys[n % keys.len()], next(60));
            let day = next(28) as u32 + 1;
            order(
                &format!("#{n}"),
                Some(&key),
                (2025, 1, day),
                100 * next(3) as i64,
            )
        });
        let as_of = NaiveDate::from_ymd_opt(2025, 3, 1).unwrap();
        let hints = df!(
            hint::EMAIL => ["customer-17@x.com", "b3@x.com", "nobody@x.com"],
            hint::TAX_EXEMPT => [true, false, true],
            hint::WHOLESALE_TAG => [false, true, false],
            hint::COMPANY => [Some("Linen Co"), None, None],
            hint::ACCEPTS_MARKETING => [Some(true), None, Some(false)],
        )
        .unwrap();
        for hints in [None, Some(hints.lazy())] {
            let (customers, histories) = customers_and_histories(&orders, hints, as_of).unwrap();
            let customers = customers.collect().unwrap();
            assert!(customers.height() > 300);
            let expected = customers
                .sort(
                    [field::REVENUE, field::CUSTOMER],
                    SortMultipleOptions::default().with_order_descending_multi([true, false]),
                )
                .unwrap();
            assert!(customers.equals_missing(&expected));
            let ranks: Vec<IdxSize> = customers
                .column(field::RANK)
                .unwrap()
                .idx()
                .unwrap()
                .into_no_null_iter()
                .collect();
            assert_eq!(
                ranks,
                (0..customers.height() as IdxSize).collect::<Vec<_>>()
            );
            let expected = histories
                .sort([history_col::CUSTOMER], SortMultipleOptions::default())
                .unwrap();
            assert_eq!(histories.height(), customers.height());
            assert!(histories.equals_missing(&expected));
        }
    }

    #[test]
    fn rank_orders_revenue_then_customer() {
        let t = table(vec![
            order("#1", Some("b@x.com"), (2025, 1, 1), 100),
            order("#2", Some("a@x.com"), (2025, 1, 1), 100),
            order("#3", Some("c@x.com"), (2025, 1, 1), 300),
        ]);
        let customers: Vec<_> = t
            .column(field::CUSTOMER)
            .unwrap()
            .str()
            .unwrap()
            .iter()
            .flatten()
            .collect();
        assert_eq!(customers, ["c@x.com", "a@x.com", "b@x.com"]);
        let ranks: Vec<_> = t
            .column(field::RANK)
            .unwrap()
            .idx()
            .unwrap()
            .iter()
            .flatten()
            .collect();
        assert_eq!(ranks, [0, 1, 2]);
    }
}
