//! From rows to orders, the same way for every format: which row starts an
//! order, which continues one, and which is set aside with the order it
//! belongs to. A format module only says, through [`OrderRows`], which order a
//! row belongs to and how to read an order from its first row.

use super::row::{OrderId, Row};
use super::{ExportReader, IngestOptions, Rejected, RowError};
use crate::model::{Found, LineItem, Order, OrdersBuilder};
use anyhow::{Result, bail};
use rustc_hash::FxHashMap;

/// How the rows of an export make orders.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// Each row is a whole order (BigCommerce, WooCommerce "Default"): an
    /// order id met again in the same file is an error.
    RowPerOrder,
    /// Each row is a line item (Shopify, WooCommerce "One Row per Item",
    /// `--map`): an order's first row gives the order; the later rows with
    /// its id, in the same file, only add their items.
    RowPerLineItem,
}

/// What a format module knows about the rows of one file.
pub trait OrderRows {
    fn layout(&self) -> Layout;

    /// The order the current row belongs to, after the checks every row of
    /// the format gets ([`super::row::order_id`] or [`super::row::order_name`]
    /// and the format's own checks).
    fn order_id<'r>(&self, reader: &'r ExportReader) -> Result<OrderId<'r>, RowError>;

    /// The order, read from its first row.
    fn first_row(&mut self, row: &Row) -> Result<Order, RowError>;

    /// The items of a later row of an order ([`Layout::RowPerLineItem`] only).
    fn later_row(&mut self, row: &Row) -> Result<i64, RowError> {
        unreachable!("a later row of order {} in a row-per-order layout", row.id)
    }

    /// The line items on a row (all of an order's on a row-per-order
    /// layout, the row's one item on a line-item layout). Asked only when a
    /// command needs line items; a format that cannot say gives none.
    fn line_items(&mut self, _row: &Row) -> Result<Vec<LineItem>, RowError> {
        Ok(Vec::new())
    }

    /// Whether a later row of an order names another e-mail than `first`,
    /// the order's ([`Layout::RowPerLineItem`] formats whose later rows
    /// repeat it): such a row is an error, not silently merged.
    fn other_email(&self, _row: &Row, _first: &str) -> Result<bool, RowError> {
        Ok(false)
    }

    /// What people should know once the file is read, if anything (e.g. how
    /// its dates were read).
    fn note(&self, _file: &str) -> Option<String> {
        None
    }
}

/// What a file's rows made.
#[derive(Default)]
pub struct FileCounts {
    /// Data rows, rejected ones included.
    pub rows: u64,
    /// Rows that made or added to an order: rows − rejected rows' lines.
    pub used: u64,
    /// Orders read (new, or copies of an earlier file's).
    pub orders: u64,
}

/// Where the rows of every file go.
pub struct Sink<'a> {
    pub orders: OrdersBuilder,
    /// Rows set aside by `--skip-bad-rows`.
    pub rejected: Vec<Rejected>,
    /// Notes for people, one line each, without the `goldpan: ` prefix.
    pub notes: Vec<String>,
    /// With separate stores, the stores of the orders exports read so far.
    pub order_stores: Vec<String>,
    pub options: &'a IngestOptions,
}

impl<'a> Sink<'a> {
    pub fn new(options: &'a IngestOptions) -> Self {
        Sink {
            orders: if options.line_items {
                OrdersBuilder::with_line_items()
            } else {
                OrdersBuilder::default()
            },
            rejected: Vec::new(),
            notes: Vec::new(),
            order_stores: Vec::new(),
            options,
        }
    }

    /// A row that cannot be read: stops the run, or with `--skip-bad-rows` is
    /// set aside with its reason. Errors about the whole file always stop.
    fn reject(&mut self, reader: &ExportReader, err: RowError) -> Result<()> {
        if err.fatal {
            return Err(err.into());
        }
        if !self.options.skip_bad_rows {
            bail!("{err} (to skip such rows, count them and go on, use --skip-bad-rows)");
        }
        self.rejected.push(Rejected {
            file: err.file.clone(),
            line: err.line,
            lines: reader.record_lines(),
            reason: err.reason(),
            raw: reader.raw_record(),
        });
        Ok(())
    }
}

/// Reads every row of a file into `sink.orders`, grouping rows into orders
/// as `format` lays them out. A row that cannot be read is rejected (or
/// stops the run); when an order's first row is rejected, so are its later
/// rows.
pub fn read_rows(
    reader: &mut ExportReader,
    sink: &mut Sink,
    format: &mut impl OrderRows,
) -> Result<FileCounts> {
    sink.orders.start_file(reader.file());
    let mut file = FileOrders {
        first_order: sink.orders.len(),
        ..FileOrders::default()
    };
    let mut counts = FileCounts::default();
    loop {
        match reader.next_row() {
            Ok(true) => counts.rows += 1,
            Ok(false) => break,
            Err(err) => {
                // A rejected row counts once per line it spans: every line lost is told.
                counts.rows += reader.record_lines();
                sink.reject(reader, err)?;
                continue;
            }
        }
        if counts.rows == ROWS_BEFORE_RESERVING
            && let Some(share) = reader.share_read()
        {
            // The orders of the whole file, from those of its first rows:
            // the orders table grows once instead of doubling again and
            // again (each time copying its columns and rehashing its ids).
            let expected = (counts.orders as f64 / share) as usize;
            let more = expected.saturating_sub(counts.orders as usize);
            sink.orders.reserve(more.min(MAX_RESERVED_ORDERS));
        }
        match file.read_row(reader, sink, format, &mut counts) {
            Ok(()) => counts.used += 1,
            Err(err) => {
                counts.rows += reader.record_lines() - 1;
                sink.reject(reader, err)?;
            }
        }
    }
    sink.notes.extend(format.note(reader.file()));
    Ok(counts)
}

/// Rows read before the orders table is sized for the whole file.
const ROWS_BEFORE_RESERVING: u64 = 20_000;
/// At most this many orders are reserved room for at once: a guess from a
/// file's first rows must not ask for memory no store needs (beyond it the
/// table grows as it needs).
const MAX_RESERVED_ORDERS: usize = 16_000_000;

/// A row whose amounts or items, added to the others', leave the range
/// goldpan counts in.
fn out_of_range(reader: &ExportReader, expected: &str) -> RowError {
    RowError {
        file: reader.file().to_string(),
        line: reader.line(),
        column: None,
        problem: format!("expected {expected}"),
        fatal: false,
    }
}

/// What the rows read so far made of an order id met again.
enum Seen {
    /// Built into this row of the orders table, from this file.
    Row(usize),
    /// Its first row in this file, on this line, was rejected.
    Rejected(u64),
}

/// The order ids of the file being read that the orders table cannot tell.
#[derive(Default)]
struct FileOrders {
    /// Orders whose first row was rejected, with its line.
    rejected: FxHashMap<Box<str>, u64>,
    /// The line of the first row of each order of this file, by its row of
    /// the orders table less the file's first: named when a later row's
    /// e-mail differs from the first's.
    first_lines: Vec<u64>,
    /// The first row of the orders table that this file's orders fill.
    first_order: usize,
    /// The row of the orders table that the previous new order made, and
    /// its id (kept here: comparing with it is cheaper than reading it back
    /// from the orders table's column).
    previous: Option<usize>,
    previous_id: String,
}

impl FileOrders {
    fn seen(&self, orders: &OrdersBuilder, id: &str) -> Option<Seen> {
        // An order's rows mostly follow each other: its id is compared with
        // the previous row's order before it is looked up in the index (a
        // lookup is a cache miss on a large export). The index would give
        // that same row: an id is pushed once per file.
        if let Some(row) = self.previous
            && self.previous_id == id
        {
            return Some(Seen::Row(row));
        }
        match orders.find(id) {
            Some(Found::InThisFile(row)) => Some(Seen::Row(row)),
            // A copy from an earlier file does not count here: this file's
            // copy is built too, and the orders table keeps the newer one.
            Some(Found::InEarlierFile) | None => {
                self.rejected.get(id).map(|&line| Seen::Rejected(line))
            }
        }
    }

    /// Starts, continues or refuses an order with the current row.
    fn read_row(
        &mut self,
        reader: &ExportReader,
        sink: &mut Sink,
        format: &mut impl OrderRows,
        counts: &mut FileCounts,
    ) -> Result<(), RowError> {
        let OrderId { id, column } = format.order_id(reader)?;
        let row = Row {
            reader,
            id,
            options: sink.options,
        };
        let Some(seen) = self.seen(&sink.orders, id) else {
            let order = format.first_row(&row).inspect_err(|_| {
                self.rejected.insert(id.into(), reader.line());
            })?;
            let items = self.line_items(sink, format, &row).inspect_err(|_| {
                self.rejected.insert(id.into(), reader.line());
            })?;
            let built = sink.orders.push(order).map_err(|expected| {
                self.rejected.insert(id.into(), reader.line());
                out_of_range(reader, &expected)
            })?;
            self.first_lines.push(reader.line());
            debug_assert_eq!(self.first_order + self.first_lines.len(), built + 1);
            self.previous = Some(built);
            self.previous_id.clear();
            self.previous_id.push_str(id);
            sink.orders
                .add_line_items(built, items)
                .map_err(|expected| out_of_range(reader, &expected))?;
            counts.orders += 1;
            return Ok(());
        };
        match (format.layout(), seen) {
            (Layout::RowPerOrder, _) => Err(reader.bad(
                column,
                "each order on one row in this layout (this order id came before)",
                id.as_bytes(),
            )),
            (Layout::RowPerLineItem, Seen::Rejected(line)) => Err(RowError {
                file: reader.file().to_string(),
                line: reader.line(),
                column: None,
                problem: format!(
                    "a later line item of order {id}, whose first row (line {line}) was rejected"
                ),
                fatal: false,
            }),
            (Layout::RowPerLineItem, Seen::Row(order)) => {
                let line = self.first_lines[order - self.first_order];
                if let Some(first) = sink.orders.email(order)
                    && format.other_email(&row, first)?
                {
                    // Not shown: the message needs no customer's address.
                    return Err(RowError {
                        file: reader.file().to_string(),
                        line: reader.line(),
                        column: None,
                        problem: format!(
                            "a later line item of order {id} has another e-mail than the \
                             order's first row (line {line}): two orders under one number?"
                        ),
                        fatal: false,
                    });
                }
                let items = format.later_row(&row)?;
                let line_items = self.line_items(sink, format, &row)?;
                sink.orders
                    .add_quantity(order, items)
                    .map_err(|expected| out_of_range(reader, &expected))?;
                sink.orders
                    .add_line_items(order, line_items)
                    .map_err(|expected| out_of_range(reader, &expected))
            }
        }
    }

    /// The row's line items when the orders builder keeps them; else none,
    /// without reading their cells.
    fn line_items(
        &self,
        sink: &Sink,
        format: &mut impl OrderRows,
        row: &Row,
    ) -> Result<Vec<LineItem>, RowError> {
        if sink.orders.wants_line_items() {
            format.line_items(row)
        } else {
            Ok(Vec::new())
        }
    }
}
