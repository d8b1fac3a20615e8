//! Who is in each segment (docs/definitions.md, section 4): one boolean
//! polars expression per segment over the customers table.

use crate::customers::{Totals, field};
use polars::prelude::*;

/// Every threshold a segment depends on; each is a setting (a flag and a
/// goldpan.toml key, declared with its default in `crate::config`).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Rules {
    pub bulk_order_qty: i64,
    pub bulk_total_qty: i64,
    /// A company alone is enough for bulk_b2b (otherwise it takes a work e-mail too).
    pub company_is_b2b: bool,
    /// A work e-mail alone is enough for bulk_b2b (otherwise it takes a company too).
    pub work_email_is_b2b: bool,
    pub extra_free_mail_domains: Vec<String>,
    /// Ascending lower bounds of the lapsed bands, in days.
    pub lapsed_days: Vec<i64>,
    pub top_percent: u32,
    /// Customer AOV below `low` × store AOV is low, above `high` × is high.
    pub aov_low: f64,
    pub aov_high: f64,
}

/// One customer list.
pub struct Segment {
    /// File stem: `bulk_b2b` writes `bulk_b2b.csv`.
    pub name: String,
    /// The rule in plain words, for the run's report.
    pub rule: String,
    /// The rule for `--help`, which knows no store: the same words, but the
    /// top list as a share of the customers rather than a count.
    pub about: String,
    /// True for the customers in the segment.
    pub members: Expr,
    /// Columns of the customers table this list has after the common ones
    /// (`crate::lists::LIST_COLUMNS`).
    pub extra_columns: &'static [&'static str],
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
    let customer_side = col(field::REVENUE).cast(DataType::Float64) * lit(totals.orders as f64);
    let store_side = lit(totals.revenue_cents as f64) * col(field::ORDERS).cast(DataType::Float64);
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

/// The bulk/B2B signals, in the order the reasons column names them.
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
    let domain = email_domain(col(field::EMAIL));
    let free_mail = Series::new("free_mail".into(), free_mail);
    [
        (
            "order_qty",
            col(field::MAX_ORDER_QUANTITY).gt_eq(lit(rules.bulk_order_qty)),
        ),
        (
            "total_qty",
            col(field::TOTAL_QUANTITY).gt_eq(lit(rules.bulk_total_qty)),
        ),
        // From a Shopify customers export given alongside the orders.
        ("wholesale_tag", col(field::WHOLESALE_TAG)),
        ("tax_exempt", col(field::TAX_EXEMPT)),
        ("company", col(field::COMPANY).is_not_null()),
        (
            "work_email",
            domain
                .clone()
                .is_not_null()
                .and(domain.is_in(lit(free_mail).implode(false), false).not()),
        ),
    ]
}

/// The part of an e-mail after its last `@`; null without an `@` or when
/// nothing follows it. (Polars' regex extraction and its split on `@` were
/// both several times slower than finding the last `@` of each e-mail.)
fn email_domain(email: Expr) -> Expr {
    email.map(
        |emails| {
            let domains: StringChunked = emails
                .str()?
                .iter()
                .map(|email| {
                    let (_, domain) = email?.rsplit_once('@')?;
                    (!domain.is_empty()).then_some(domain)
                })
                .collect();
            Ok(domains.with_name(emails.name().clone()).into_column())
        },
        |_, field| Ok(Field::new(field.name().clone(), DataType::String)),
    )
}

/// Who is in bulk_b2b: any strong signal, or a company and a work e-mail
/// together (each alone only when the rules say it is enough).
fn bulk_members(rules: &Rules) -> Expr {
    let [
        order_qty,
        total_qty,
        wholesale_tag,
        tax_exempt,
        company,
        work_email,
    ] = bulk_signals(rules).map(|(_, e)| e);
    let mut members = order_qty
        .or(total_qty)
        .or(wholesale_tag)
        .or(tax_exempt)
        .or(company.clone().and(work_email.clone()));
    if rules.company_is_b2b {
        members = members.or(company);
    }
    if rules.work_email_is_b2b {
        members = members.or(work_email);
    }
    members
}

/// The bulk_b2b rule in plain words.
fn bulk_rule(rules: &Rules) -> String {
    let weak = match (rules.company_is_b2b, rules.work_email_is_b2b) {
        (false, false) => "both a company and a work e-mail",
        (true, false) => "a company",
        (false, true) => "a work e-mail",
        (true, true) => "a company or a work e-mail",
    };
    format!(
        "an order of {}+ items, {}+ items in all, a wholesale tag or tax exemption in a \
         customers export, or {weak}",
        rules.bulk_order_qty, rules.bulk_total_qty
    )
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
    let segment = |name: String, rule: String, members: Expr| Segment {
        name,
        about: rule.clone(),
        rule,
        members,
        extra_columns: &[],
    };
    let mut segments = vec![
        Segment {
            extra_columns: &[REASONS],
            ..segment("bulk_b2b".into(), bulk_rule(rules), bulk_members(rules))
        },
        segment(
            "repeat".into(),
            "2 or more orders".into(),
            col(field::ORDERS).gt_eq(lit(2)),
        ),
        segment(
            "one_time".into(),
            "exactly 1 order".into(),
            col(field::ORDERS).eq(lit(1)),
        ),
    ];
    for (i, &from) in rules.lapsed_days.iter().enumerate() {
        let days = col(field::DAYS_SINCE_LAST_ORDER);
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
        // Who of the lapsed is likely to come back (empty without a model).
        segments.push(Segment {
            extra_columns: &[crate::predict::pred_col::P_ALIVE],
            ..segment(format!("lapsed_{from}"), rule, members)
        });
    }
    let top = top_count(rules.top_percent, totals.customers);
    segments.push(Segment {
        about: format!("the top {}% of customers by revenue", rules.top_percent),
        ..segment(
            format!("top_{}", rules.top_percent),
            format!(
                "the {top} customers with the most revenue (top {}%)",
                rules.top_percent
            ),
            col(field::RANK).lt(lit(top)),
        )
    });
    let (low, high) = (aov_low(rules, totals), aov_high(rules, totals));
    segments.extend([
        segment(
            "aov_low".into(),
            format!("average order below {}× the store's", rules.aov_low),
            low.clone(),
        ),
        segment(
            "aov_mid".into(),
            format!(
                "average order from {}× to {}× the store's",
                rules.aov_low, rules.aov_high
            ),
            low.or(high.clone()).not(),
        ),
        segment(
            "aov_high".into(),
            format!("average order above {}× the store's", rules.aov_high),
            high,
        ),
    ]);
    segments
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(company_is_b2b: bool, work_email_is_b2b: bool) -> Rules {
        Rules {
            bulk_order_qty: 36,
            bulk_total_qty: 72,
            company_is_b2b,
            work_email_is_b2b,
            extra_free_mail_domains: Vec::new(),
            lapsed_days: vec![60, 90],
            top_percent: 20,
            aov_low: 0.5,
            aov_high: 2.0,
        }
    }

    /// A text column, nulls kept.
    fn texts<'a>(frame: &'a DataFrame, name: &str) -> Vec<Option<&'a str>> {
        frame.column(name).unwrap().str().unwrap().iter().collect()
    }

    #[test]
    fn a_company_and_a_work_email_count_together_or_alone_when_asked() {
        let customers = df!(
            field::EMAIL => ["both@acme.com", "company@gmail.com", "buyer@hotel.com", "plain@gmail.com"],
            field::COMPANY => [Some("Acme"), Some("Lux"), None, None],
            field::MAX_ORDER_QUANTITY => [1i64, 1, 1, 1],
            field::TOTAL_QUANTITY => [1i64, 1, 1, 1],
            field::TAX_EXEMPT => [false; 4],
            field::WHOLESALE_TAG => [false; 4],
        )
        .unwrap();
        let members = |rules: &Rules| -> Vec<String> {
            let found = customers
                .clone()
                .lazy()
                .filter(bulk_members(rules))
                .collect()
                .unwrap();
            let emails = found.column(field::EMAIL).unwrap().str().unwrap().clone();
            emails.iter().flatten().map(str::to_string).collect()
        };
        assert_eq!(members(&rules(false, false)), ["both@acme.com"]);
        assert_eq!(
            members(&rules(true, false)),
            ["both@acme.com", "company@gmail.com"]
        );
        assert_eq!(
            members(&rules(false, true)),
            ["both@acme.com", "buyer@hotel.com"]
        );
        assert_eq!(members(&rules(true, true)).len(), 3);
        let reasons = with_reasons(customers.clone().lazy(), &rules(false, false))
            .collect()
            .unwrap();
        assert_eq!(
            texts(&reasons, REASONS),
            [
                Some("company;work_email"),
                Some("company"),
                Some("work_email"),
                Some("")
            ]
        );
    }

    #[test]
    fn the_domain_is_what_follows_the_last_at_sign() {
        let emails = df!(field::EMAIL => [
            Some("ann@acme.com"), Some("a@b@shop.de"), Some("no-at-sign"), Some("ends@"),
            Some("@only.org"), Some(""), None,
        ])
        .unwrap();
        let domains = emails
            .lazy()
            .select([email_domain(col(field::EMAIL)).alias("domain")])
            .collect()
            .unwrap();
        assert_eq!(
            texts(&domains, "domain"),
            [
                Some("acme.com"),
                Some("shop.de"),
                None,
                None,
                Some("only.org"),
                None,
                None
            ]
        );
    }

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
