//! Shopify customers export (Admin › Customers › Export), read alongside an
//! orders export for what the orders lack: whether a customer is tax exempt,
//! tagged as wholesale/trade, or has a company on file, and their marketing
//! consent as it is now (orders only say what it was then). It never adds a
//! customer or an order; `customers` joins these hints to customers who
//! ordered, by e-mail.

use super::fields::parse_flag;
use super::{ExportReader, Format, Read};
use crate::model::{hint_col, normalize_company, normalize_email, store_customer};
use anyhow::Result;
use polars::prelude::{Column, DataFrame, PolarsResult};
use std::collections::BTreeMap;

pub const FORMAT: Format = Format {
    name: "shopify-customers",
    platform: "Shopify",
    lists: "customers",
    how_to_export: "Admin › Customers › Export",
    export_tips: "",
    identifying_columns: &[&["Total Spent"], &["Total Orders"]],
    lookalikes: &[],
    read: Read::CustomerHints(read),
};

#[derive(Clone, Debug, Default)]
struct Hint {
    tax_exempt: bool,
    wholesale_tag: bool,
    company: Option<String>,
    accepts_marketing: Option<bool>,
}

/// Hints collected from every customers export given.
#[derive(Default)]
pub struct Hints {
    by_email: BTreeMap<String, Hint>,
    /// With separate stores, the store of the file being read: its hints are
    /// keyed by the store's customer key ([`store_customer`]), not the e-mail.
    pub store: Option<String>,
}

/// Tags such as `wholesale`, `Wholesale-Tier-2`, `B2B`, `trade account`.
pub fn is_wholesale_tag(tags: &str) -> bool {
    tags.split(|c: char| !c.is_alphanumeric())
        .any(|word| ["wholesale", "b2b", "trade"].contains(&word.to_lowercase().as_str()))
}

/// Reads one customers export; returns its number of rows.
fn read(reader: &mut ExportReader, hints: &mut Hints) -> Result<u64> {
    let [email] = reader
        .require(&["Email"], "Shopify customers export")?
        .try_into()
        .expect("one column asked for");
    let tax_exempt = reader.column("Tax Exempt");
    let tags = reader.column("Tags");
    // Legacy exports say `Company`, 2024+ ones `Default Address Company`.
    let company = reader
        .column("Company")
        .or(reader.column("Default Address Company"));
    // 2024+ exports say `Accepts Email Marketing` (SMS has its own column),
    // legacy ones `Accepts Marketing`.
    let accepts_marketing = reader
        .column("Accepts Email Marketing")
        .or(reader.column("Accepts Marketing"));
    let mut rows = 0;
    while reader.next_row()? {
        rows += 1;
        let Some(email) = normalize_email(reader.cell(email)?) else {
            continue;
        };
        let key = match &hints.store {
            Some(store) => store_customer(store, &email),
            None => email,
        };
        let hint = hints.by_email.entry(key).or_default();
        hint.tax_exempt |= reader
            .optional_cell(tax_exempt)?
            .trim()
            .eq_ignore_ascii_case("yes");
        hint.wholesale_tag |= is_wholesale_tag(reader.optional_cell(tags)?);
        if let Some(company) = normalize_company(reader.optional_cell(company)?, &[]) {
            hint.company = Some(company);
        }
        // Two records of one e-mail that disagree: a no anywhere is a no.
        if let Some(consent) = parse_flag(reader.optional_cell(accepts_marketing)?) {
            hint.accepts_marketing = Some(hint.accepts_marketing.unwrap_or(true) && consent);
        }
    }
    Ok(rows)
}

impl Hints {
    /// The hints table, one row per e-mail; `None` when no customers export
    /// was given.
    pub fn finish(self) -> PolarsResult<Option<DataFrame>> {
        if self.by_email.is_empty() {
            return Ok(None);
        }
        let height = self.by_email.len();
        let (emails, hints): (Vec<String>, Vec<Hint>) = self.by_email.into_iter().unzip();
        let frame = DataFrame::new(
            height,
            vec![
                Column::new(hint_col::EMAIL.into(), emails),
                Column::new(
                    hint_col::TAX_EXEMPT.into(),
                    hints.iter().map(|h| h.tax_exempt).collect::<Vec<_>>(),
                ),
                Column::new(
                    hint_col::WHOLESALE_TAG.into(),
                    hints.iter().map(|h| h.wholesale_tag).collect::<Vec<_>>(),
                ),
                Column::new(
                    hint_col::ACCEPTS_MARKETING.into(),
                    hints
                        .iter()
                        .map(|h| h.accepts_marketing)
                        .collect::<Vec<_>>(),
                ),
                Column::new(
                    hint_col::COMPANY.into(),
                    hints.into_iter().map(|h| h.company).collect::<Vec<_>>(),
                ),
            ],
        )?;
        Ok(Some(frame))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wholesale_tags_are_whole_words() {
        assert!(is_wholesale_tag("newsletter, Wholesale"));
        assert!(is_wholesale_tag("wholesale-tier-2"));
        assert!(is_wholesale_tag("B2B"));
        assert!(is_wholesale_tag("VIP, trade account"));
        assert!(!is_wholesale_tag("tradeshow-2023, newsletter"));
        assert!(!is_wholesale_tag(""));
    }
}
