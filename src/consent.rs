//! Marketing consent: who may be in a list that is mailed or matched for ads
//! (docs/audiences.md#marketing-consent).
//!
//! A customer's consent is the latest one known: the `accepts_marketing` of
//! their latest order that says (see `customers::customers`), replaced by the
//! `Accepts Email Marketing` of a Shopify customers export when one is given.

use crate::customers::field;
use polars::prelude::*;

/// Which customers a consent rule lets into a list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Rule {
    /// Only customers whose latest consent is yes: strict e-mail lists.
    OptedIn,
    /// Everyone but customers whose latest consent is no; unknown is kept.
    NotDeclined,
    /// Everyone, whatever their consent.
    Ignore,
}

impl Rule {
    /// The rules as the `consent` setting names them.
    pub const NAMES: [&'static str; 3] = ["opted-in", "not-declined", "ignore"];

    pub fn name(self) -> &'static str {
        match self {
            Rule::OptedIn => Self::NAMES[0],
            Rule::NotDeclined => Self::NAMES[1],
            Rule::Ignore => Self::NAMES[2],
        }
    }

    pub fn of(name: &str) -> Option<Rule> {
        [Rule::OptedIn, Rule::NotDeclined, Rule::Ignore]
            .into_iter()
            .find(|rule| rule.name() == name)
    }

    /// True for the customers the rule keeps.
    fn keeps(self) -> Expr {
        let consent = col(field::ACCEPTS_MARKETING);
        match self {
            Rule::OptedIn => consent.eq(lit(true)).fill_null(lit(false)),
            Rule::NotDeclined => consent.eq(lit(false)).fill_null(lit(false)).not(),
            Rule::Ignore => lit(true),
        }
    }
}

/// What a rule did to a set of customers; every customer is counted, kept or not.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Tally {
    /// Customers whose latest consent is no.
    pub declined_marketing: u64,
    /// Customers with no consent on record (the export does not say).
    pub unknown_consent: u64,
    /// Customers the rule left out.
    pub left_out_for_consent: u64,
}

/// How many customers (rows of the customers table) declined marketing on
/// their latest order: a list written without a rule keeps them, and says so.
pub fn declined(customers: &DataFrame) -> PolarsResult<u64> {
    let consent = customers.column(field::ACCEPTS_MARKETING)?.bool()?;
    Ok((consent.len() - consent.null_count()) as u64 - consent.num_trues() as u64)
}

/// The customers (rows of the customers table) that `rule` keeps, in their
/// order, and what became of the others.
pub fn apply(customers: DataFrame, rule: Rule) -> PolarsResult<(DataFrame, Tally)> {
    let unknown_consent = customers.column(field::ACCEPTS_MARKETING)?.null_count() as u64;
    let declined_marketing = declined(&customers)?;
    let before = customers.height();
    let kept = customers.lazy().filter(rule.keeps()).collect()?;
    let tally = Tally {
        declined_marketing,
        unknown_consent,
        left_out_for_consent: (before - kept.height()) as u64,
    };
    Ok((kept, tally))
}

/// What a rule did, in lines for people on stderr: the customers left out,
/// and those kept whom a stricter rule would leave out.
pub fn told(rule: Rule, tally: &Tally) -> Vec<String> {
    let declined = tally.declined_marketing;
    let unknown = tally.unknown_consent;
    let mut lines = Vec::new();
    if rule != Rule::Ignore && declined > 0 {
        lines.push(format!(
            "left out {} who declined marketing",
            customers(declined)
        ));
    }
    if unknown > 0 {
        lines.push(match rule {
            Rule::OptedIn => format!(
                "left out {} with no marketing consent on record (--consent opted-in keeps \
                 only a yes)",
                customers(unknown)
            ),
            _ => format!(
                "kept {} with no marketing consent on record (the export does not say; \
                 --consent opted-in leaves them out)",
                customers(unknown)
            ),
        });
    }
    lines
}

/// The warning of the `ignore` rule, when it keeps anyone who declined.
pub fn warning(rule: Rule, tally: &Tally) -> Option<String> {
    (rule == Rule::Ignore && tally.declined_marketing > 0).then(|| {
        format!(
            "--consent ignore: kept {} who declined marketing; the platforms' terms require \
             leaving them out of marketing",
            customers(tally.declined_marketing)
        )
    })
}

/// `1 customer`, `2 customers`.
fn customers(count: u64) -> String {
    if count == 1 {
        "1 customer".to_string()
    } else {
        format!("{count} customers")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(consent: &[Option<bool>]) -> DataFrame {
        let names: Vec<String> = (0..consent.len()).map(|i| format!("c{i}")).collect();
        DataFrame::new(
            consent.len(),
            vec![
                Column::new(field::CUSTOMER.into(), names),
                Column::new(field::ACCEPTS_MARKETING.into(), consent.to_vec()),
            ],
        )
        .unwrap()
    }

    fn kept(rule: Rule) -> (Vec<String>, Tally) {
        let (kept, tally) =
            apply(table(&[Some(true), Some(false), None, Some(false)]), rule).unwrap();
        let names = kept
            .column(field::CUSTOMER)
            .unwrap()
            .str()
            .unwrap()
            .iter()
            .flatten()
            .map(str::to_string)
            .collect();
        (names, tally)
    }

    #[test]
    fn each_rule_keeps_its_customers_and_counts_all() {
        let counted = |left_out| Tally {
            declined_marketing: 2,
            unknown_consent: 1,
            left_out_for_consent: left_out,
        };
        assert_eq!(kept(Rule::OptedIn), (vec!["c0".into()], counted(3)));
        assert_eq!(
            kept(Rule::NotDeclined),
            (vec!["c0".into(), "c2".into()], counted(2))
        );
        assert_eq!(kept(Rule::Ignore).1, counted(0));
        assert_eq!(kept(Rule::Ignore).0.len(), 4);
    }

    #[test]
    fn names_round_trip() {
        for name in Rule::NAMES {
            assert_eq!(Rule::of(name).unwrap().name(), name);
        }
        assert_eq!(Rule::of("yes"), None);
    }
}
