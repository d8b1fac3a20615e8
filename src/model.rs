//! The normalized orders table: one row per order, whatever store exported it.
//!
//! Every `ingest` module turns its export into [`Order`]s and pushes them into
//! an [`OrdersBuilder`]; everything downstream (customers, figures, segments)
//! reads only the columns named here and never sees a platform's column names.
//! Beside it, the B2B hints a customers export adds ([`hint_col`]) and, only
//! for the commands about products, the line-items table ([`item_col`]).

use chrono::NaiveDate;
use hashbrown::HashTable;
use polars::prelude::*;
use polars_arrow::array::MutableBinaryViewArray;
use rustc_hash::{FxBuildHasher, FxHashMap};
use std::collections::BTreeMap;
use std::hash::BuildHasher;

/// Column names of the orders table, with their polars types.
pub mod col {
    /// String. The platform's order id (Shopify `Name`, BigCommerce `Order ID`, …).
    pub const ORDER_ID: &str = "order_id";
    /// String or null. Whom the order belongs to: its e-mail, else `id:<customer id>`;
    /// null when it has neither (an unattributed order). With separate stores,
    /// the store's name and [`super::STORE_SEPARATOR`] come first: the same
    /// person in two stores is two customers.
    pub const CUSTOMER: &str = "customer";
    /// String or null. Trimmed, lower-cased e-mail.
    pub const EMAIL: &str = "email";
    /// String or null. The platform's customer id, when it has one.
    pub const CUSTOMER_ID: &str = "customer_id";
    /// Date. The local calendar date of the order as the export writes it.
    pub const DATE: &str = "date";
    /// Int32 or null. Seconds since the local midnight of `date`, as the export
    /// writes the time (null when it gives none). With `date` and then
    /// `order_id`, it says which of a customer's orders is the latest.
    pub const TIME: &str = "time_of_day";
    /// Int64. Sum of the order's line-item quantities.
    pub const QUANTITY: &str = "quantity";
    /// Int64, cents. The order total as exported.
    pub const TOTAL: &str = "total_cents";
    /// Int64, cents. Refunded amount, 0 when none.
    pub const REFUNDED: &str = "refunded_cents";
    /// Int64, cents. max(0, total − refunded): the order's revenue everywhere.
    pub const NET: &str = "net_cents";
    /// String or null. Billing company, with placeholder words removed.
    pub const COMPANY: &str = "company";
    /// String or null.
    pub const NAME: &str = "name";
    /// String or null.
    pub const PHONE: &str = "phone";
    /// String or null. Postal code of the billing address, else the shipping one.
    pub const ZIP: &str = "zip";
    /// String or null. Country of the billing address, else the shipping one,
    /// as the export writes it (Shopify: a 2-letter code such as `US`).
    pub const COUNTRY: &str = "country";
    /// Boolean or null (null when the export does not say).
    pub const ACCEPTS_MARKETING: &str = "accepts_marketing";
    /// String or null. ISO currency code.
    pub const CURRENCY: &str = "currency";
    /// String or null. Why the order is not a purchase (see [`super::Exclusion`]);
    /// null for a valid order.
    pub const EXCLUDED: &str = "excluded";
    /// String. The store the order is from: only in a table read with separate
    /// stores (`--separate-stores`); without them the column does not exist.
    pub const STORE: &str = "store";
}

/// Between a store's name and the customer in a customer key of separate
/// stores. A control character: no name or e-mail goldpan keeps has one.
pub const STORE_SEPARATOR: char = '\u{1f}';

/// The customer key of `customer` in `store` (see [`col::CUSTOMER`]).
pub fn store_customer(store: &str, customer: &str) -> String {
    format!("{store}{STORE_SEPARATOR}{customer}")
}

/// Columns of the hints table: what a customers export says about a customer
/// that orders do not (tax exemption, wholesale tags, company, current
/// marketing consent), one row per
/// e-mail. `customers` joins it to the customers who ordered.
pub mod hint_col {
    /// String: the customer's e-mail, trimmed and lower-cased (the join key);
    /// with separate stores, the customer key of its store ([`store_customer`]).
    pub const EMAIL: &str = "hint_email";
    /// Boolean: `Tax Exempt` is yes.
    pub const TAX_EXEMPT: &str = "tax_exempt";
    /// Boolean: a tag names the customer wholesale, b2b or trade.
    pub const WHOLESALE_TAG: &str = "wholesale_tag";
    /// String or null: the company on the customer record.
    pub const COMPANY: &str = "hint_company";
    /// Boolean or null: the customer record's e-mail marketing consent, which
    /// is newer than any order's.
    pub const ACCEPTS_MARKETING: &str = "hint_accepts_marketing";
}

/// Columns of the line-items table: one row per line item of every order of
/// the orders table (of every status: the commands keep the items of the
/// counted orders by joining on the order). Built only when a command asks
/// for it ([`OrdersBuilder::with_line_items`]): the other commands never hold it.
pub mod item_col {
    /// String. The order the item is in ([`super::col::ORDER_ID`]).
    pub const ORDER_ID: &str = "order_id";
    /// String. With separate stores only, the order's store ([`super::col::STORE`]).
    pub const STORE: &str = "store";
    /// String. The product's name without its variant (Shopify's `Title -
    /// Variant` names are cut at the last ` - `).
    pub const PRODUCT: &str = "product";
    /// String or null. The variant: the part of the name after the product,
    /// or the export's own variation column.
    pub const VARIANT: &str = "variant";
    /// String or null. The item's SKU.
    pub const SKU: &str = "sku";
    /// Int64. Units of the item.
    pub const QUANTITY: &str = "quantity";
    /// Int64, cents. The item's revenue: price × quantity − the item's
    /// discount. Refunds are per order in the exports, not per item: they are
    /// not taken off.
    pub const REVENUE: &str = "revenue_cents";
}

/// One line item as an ingest module reads it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LineItem {
    /// The product's name without its variant.
    pub product: String,
    pub variant: Option<String>,
    pub sku: Option<String>,
    pub quantity: i64,
    pub revenue_cents: i64,
}

impl LineItem {
    /// An item whose name may end in its variant, as Shopify writes variants
    /// (`Dinner napkin - Blue`) and other stores often name them (`Meat Bag -
    /// Pork`): the product is the name up to the last ` - `, the variant what
    /// follows.
    pub fn named(name: &str) -> LineItem {
        let name = plain_text(name);
        let name = name.trim();
        match name.rsplit_once(" - ") {
            Some((product, variant))
                if !product.trim().is_empty() && !variant.trim().is_empty() =>
            {
                LineItem {
                    product: product.trim().to_string(),
                    variant: Some(variant.trim().to_string()),
                    ..LineItem::default()
                }
            }
            _ => LineItem {
                product: name.to_string(),
                ..LineItem::default()
            },
        }
    }

    /// Adds the variation an export gives in its own field (BigCommerce's
    /// `Product Variation Details`, WooCommerce's `meta`) to the variant the
    /// name gave, if any: `Pork, Size: L`.
    pub fn add_variation(&mut self, variation: Option<String>) {
        self.variant = match (self.variant.take(), variation) {
            (Some(named), Some(given)) => Some(format!("{named}, {given}")),
            (named, given) => named.or(given),
        };
    }
}

/// Why an order is not counted as a purchase.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Exclusion {
    Cancelled,
    Voided,
    Refunded,
    Expired,
    Declined,
    Incomplete,
    Failed,
    Unpaid,
    Draft,
    Test,
    OtherCurrency,
}

impl Exclusion {
    pub const ALL: [Exclusion; 11] = [
        Exclusion::Cancelled,
        Exclusion::Voided,
        Exclusion::Refunded,
        Exclusion::Expired,
        Exclusion::Declined,
        Exclusion::Incomplete,
        Exclusion::Failed,
        Exclusion::Unpaid,
        Exclusion::Draft,
        Exclusion::Test,
        Exclusion::OtherCurrency,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Exclusion::Cancelled => "cancelled",
            Exclusion::Voided => "voided",
            Exclusion::Refunded => "refunded",
            Exclusion::Expired => "expired",
            Exclusion::Declined => "declined",
            Exclusion::Incomplete => "incomplete",
            Exclusion::Failed => "failed",
            Exclusion::Unpaid => "unpaid",
            Exclusion::Draft => "draft",
            Exclusion::Test => "test",
            Exclusion::OtherCurrency => "other_currency",
        }
    }
}

/// One order as an ingest module reads it, before it joins the table.
#[derive(Clone, Debug, Default)]
pub struct Order {
    pub id: String,
    pub email: Option<String>,
    pub customer_id: Option<String>,
    pub date: NaiveDate,
    /// Seconds since the local midnight of `date`, when the export gives a time.
    pub time_of_day: Option<u32>,
    pub quantity: i64,
    pub total_cents: i64,
    pub refunded_cents: i64,
    pub company: Option<String>,
    pub name: Option<String>,
    pub phone: Option<String>,
    pub zip: Option<String>,
    pub country: Option<String>,
    pub accepts_marketing: Option<bool>,
    pub currency: Option<String>,
    pub excluded: Option<Exclusion>,
}

/// The items of an order so far plus `more`; `Err` when the sum leaves the
/// range goldpan counts in.
pub fn add_items(items: i64, more: i64) -> Result<i64, String> {
    items
        .checked_add(more)
        .filter(|&sum| sum <= MAX_ORDER_ITEMS)
        .ok_or_else(|| format!("at most {MAX_ORDER_ITEMS} items in one order"))
}

/// The most items one order may have, all its lines together.
pub const MAX_ORDER_ITEMS: i64 = 999_999_999_999;

/// Trimmed, lower-cased e-mail; `None` when empty.
pub fn normalize_email(raw: &str) -> Option<String> {
    let email = plain_text(raw);
    let email = email.trim();
    (!email.is_empty()).then(|| email.to_lowercase())
}

/// Words people type into a company field when they have no company.
pub const NON_COMPANY_WORDS: [&str; 10] = [
    "-", ".", "n/a", "na", "none", "null", "self", "home", "private", "personal",
];

/// Trimmed company; `None` when empty or one of [`NON_COMPANY_WORDS`].
pub fn normalize_company(raw: &str, extra_non_company: &[String]) -> Option<String> {
    let company = plain_text(raw);
    let company = company.trim();
    let placeholder = NON_COMPANY_WORDS
        .iter()
        .any(|w| w.eq_ignore_ascii_case(company))
        || extra_non_company
            .iter()
            .any(|w| w.eq_ignore_ascii_case(company));
    (!company.is_empty() && !placeholder).then(|| company.to_string())
}

/// Trimmed text, as [`plain_text`]; `None` when empty.
pub fn non_empty(raw: &str) -> Option<String> {
    let text = plain_text(raw);
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_string())
}

/// Customer text as it goes into the lists: a line break or tab becomes a
/// space and every other control character (NUL, ESC, DEL, …) is dropped, so
/// that no list carries bytes that a terminal or another program would act on.
pub fn plain_text(raw: &str) -> std::borrow::Cow<'_, str> {
    // Control characters are C0 (below 0x20), DEL and C1 (U+0080-U+009F,
    // bytes 0xC2 0x80-0x9F): a text without those bytes has none, found
    // without decoding its characters (this runs for every text cell read).
    let maybe_control = |&b: &u8| b < 0x20 || b == 0x7f || b == 0xc2;
    if !raw.as_bytes().iter().any(maybe_control) || !raw.chars().any(char::is_control) {
        return raw.into();
    }
    raw.chars()
        .filter_map(|c| match c {
            '\t' | '\n' | '\r' => Some(' '),
            c if c.is_control() => None,
            c => Some(c),
        })
        .collect::<String>()
        .into()
}

/// Where an order id already is in the orders table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Found {
    /// In this row, pushed while reading the current file.
    InThisFile(usize),
    /// Pushed while reading an earlier file.
    InEarlierFile,
}

/// Collects orders column by column, straight into polars' string arrays (no
/// string per cell kept on the heap). The same order in several files (two
/// overlapping monthly exports) is pushed once per file; [`Self::finish`]
/// keeps the copy from the most recent export.
///
/// With separate stores ([`Self::start_store`]), an order is a store and an
/// order id: the same id in two stores is two orders.
pub struct OrdersBuilder {
    /// The order id of each row, and per store the last row of each id.
    ids: OrderIds,
    /// The names of the stores when they are separate; empty otherwise.
    stores: Vec<String>,
    /// The store of the files read from now on: an index into `stores` and
    /// into the per-store tables of `ids`.
    store: usize,
    /// For a row whose order id was pushed from an earlier file: that row.
    earlier_copy: FxHashMap<usize, usize>,
    /// The first row of the file being read: rows are pushed in file order.
    file_start: usize,
    /// The files read, in the order given.
    files: Vec<FileSeen>,
    /// The file (index into `files`) of each row.
    file_of_row: Vec<u32>,
    /// Sums of every order's |total| + |refunded| and of its items: while
    /// they fit, no sum over any subset of orders can overflow.
    money_sum: i64,
    items_sum: i64,
    /// The customer keys, once one differs from its order's e-mail (a
    /// customer id without an e-mail, separate stores); until then the
    /// customer column is the e-mail column, sharing its text.
    customer: Option<MutableBinaryViewArray<str>>,
    email: MutableBinaryViewArray<str>,
    customer_id: MutableBinaryViewArray<str>,
    date: Vec<i32>,
    time_of_day: Vec<Option<i32>>,
    quantity: Vec<i64>,
    total: Vec<i64>,
    refunded: Vec<i64>,
    company: MutableBinaryViewArray<str>,
    name: MutableBinaryViewArray<str>,
    phone: MutableBinaryViewArray<str>,
    zip: MutableBinaryViewArray<str>,
    country: MutableBinaryViewArray<str>,
    accepts_marketing: Vec<Option<bool>>,
    currency: MutableBinaryViewArray<str>,
    excluded: Vec<Option<&'static str>>,
    /// The line items, when a command asked for them.
    items: Option<ItemsBuilder>,
}

/// The line items read so far, column by column, each with the row of its
/// order in the builder.
#[derive(Default)]
struct ItemsBuilder {
    order_row: Vec<u32>,
    product: Interned,
    variant: Interned,
    sku: Interned,
    quantity: Vec<i64>,
    revenue: Vec<i64>,
    money_sum: i64,
}

/// A text column of the line items, each distinct text kept once: a store
/// sells hundreds of products over millions of line items, and a String per
/// item was most of the memory (and the time) the line items cost.
#[derive(Default)]
struct Interned {
    index: FxHashMap<Box<str>, u32>,
    texts: Vec<Box<str>>,
    /// Per item, its text's index in `texts`; `u32::MAX` for none.
    ids: Vec<u32>,
}

impl Interned {
    fn push(&mut self, text: Option<&str>) {
        let id = match text {
            None => u32::MAX,
            Some(text) => match self.index.get(text) {
                Some(&id) => id,
                None => {
                    let id = self.texts.len() as u32;
                    self.texts.push(text.into());
                    self.index.insert(text.into(), id);
                    id
                }
            },
        };
        self.ids.push(id);
    }

    /// The column, each row a view into one buffer of the distinct texts.
    fn column(&self, name: &str) -> PolarsResult<Column> {
        let texts = StringChunked::from_iter_values(name.into(), self.texts.iter().map(|t| &**t));
        let ids: IdxCa = self
            .ids
            .iter()
            .map(|&id| (id != u32::MAX).then_some(id as IdxSize))
            .collect();
        Ok(texts.take(&ids)?.into_column())
    }
}

/// The order id of each row of the builder, and per store where the last row
/// of each id is: each id is kept once, in the column the table is built
/// from (a map from id to row held a second copy of every id, each its own
/// heap string).
#[derive(Default)]
struct OrderIds {
    ids: MutableBinaryViewArray<str>,
    /// Per store, rows hashed by their order id.
    last_row: Vec<HashTable<usize>>,
}

impl OrderIds {
    /// An order number's hash. Stores number their orders in sequence
    /// (#1001, #1002, …) and exports list them in that order, so an id
    /// ending in digits is placed by that number: the next order's bucket
    /// neighbours the previous one's, already in cache, where a bucket
    /// anywhere in the table was a cache miss for every new order (6% of a
    /// large export's time). The top seven bits, which the table compares
    /// before the ids themselves, come from a hash of the whole id.
    fn hash(id: &str) -> u64 {
        const PLACE_BITS: u32 = 57;
        let whole = FxBuildHasher.hash_one(id);
        let digits = id.bytes().rev().take_while(u8::is_ascii_digit).count();
        match id[id.len() - digits..].parse::<u64>() {
            Ok(number) if digits <= 18 => {
                (whole >> PLACE_BITS << PLACE_BITS) | (number & ((1 << PLACE_BITS) - 1))
            }
            _ => whole,
        }
    }

    /// The last row with this order id in the store.
    fn find(&self, store: usize, id: &str) -> Option<usize> {
        last_row_of(self.last_row.get(store)?, id, |row| self.ids.value(row))
    }

    /// Room for `additional` more ids in the store.
    fn reserve(&mut self, store: usize, additional: usize) {
        self.ids.reserve(additional);
        if self.last_row.len() <= store {
            self.last_row.resize_with(store + 1, HashTable::new);
        }
        let ids = &self.ids;
        self.last_row[store].reserve(additional, |&row| Self::hash(ids.value(row)));
    }

    /// Adds the next row's id in the store; the id's previous row, if any.
    fn push(&mut self, store: usize, id: &str) -> Option<usize> {
        let row = self.ids.len();
        self.ids.push_value(id);
        if self.last_row.len() <= store {
            self.last_row.resize_with(store + 1, HashTable::new);
        }
        let ids = &self.ids;
        let entry = self.last_row[store].entry(
            Self::hash(id),
            |&earlier| ids.value(earlier) == id,
            |&earlier| Self::hash(ids.value(earlier)),
        );
        match entry {
            hashbrown::hash_table::Entry::Occupied(mut found) => {
                Some(std::mem::replace(found.get_mut(), row))
            }
            hashbrown::hash_table::Entry::Vacant(vacant) => {
                vacant.insert(row);
                None
            }
        }
    }

    /// The last row of each id, in every store.
    fn last_rows(&self) -> impl Iterator<Item = usize> + '_ {
        self.last_row.iter().flat_map(|rows| rows.iter().copied())
    }

    /// The order id column, and per store the last row of each id.
    fn finish(self) -> (StringChunked, Vec<HashTable<usize>>) {
        let ids = StringChunked::with_chunk(col::ORDER_ID.into(), self.ids.freeze());
        (ids, self.last_row)
    }
}

/// The row among `rows` whose order id (`id_of` a row) is `id`.
fn last_row_of<'a>(
    rows: &HashTable<usize>,
    id: &str,
    id_of: impl Fn(usize) -> &'a str,
) -> Option<usize> {
    rows.find(OrderIds::hash(id), |&row| id_of(row) == id)
        .copied()
}

impl Default for OrdersBuilder {
    fn default() -> Self {
        OrdersBuilder {
            ids: OrderIds::default(),
            stores: Vec::new(),
            store: 0,
            earlier_copy: FxHashMap::default(),
            file_start: 0,
            files: Vec::new(),
            file_of_row: Vec::new(),
            money_sum: 0,
            items_sum: 0,
            customer: None,
            email: MutableBinaryViewArray::new(),
            customer_id: MutableBinaryViewArray::new(),
            date: Vec::new(),
            time_of_day: Vec::new(),
            quantity: Vec::new(),
            total: Vec::new(),
            refunded: Vec::new(),
            company: MutableBinaryViewArray::new(),
            name: MutableBinaryViewArray::new(),
            phone: MutableBinaryViewArray::new(),
            zip: MutableBinaryViewArray::new(),
            country: MutableBinaryViewArray::new(),
            accepts_marketing: Vec::new(),
            currency: MutableBinaryViewArray::new(),
            excluded: Vec::new(),
            items: None,
        }
    }
}

/// Days from 1970-01-01, polars' physical representation of a Date.
pub fn epoch_days(date: NaiveDate) -> i32 {
    date.to_epoch_days()
}

impl OrdersBuilder {
    pub fn len(&self) -> usize {
        self.date.len()
    }

    /// A builder that also keeps every order's line items ([`item_col`]).
    pub fn with_line_items() -> Self {
        OrdersBuilder {
            items: Some(ItemsBuilder::default()),
            ..OrdersBuilder::default()
        }
    }

    /// Whether line items are kept: the format modules read them only then.
    pub fn wants_line_items(&self) -> bool {
        self.items.is_some()
    }

    /// Adds the line items of the order in `row` (nothing when line items
    /// are not kept). `Err` (what is out of range) when the items' amounts
    /// together leave the range goldpan counts in.
    pub fn add_line_items(&mut self, row: usize, items: Vec<LineItem>) -> Result<(), String> {
        let Some(kept) = &mut self.items else {
            return Ok(());
        };
        let mut money = kept.money_sum;
        for item in &items {
            money = item
                .revenue_cents
                .checked_abs()
                .and_then(|cents| money.checked_add(cents))
                .ok_or("line-item amounts that, added to the others', stay within the range goldpan counts in")?;
        }
        kept.money_sum = money;
        let row = u32::try_from(row).map_err(|_| "at most 4294967295 orders".to_string())?;
        for item in items {
            kept.order_row.push(row);
            kept.product.push(Some(&item.product));
            kept.variant.push(item.variant.as_deref());
            kept.sku.push(item.sku.as_deref());
            kept.quantity.push(item.quantity);
            kept.revenue.push(item.revenue_cents);
        }
        Ok(())
    }

    /// Reads the files from now on as the exports of the store of this name:
    /// stores are separate, and the orders table gets a [`col::STORE`]
    /// column. Files given the same name are one store's exports.
    pub fn start_store(&mut self, name: &str) {
        self.store = match self.stores.iter().position(|store| store == name) {
            Some(known) => known,
            None => {
                self.stores.push(name.to_string());
                self.stores.len() - 1
            }
        };
    }

    /// Starts the next file: orders pushed from now on are that file's.
    pub fn start_file(&mut self, name: &str) {
        self.file_start = self.len();
        self.files.push(FileSeen {
            name: name.to_string(),
            store: self.store,
            newest: None,
            orders: 0,
        });
    }

    /// Where the order with this id is in the current store, if it was
    /// pushed already.
    pub fn find(&self, id: &str) -> Option<Found> {
        self.ids.find(self.store, id).map(|row| {
            if row >= self.file_start {
                Found::InThisFile(row)
            } else {
                Found::InEarlierFile
            }
        })
    }

    /// The e-mail of the order in this row.
    pub fn email(&self, row: usize) -> Option<&str> {
        use polars_arrow::array::MutableArray;
        let present = MutableArray::validity(&self.email).is_none_or(|valid| valid.get(row));
        present.then(|| self.email.value(row))
    }

    /// The customer keys of the orders so far, all their e-mails.
    fn customers_so_far(&self) -> MutableBinaryViewArray<str> {
        let mut customers = MutableBinaryViewArray::with_capacity(self.email.capacity());
        for row in 0..self.email.len() {
            customers.push(self.email(row));
        }
        customers
    }

    /// Room for `additional` more orders (a guess: more or fewer may come).
    pub fn reserve(&mut self, additional: usize) {
        self.ids.reserve(self.store, additional);
        self.file_of_row.reserve(additional);
        for texts in [
            &mut self.email,
            &mut self.customer_id,
            &mut self.company,
            &mut self.name,
            &mut self.phone,
            &mut self.zip,
            &mut self.country,
            &mut self.currency,
        ]
        .into_iter()
        .chain(&mut self.customer)
        {
            texts.reserve(additional);
        }
        let orders = self.len();
        if let Some(items) = &mut self.items
            && orders > 0
        {
            // As many items per order as so far.
            let per_order = items.order_row.len() as f64 / orders as f64;
            items.reserve((additional as f64 * per_order) as usize);
        }
        self.date.reserve(additional);
        self.time_of_day.reserve(additional);
        self.quantity.reserve(additional);
        self.total.reserve(additional);
        self.refunded.reserve(additional);
        self.accepts_marketing.reserve(additional);
        self.excluded.reserve(additional);
    }

    /// Adds the order and returns its row. The caller pushes an order id once
    /// per file; a copy from an earlier file is kept beside it until
    /// [`Self::finish`] chooses one. `Err` (what is out of range) when the
    /// orders' amounts or items together leave the range goldpan counts in.
    pub fn push(&mut self, order: Order) -> Result<usize, String> {
        let money = order
            .total_cents
            .checked_abs()
            .zip(order.refunded_cents.checked_abs())
            .and_then(|(total, refunded)| total.checked_add(refunded))
            .and_then(|money| self.money_sum.checked_add(money))
            .ok_or(
                "amounts that, added to the other orders', stay within the range goldpan counts in",
            )?;
        let items = self.items_sum.checked_add(order.quantity).ok_or(
            "items that, added to the other orders', stay within the range goldpan counts in",
        )?;
        self.money_sum = money;
        self.items_sum = items;
        let row = self.len();
        if self.files.is_empty() {
            self.start_file("");
        }
        let file = self.files.len() - 1;
        let seen = &mut self.files[file];
        seen.orders += 1;
        let timestamp = (order.date, order.time_of_day);
        if seen.newest.is_none_or(|newest| newest < timestamp) {
            seen.newest = Some(timestamp);
        }
        self.file_of_row.push(file as u32);
        if let Some(earlier) = self.ids.push(self.store, &order.id) {
            self.earlier_copy.insert(row, earlier);
        }
        // The customer key when it is not the order's e-mail (or its absence).
        let other_key = match (
            &order.email,
            &order.customer_id,
            self.stores.get(self.store),
        ) {
            (Some(_), _, None) | (None, None, _) => None,
            (None, Some(id), None) => Some(format!("id:{id}")),
            (Some(email), _, Some(store)) => Some(store_customer(store, email)),
            (None, Some(id), Some(store)) => Some(store_customer(store, &format!("id:{id}"))),
        };
        if other_key.is_some() && self.customer.is_none() {
            self.customer = Some(self.customers_so_far());
        }
        if let Some(customer) = &mut self.customer {
            match other_key {
                Some(key) => customer.push_value(key),
                None => customer.push(order.email.as_deref()),
            }
        }
        self.email.push(order.email);
        self.customer_id.push(order.customer_id);
        self.date.push(epoch_days(order.date));
        // Below 86,400: the conversion cannot fail.
        self.time_of_day
            .push(order.time_of_day.and_then(|s| i32::try_from(s).ok()));
        self.quantity.push(order.quantity);
        self.total.push(order.total_cents);
        self.refunded.push(order.refunded_cents);
        self.company.push(order.company);
        self.name.push(order.name);
        self.phone.push(order.phone);
        self.zip.push(order.zip);
        self.country.push(order.country);
        self.accepts_marketing.push(order.accepts_marketing);
        self.currency.push(order.currency);
        self.excluded.push(order.excluded.map(Exclusion::as_str));
        Ok(row)
    }

    /// Adds line-item quantity to an order already pushed (the later rows of an
    /// export with one row per line item). `Err` (what is out of range) when
    /// the order's or all orders' items leave the range goldpan counts in.
    pub fn add_quantity(&mut self, row: usize, quantity: i64) -> Result<(), String> {
        let order_items = add_items(self.quantity[row], quantity)?;
        self.items_sum = self.items_sum.checked_add(quantity).ok_or(
            "items that, added to the other orders', stay within the range goldpan counts in",
        )?;
        self.quantity[row] = order_items;
        Ok(())
    }

    /// The orders table, one row per order: of the copies of an order found
    /// in several files, the one from the most recent export (see
    /// [`FileSeen::recency`]). Copies of one order that differ in date or
    /// customer are not the same order: the files look like two stores, and
    /// that is an error.
    pub fn finish(mut self) -> anyhow::Result<Built> {
        let earlier_copy = std::mem::take(&mut self.earlier_copy);
        let files = std::mem::take(&mut self.files);
        let file_of_row = std::mem::take(&mut self.file_of_row);
        let ids = std::mem::take(&mut self.ids);
        let stores = std::mem::take(&mut self.stores);
        let items = self.items.take();
        // In row order, so that the examples of an error are always the same.
        let mut last_rows: Vec<usize> = ids.last_rows().collect();
        let (order_ids, last_row) = ids.finish();
        last_rows.sort_unstable();
        let store_of_row: Option<Vec<&str>> = (!stores.is_empty()).then(|| {
            file_of_row
                .iter()
                .map(|&file| stores[files[file as usize].store].as_str())
                .collect()
        });
        let all = self.table(order_ids.clone().into_column(), store_of_row)?;
        if earlier_copy.is_empty() && stores.len() < 2 {
            return Ok(Built {
                items: items.map(|items| items.table(&all, None)).transpose()?,
                orders: all,
                duplicates: 0,
                differing_duplicates: 0,
                same_orders_in_stores: Vec::new(),
            });
        }
        let copies = Copies::of(&all)?;
        let same_orders_in_stores = same_orders_in_stores(&order_ids, &last_row, &stores, &copies);
        if earlier_copy.is_empty() {
            return Ok(Built {
                items: items.map(|items| items.table(&all, None)).transpose()?,
                orders: all,
                duplicates: 0,
                differing_duplicates: 0,
                same_orders_in_stores,
            });
        }
        let recency = |row: usize| files[file_of_row[row] as usize].recency();
        let mut keep = vec![true; all.height()];
        let mut differing = 0;
        let mut conflicts: BTreeMap<(u32, u32), Conflict> = BTreeMap::new();
        for last in last_rows {
            let mut rows = vec![last];
            while let Some(&earlier) = earlier_copy.get(rows.last().expect("never empty")) {
                rows.push(earlier);
            }
            if rows.len() < 2 {
                continue;
            }
            let kept = *rows
                .iter()
                .max_by(|&&a, &&b| recency(a).cmp(&recency(b)))
                .expect("never empty");
            for &row in &rows {
                if row == kept {
                    continue;
                }
                keep[row] = false;
                let pair = (
                    file_of_row[row].min(file_of_row[kept]),
                    file_of_row[row].max(file_of_row[kept]),
                );
                let conflict = conflicts.entry(pair).or_default();
                conflict.shared += 1;
                if !copies.same_order(row, kept) {
                    conflict.differ += 1;
                    if conflict.examples.len() < 3 {
                        conflict.examples.push(copies.describe(row, kept));
                    }
                } else if !copies.same_details(row, kept) {
                    differing += 1;
                }
            }
        }
        if let Some(((a, b), conflict)) = conflicts.iter().find(|(_, c)| c.differ > 0) {
            let (a, b) = (&files[*a as usize], &files[*b as usize]);
            let what_to_do = match stores.get(a.store) {
                // Only --store gives two files one store.
                Some(store) => format!(
                    "yet --store names both store {store}: give each its own name, or leave \
                     --store out to name each store after its file"
                ),
                None => "goldpan counts an order found in several files once, so it does not \
                         mix two stores; to read each file as its own store, add \
                         --separate-stores"
                    .to_string(),
            };
            anyhow::bail!(
                "{} and {} share {} order numbers but {} differ in date or customer: these look \
                 like two stores (e.g. {}). {what_to_do}",
                a.name,
                b.name,
                conflict.shared,
                conflict.differ,
                conflict.examples.join("; ")
            );
        }
        let duplicates = keep.iter().filter(|&&k| !k).count() as u64;
        let mask = BooleanChunked::from_slice("keep".into(), &keep);
        Ok(Built {
            // The items of the copies left out go with them.
            items: items
                .map(|items| items.table(&all, Some(&keep)))
                .transpose()?,
            orders: all.filter(&mask)?,
            duplicates,
            differing_duplicates: differing,
            same_orders_in_stores,
        })
    }

    /// The table; with `store_of_row`, a [`col::STORE`] column of it.
    fn table(self, order_id: Column, store_of_row: Option<Vec<&str>>) -> PolarsResult<DataFrame> {
        let net: Vec<i64> = self
            .total
            .iter()
            .zip(&self.refunded)
            .map(|(total, refunded)| (total - refunded).max(0))
            .collect();
        let height = self.len();
        // A column with one value in every row (Shopify's customer id, empty;
        // a store's one currency; a column the export does not have) is that
        // value once, not once per row.
        let text = |name: &str, texts: MutableBinaryViewArray<str>| {
            let texts = StringChunked::with_chunk(name.into(), texts.freeze());
            let first = texts.iter().next().flatten();
            if height == 0 || texts.iter().any(|text| text != first) {
                return texts.into_column();
            }
            let value = match first {
                Some(text) => Scalar::new(DataType::String, AnyValue::StringOwned(text.into())),
                None => Scalar::null(DataType::String),
            };
            Column::new_scalar(texts.name().clone(), value, height)
        };
        let email = StringChunked::with_chunk(col::EMAIL.into(), self.email.freeze());
        let customer = match self.customer {
            Some(customer) => text(col::CUSTOMER, customer),
            None => email.clone().with_name(col::CUSTOMER.into()).into_column(),
        };
        let mut columns = vec![
            order_id,
            customer,
            email.into_column(),
            text(col::CUSTOMER_ID, self.customer_id),
            Column::new(col::DATE.into(), self.date).cast(&DataType::Date)?,
            Column::new(col::TIME.into(), self.time_of_day),
            Column::new(col::QUANTITY.into(), self.quantity),
            Column::new(col::TOTAL.into(), self.total),
            Column::new(col::REFUNDED.into(), self.refunded),
            Column::new(col::NET.into(), net),
            text(col::COMPANY, self.company),
            text(col::NAME, self.name),
            text(col::PHONE, self.phone),
            text(col::ZIP, self.zip),
            text(col::COUNTRY, self.country),
            Column::new(col::ACCEPTS_MARKETING.into(), self.accepts_marketing),
            text(col::CURRENCY, self.currency),
            Column::new(col::EXCLUDED.into(), self.excluded),
        ];
        if let Some(stores) = store_of_row {
            columns.push(Column::new(col::STORE.into(), stores));
        }
        DataFrame::new(height, columns)
    }
}

/// Orders that two stores both have, with the same number, date, time and
/// customer: such stores are more likely two overlapping exports of one
/// store. One line per such pair of stores, for people.
fn same_orders_in_stores(
    order_ids: &StringChunked,
    last_row: &[HashTable<usize>],
    stores: &[String],
    copies: &Copies,
) -> Vec<String> {
    let id_of = |row: usize| order_ids.get(row).unwrap_or_default();
    let mut found = Vec::new();
    for (a, rows) in last_row.iter().enumerate().take(stores.len()) {
        for (b, others) in last_row.iter().enumerate().take(stores.len()).skip(a + 1) {
            let (mut shared, mut same) = (0u64, 0u64);
            for &row in rows {
                if let Some(other) = last_row_of(others, id_of(row), id_of) {
                    shared += 1;
                    same += u64::from(copies.same_order(row, other));
                }
            }
            if same > 0 {
                found.push(format!(
                    "stores {} and {} share {same} of their {shared} common order numbers with \
                     the same date and customer: overlapping exports of one store? Each store \
                     counts them; to count them once, give both files one store name \
                     (--store NAME=FILE for each)",
                    stores[a], stores[b]
                ));
            }
        }
    }
    found
}

impl ItemsBuilder {
    fn reserve(&mut self, additional: usize) {
        self.order_row.reserve(additional);
        for texts in [&mut self.product, &mut self.variant, &mut self.sku] {
            texts.ids.reserve(additional);
        }
        self.quantity.reserve(additional);
        self.revenue.reserve(additional);
    }

    /// The line-items table of `orders` (the builder's table, every copy of
    /// every order); with `keep`, only the items of the rows kept.
    fn table(self, orders: &DataFrame, keep: Option<&[bool]>) -> PolarsResult<DataFrame> {
        let kept: Vec<bool> = match keep {
            Some(keep) => self
                .order_row
                .iter()
                .map(|&row| keep[row as usize])
                .collect(),
            None => Vec::new(),
        };
        let rows = IdxCa::from_vec(
            "row".into(),
            self.order_row.iter().map(|&row| row as IdxSize).collect(),
        );
        let mut columns = vec![orders.column(col::ORDER_ID)?.take(&rows)?];
        if orders.schema().contains(col::STORE) {
            columns.push(orders.column(col::STORE)?.take(&rows)?);
        }
        let height = self.order_row.len();
        columns.extend([
            self.product.column(item_col::PRODUCT)?,
            self.variant.column(item_col::VARIANT)?,
            self.sku.column(item_col::SKU)?,
            Column::new(item_col::QUANTITY.into(), self.quantity),
            Column::new(item_col::REVENUE.into(), self.revenue),
        ]);
        let table = DataFrame::new(height, columns)?;
        if keep.is_none() {
            return Ok(table);
        }
        table.filter(&BooleanChunked::from_slice("keep".into(), &kept))
    }
}

/// The orders table, and what choosing one copy of each order left out.
pub struct Built {
    pub orders: DataFrame,
    /// The line-items table, when the builder kept line items.
    pub items: Option<DataFrame>,
    /// Copies of orders found in several files, left out.
    pub duplicates: u64,
    /// Of those, the copies that differ from the one kept (a refund or a
    /// cancellation recorded in a later export, an edited address…).
    pub differing_duplicates: u64,
    /// Separate stores that look like one: a note for each pair.
    pub same_orders_in_stores: Vec<String>,
}

/// What the builder knows of a file it read.
struct FileSeen {
    name: String,
    /// Index into the builder's stores (0 when stores are not separate).
    store: usize,
    /// The date and time of its newest order.
    newest: Option<(NaiveDate, Option<u32>)>,
    orders: u64,
}

impl FileSeen {
    /// Which of two exports is the more recent: the one whose newest order is
    /// the latest, then the one with more orders, then by name, so that the
    /// choice never depends on the order the files were given in.
    fn recency(&self) -> (Option<(NaiveDate, Option<u32>)>, u64, &str) {
        (self.newest, self.orders, &self.name)
    }
}

/// The copies of one order two files share.
#[derive(Default)]
struct Conflict {
    shared: u64,
    differ: u64,
    examples: Vec<String>,
}

/// The columns that say whether two copies are the same order.
struct Copies {
    id: StringChunked,
    date: Int32Chunked,
    time: Int32Chunked,
    customer: StringChunked,
    details: Vec<Column>,
}

impl Copies {
    fn of(table: &DataFrame) -> PolarsResult<Copies> {
        let text =
            |name: &str| -> PolarsResult<StringChunked> { Ok(table.column(name)?.str()?.clone()) };
        let date = table
            .column(col::DATE)?
            .as_materialized_series()
            .cast(&DataType::Int32)?;
        let details = [
            col::QUANTITY,
            col::TOTAL,
            col::REFUNDED,
            col::EXCLUDED,
            col::CURRENCY,
            col::COMPANY,
            col::NAME,
            col::PHONE,
            col::ZIP,
            col::COUNTRY,
            col::ACCEPTS_MARKETING,
            col::CUSTOMER_ID,
        ]
        .iter()
        .map(|name| table.column(name).cloned())
        .collect::<PolarsResult<_>>()?;
        Ok(Copies {
            id: text(col::ORDER_ID)?,
            date: date.i32()?.clone(),
            time: table.column(col::TIME)?.i32()?.clone(),
            customer: text(col::EMAIL)?,
            details,
        })
    }

    /// Same date, same time where both say one, same e-mail.
    fn same_order(&self, a: usize, b: usize) -> bool {
        let time_agrees = match (self.time.get(a), self.time.get(b)) {
            (Some(x), Some(y)) => x == y,
            _ => true,
        };
        self.date.get(a) == self.date.get(b)
            && time_agrees
            && self.customer.get(a) == self.customer.get(b)
    }

    /// Same amounts, items, status and contact details.
    fn same_details(&self, a: usize, b: usize) -> bool {
        self.details
            .iter()
            .all(|column| matches!((column.get(a), column.get(b)), (Ok(x), Ok(y)) if x == y))
    }

    /// "#1001 on 2025-01-02 and 2024-03-04" (no customer data).
    fn describe(&self, a: usize, b: usize) -> String {
        let day = |row: usize| {
            self.date
                .get(row)
                .and_then(NaiveDate::from_epoch_days)
                .map_or("no date".to_string(), |date| date.to_string())
        };
        let (day_a, day_b) = (day(a), day(b));
        let id = self.id.get(a).unwrap_or_default();
        if day_a == day_b {
            format!("{id} of {day_a} with another customer or time")
        } else {
            format!("{id} of {day_a} and of {day_b}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_drops_control_characters_and_keeps_the_rest() {
        // C1 controls (U+0080-U+009F) share their first UTF-8 byte with
        // letters such as the no-break space (U+00A0).
        assert_eq!(plain_text("Ann\tLee\r\n"), "Ann Lee  ");
        assert_eq!(plain_text("Ac\0me\x1b\u{7f}\u{85}\u{9f}"), "Acme");
        assert_eq!(
            plain_text("Caf\u{e9}\u{a0}\u{a9} Zo\u{eb}"),
            "Caf\u{e9}\u{a0}\u{a9} Zo\u{eb}"
        );
        assert!(matches!(
            plain_text("Caf\u{e9}"),
            std::borrow::Cow::Borrowed(_)
        ));
    }

    #[test]
    fn order_ids_with_one_number_are_still_told_apart() {
        // One number (1001) in five ids, and numbers past what a hash keeps.
        let ids = [
            "#1001",
            "1001",
            "#01001",
            "A-1001",
            "1001\u{0}",
            "123456789012345678901",
            "923456789012345678901",
            "144115188075856897",
            "1",
        ];
        let mut orders = OrdersBuilder::default();
        for id in ids {
            assert_eq!(orders.find(id), None, "{id}");
            orders
                .push(Order {
                    id: id.into(),
                    date: NaiveDate::from_ymd_opt(2025, 1, 2).unwrap(),
                    ..Order::default()
                })
                .unwrap();
        }
        for (row, id) in ids.iter().enumerate() {
            assert_eq!(orders.find(id), Some(Found::InThisFile(row)), "{id}");
        }
        assert_eq!(orders.find("#1002"), None);
    }

    #[test]
    fn sums_that_could_overflow_are_refused() {
        let mut orders = OrdersBuilder::default();
        let big = |id: &str| Order {
            id: id.into(),
            date: NaiveDate::from_ymd_opt(2025, 1, 2).unwrap(),
            total_cents: i64::MAX / 2,
            quantity: 1,
            ..Order::default()
        };
        assert_eq!(orders.push(big("#1")), Ok(0));
        assert_eq!(orders.push(big("#2")), Ok(1));
        assert!(orders.push(big("#3")).is_err());
        assert!(orders.add_quantity(0, i64::MAX).is_err());
        assert_eq!(orders.len(), 2);
    }

    #[test]
    fn company_placeholders_are_empty() {
        assert_eq!(normalize_company("  N/A ", &[]), None);
        assert_eq!(normalize_company("Self", &[]), None);
        assert_eq!(normalize_company("-", &[]), None);
        assert_eq!(
            normalize_company(" Linen Co ", &[]),
            Some("Linen Co".to_string())
        );
        assert_eq!(normalize_company("test", &["TEST".to_string()]), None);
    }

    #[test]
    fn email_is_trimmed_and_lowercased() {
        assert_eq!(
            normalize_email("  Ann@Example.COM "),
            Some("ann@example.com".into())
        );
        assert_eq!(normalize_email("   "), None);
    }

    #[test]
    fn same_order_id_counts_once() {
        let mut orders = OrdersBuilder::default();
        let order = Order {
            id: "#1001".into(),
            date: NaiveDate::from_ymd_opt(2025, 1, 2).unwrap(),
            ..Order::default()
        };
        orders.start_file("jan.csv");
        assert_eq!(orders.push(order.clone()), Ok(0));
        orders.start_file("feb.csv");
        assert_eq!(orders.push(order), Ok(1));
        let built = orders.finish().unwrap();
        assert_eq!((built.orders.height(), built.duplicates), (1, 1));
    }

    #[test]
    fn with_separate_stores_an_order_is_a_store_and_an_id() {
        let order = |email: &str, day: u32| Order {
            id: "#1001".into(),
            email: Some(email.into()),
            date: NaiveDate::from_ymd_opt(2025, 1, day).unwrap(),
            ..Order::default()
        };
        let mut orders = OrdersBuilder::default();
        for (store, file, email, day) in [
            ("a", "a.csv", "ann@x.com", 2),
            ("b", "b.csv", "ann@x.com", 9),
            // A second export of store a: its copy of #1001 is the same order.
            ("a", "a2.csv", "ann@x.com", 2),
        ] {
            orders.start_store(store);
            orders.start_file(file);
            orders.push(order(email, day)).unwrap();
        }
        let built = orders.finish().unwrap();
        assert_eq!((built.orders.height(), built.duplicates), (2, 1));
        let text = |name: &str| -> Vec<String> {
            let column = built.orders.column(name).unwrap().str().unwrap().clone();
            column.iter().map(|v| v.unwrap().to_string()).collect()
        };
        assert_eq!(text(col::STORE), ["b", "a"]);
        assert_eq!(
            text(col::CUSTOMER),
            [
                store_customer("b", "ann@x.com"),
                store_customer("a", "ann@x.com")
            ]
        );
        assert!(built.same_orders_in_stores.is_empty(), "other dates");
    }

    #[test]
    fn the_customer_is_the_email_else_the_customer_id() {
        let order = |id: &str, email: Option<&str>, customer_id: Option<&str>| Order {
            id: id.into(),
            email: email.map(str::to_string),
            customer_id: customer_id.map(str::to_string),
            date: NaiveDate::from_ymd_opt(2025, 1, 2).unwrap(),
            ..Order::default()
        };
        let customers = |orders: &[Order]| -> Vec<Option<String>> {
            let mut builder = OrdersBuilder::default();
            builder.start_file("test.csv");
            for o in orders {
                builder.push(o.clone()).unwrap();
            }
            let built = builder.finish().unwrap().orders;
            let column = built.column(col::CUSTOMER).unwrap().str().unwrap().clone();
            column.iter().map(|c| c.map(str::to_string)).collect()
        };
        let ann = order("#1", Some("ann@x.com"), Some("7"));
        let nobody = order("#2", None, None);
        let by_id = order("#3", None, Some("8"));
        let bea = order("#4", Some("bea@x.com"), None);
        let some = |s: &str| Some(s.to_string());
        // E-mails only: the customer column is the e-mail column.
        assert_eq!(
            customers(&[ann.clone(), nobody.clone()]),
            [some("ann@x.com"), None]
        );
        // A customer known by id alone, after and before orders with e-mails.
        assert_eq!(
            customers(&[ann.clone(), nobody.clone(), by_id.clone(), bea.clone()]),
            [some("ann@x.com"), None, some("id:8"), some("bea@x.com")]
        );
        assert_eq!(
            customers(&[by_id, ann, nobody, bea]),
            [some("id:8"), some("ann@x.com"), None, some("bea@x.com")]
        );
    }

    #[test]
    fn a_text_with_one_value_in_every_order_is_kept_once() {
        let order = |id: &str, company: Option<&str>| Order {
            id: id.into(),
            company: company.map(str::to_string),
            currency: Some("EUR".into()),
            date: NaiveDate::from_ymd_opt(2025, 1, 2).unwrap(),
            ..Order::default()
        };
        let mut builder = OrdersBuilder::default();
        builder.start_file("test.csv");
        builder.push(order("#1", None)).unwrap();
        builder.push(order("#2", Some("Linen Co"))).unwrap();
        let orders = builder.finish().unwrap().orders;
        let customer_id = orders.column(col::CUSTOMER_ID).unwrap();
        assert!(matches!(customer_id, Column::Scalar(_)), "{customer_id:?}");
        assert_eq!(customer_id.null_count(), 2);
        let currency = orders.column(col::CURRENCY).unwrap();
        assert!(matches!(currency, Column::Scalar(_)), "{currency:?}");
        let currency: Vec<_> = currency.str().unwrap().iter().collect();
        assert_eq!(currency, [Some("EUR"), Some("EUR")]);
        let company = orders.column(col::COMPANY).unwrap();
        assert!(!matches!(company, Column::Scalar(_)));
        let company: Vec<_> = company.str().unwrap().iter().collect();
        assert_eq!(company, [None, Some("Linen Co")]);
    }
}
