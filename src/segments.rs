//! Who is in each segment (SEGMENTS.md section 4): one boolean polars
//! expression per segment over the customers table.

use crate::customers::col;
use crate::metrics::Totals;
use polars::prelude::*;

/// Every threshold a segment depends on; each is a command-line flag.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Rules {
    pub bulk_order_qty: i64,
    pub bulk_total_qty: i64,
    pub work_email_is_b2b: bool,
    pub extra_free_mail_domains: Vec<String>,
    /// Ascending lower bounds of the lapsed bands, in days.
    pub lapsed_days: Vec<i64>,
    pub top_percent: u32,
    /// Customer AOV below `low` × store AOV is low, above `high` × is high.
    pub aov_low: f64,
    pub aov_high: f64,
}

impl Default for Rules {
    fn default() -> Self {
        Rules {
            bulk_order_qty: 36,
            bulk_total_qty: 72,
            work_email_is_b2b: false,
            extra_free_mail_domains: Vec::new(),
            lapsed_days: vec![60, 90],
            top_percent: 20,
            aov_low: 0.5,
            aov_high: 2.0,
        }
    }
}

/// One customer list.
pub struct Segment {
    /// File stem: `bulk_b2b` writes `bulk_b2b.csv`.
    pub name: String,
    /// The rule in plain words, for `--help` and the run's report.
    pub rule: String,
    /// True for the customers in the segment.
    pub members: Expr,
}

/// Column of the customers table, added by [`with_reasons`], saying why a
/// customer looks like a business.
pub const REASONS: &str = "reasons";

/// Mail providers anyone can sign up to: an address there says nothing about
/// a business. `example.*` are the reserved placeholder domains.
pub const FREE_MAIL_DOMAINS: &[&str] = &[
    "gmail.com",
    "googlemail.com",
    "yahoo.com",
    "yahoo.co.uk",
    "yahoo.fr",
    "yahoo.de",
    "yahoo.it",
    "yahoo.es",
    "yahoo.ca",
    "yahoo.com.au",
    "ymail.com",
    "rocketmail.com",
    "hotmail.com",
    "hotmail.co.uk",
    "hotmail.fr",
    "hotmail.de",
    "hotmail.it",
    "hotmail.es",
    "outlook.com",
    "outlook.fr",
    "outlook.de",
    "live.com",
    "live.co.uk",
    "live.fr",
    "msn.com",
    "aol.com",
    "icloud.com",
    "me.com",
    "mac.com",
    "proton.me",
    "protonmail.com",
    "pm.me",
    "gmx.com",
    "gmx.de",
    "gmx.net",
    "gmx.at",
    "web.de",
    "t-online.de",
    "freenet.de",
    "mail.com",
    "email.com",
    "zoho.com",
    "yandex.com",
    "yandex.ru",
    "mail.ru",
    "qq.com",
    "163.com",
    "126.com",
    "naver.com",
    "hey.com",
    "fastmail.com",
    "tutanota.com",
    "libero.it",
    "virgilio.it",
    "orange.fr",
    "wanadoo.fr",
    "free.fr",
    "laposte.net",
    "sfr.fr",
    "btinternet.com",
    "sky.com",
    "comcast.net",
    "verizon.net",
    "att.net",
    "sbcglobal.net",
    "cox.net",
    "rediffmail.com",
    "seznam.cz",
    "wp.pl",
    "o2.pl",
    "bigpond.com",
    "shaw.ca",
    "example.com",
    "example.org",
    "example.net",
];

/// Number of customers in the top `percent`: ceil(percent/100 × customers).
pub fn top_count(percent: u32, customers: u64) -> u64 {
    (percent as u64 * customers).div_ceil(100)
}

/// Customer AOV compared with `factor` × store AOV, by cross-multiplying
/// (revenue × store orders vs factor × store revenue × orders) so that a
/// customer at exactly 0.5× or 2× is not pushed across by a rounding error.
fn aov_times_store(totals: &Totals) -> (Expr, Expr) {
    let customer_side = col(col::REVENUE).cast(DataType::Float64) * lit(totals.orders as f64);
    let store_side = lit(totals.revenue_cents as f64) * col(col::ORDERS).cast(DataType::Float64);
    (customer_side, store_side)
}

pub fn aov_low(rules: &Rules, totals: &Totals) -> Expr {
    let (customer, store) = aov_times_store(totals);
    customer.lt(lit(rules.aov_low) * store)
}

pub fn aov_high(rules: &Rules, totals: &Totals) -> Expr {
    let (customer, store) = aov_times_store(totals);
    customer.gt(lit(rules.aov_high) * store)
}

fn bulk_signals(rules: &Rules) -> [(&'static str, Expr); 6] {
    let free_mail: Vec<String> = FREE_MAIL_DOMAINS
        .iter()
        .map(|d| d.to_string())
        .chain(
            rules
                .extra_free_mail_domains
                .iter()
                .map(|d| d.to_lowercase()),
        )
        .collect();
    let domain = col(col::EMAIL).str().extract(lit(r"@([^@]+)$"), 1);
    let free_mail = Series::new("free_mail".into(), free_mail);
    [
        (
            "order_qty",
            col(col::MAX_ORDER_QUANTITY).gt_eq(lit(rules.bulk_order_qty)),
        ),
        (
            "total_qty",
            col(col::TOTAL_QUANTITY).gt_eq(lit(rules.bulk_total_qty)),
        ),
        ("company", col(col::COMPANY).is_not_null()),
        // From a Shopify customers export given alongside the orders.
        ("tax_exempt", col(col::TAX_EXEMPT)),
        ("wholesale_tag", col(col::WHOLESALE_TAG)),
        (
            "work_email",
            domain
                .clone()
                .is_not_null()
                .and(domain.is_in(lit(free_mail).implode(false), false).not()),
        ),
    ]
}

/// Adds the [`REASONS`] column: the bulk/B2B signals that hold for each
/// customer, separated by `;` (empty when none).
pub fn with_reasons(customers: LazyFrame, rules: &Rules) -> LazyFrame {
    let signals = bulk_signals(rules)
        .into_iter()
        .map(|(name, holds)| when(holds).then(lit(name)).otherwise(lit(NULL)))
        .collect::<Vec<_>>();
    customers.with_column(concat_str(signals, ";", true).alias(REASONS))
}

/// Every segment, in the order they are written and reported.
pub fn all(rules: &Rules, totals: &Totals) -> Vec<Segment> {
    let [
        order_qty,
        total_qty,
        company,
        tax_exempt,
        wholesale_tag,
        work_email,
    ] = bulk_signals(rules).map(|(_, e)| e);
    let mut bulk = order_qty
        .or(total_qty)
        .or(company)
        .or(tax_exempt)
        .or(wholesale_tag);
    if rules.work_email_is_b2b {
        bulk = bulk.or(work_email);
    }
    let mut segments = vec![
        Segment {
            name: "bulk_b2b".into(),
            rule: format!(
                "an order of {}+ items, {}+ items in all, a company, or tax exempt or \
                 wholesale in a customers export{}",
                rules.bulk_order_qty,
                rules.bulk_total_qty,
                if rules.work_email_is_b2b {
                    ", or a work e-mail"
                } else {
                    ""
                }
            ),
            members: bulk,
        },
        Segment {
            name: "repeat".into(),
            rule: "2 or more orders".into(),
            members: col(col::ORDERS).gt_eq(lit(2)),
        },
        Segment {
            name: "one_time".into(),
            rule: "exactly 1 order".into(),
            members: col(col::ORDERS).eq(lit(1)),
        },
    ];
    for (i, &from) in rules.lapsed_days.iter().enumerate() {
        let days = col(col::DAYS_SINCE_LAST_ORDER);
        let (members, rule) = match rules.lapsed_days.get(i + 1) {
            Some(&to) => (
                days.clone().gt_eq(lit(from)).and(days.lt(lit(to))),
                format!("last order {from} to {} days ago", to - 1),
            ),
            None => (
                days.gt_eq(lit(from)),
                format!("last order {from} or more days ago"),
            ),
        };
        segments.push(Segment {
            name: format!("lapsed_{from}"),
            rule,
            members,
        });
    }
    let top = top_count(rules.top_percent, totals.customers);
    segments.push(Segment {
        name: format!("top_{}", rules.top_percent),
        rule: format!(
            "the {top} customers with the most revenue (top {}%)",
            rules.top_percent
        ),
        members: col(col::RANK).lt(lit(top)),
    });
    let (low, high) = (aov_low(rules, totals), aov_high(rules, totals));
    segments.extend([
        Segment {
            name: "aov_low".into(),
            rule: format!("average order below {}× the store's", rules.aov_low),
            members: low.clone(),
        },
        Segment {
            name: "aov_mid".into(),
            rule: format!(
                "average order from {}× to {}× the store's",
                rules.aov_low, rules.aov_high
            ),
            members: low.clone().or(high.clone()).not(),
        },
        Segment {
            name: "aov_high".into(),
            rule: format!("average order above {}× the store's", rules.aov_high),
            members: high,
        },
    ]);
    segments
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn top_count_rounds_up() {
        assert_eq!(top_count(20, 0), 0);
        assert_eq!(top_count(20, 1), 1);
        assert_eq!(top_count(20, 5), 1);
        assert_eq!(top_count(20, 6), 2);
        assert_eq!(top_count(10, 37), 4);
        assert_eq!(top_count(100, 7), 7);
    }
}
