//! `goldpan report`: one self-contained HTML page of charts.

use super::{predict, protect_inputs, read_dataset};
use crate::cli::InputArgs;
use crate::config::{self, Settings};
use crate::exit_codes::usage;
use crate::metrics;
use crate::output::{self, Emitter, files, write_atomically};
use crate::predict::outlook;
use crate::products::Purchases;
use crate::report::{self, data};
use anyhow::Result;
use std::path::{Path, PathBuf};

/// Write one HTML page of charts about the store
///
/// Sales by month (new and returning customers, high season), whether new
/// customers come back (cohorts), how much the best customers bring, what an
/// order is worth, how long since customers last ordered, the customer
/// lists, the RFM groups, who is likely still a customer with the revenue
/// expected over --horizon-days, and what customers bought: the top
/// products, the first purchases that make regulars, and the products
/// bought together. The page is self-contained: it opens offline in any browser, loads
/// nothing, prints on A4 or Letter and reads on a phone. --json prints every
/// number of the page instead.
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct Args {
    #[command(flatten)]
    pub input: InputArgs,

    /// The HTML file to write (replaced whole, never left half-written; a
    /// missing folder is created); `-` writes the page to stdout
    #[arg(long, value_name = "FILE", required_unless_present = "json")]
    pub out: Option<PathBuf>,

    /// Print every number of the page as one JSON object on stdout instead
    #[arg(long)]
    pub json: bool,

    #[command(flatten)]
    pub settings: Settings,
}

/// Why the products section is empty.
const NO_PRODUCTS: &str = "the exports name no product (Shopify: Lineitem name; BigCommerce: \
     Product Details; WooCommerce: line_items or item_name; --map: product=COLUMN)";

pub fn run(args: &Args, config_file: Option<&Path>) -> Result<()> {
    if args.json && args.out.is_some() {
        usage!("--json prints the page's numbers instead of writing it: drop --out or --json");
    }
    let settings = config::settings(config_file, &args.settings)?;
    let rules = settings.rules();
    // Usage mistakes are found before any input is read.
    protect_inputs(&args.input)?;
    let to_stdout = args.out.as_ref().is_some_and(|out| out.as_os_str() == "-");
    if let Some(out) = args.out.as_ref().filter(|_| !to_stdout) {
        files::refuse_dangling_link(out)?;
        files::refuse_input(out)?;
    }
    // With the line items: the page shows what customers bought.
    let mut data = read_dataset(&args.input, &settings, true)?;
    let purchases = match data.items.take().filter(|items| items.height() > 0) {
        Some(items) => Ok(Purchases::of(
            &data.orders,
            &items,
            settings.product_identity(),
        )?),
        None => Err(NO_PRODUCTS.to_string()),
    };
    let input_notes = data.notes.len();
    let predicted = predict(&mut data, settings.horizon_days())?;
    crate::allocator::give_back_freed_memory();
    if predicted.unfitted_because.is_some() {
        // The prediction section says why; no need to say it twice.
        data.notes.truncate(input_notes);
    }
    let outlook = match (&predicted.models, &predicted.table) {
        (Some(models), Some(table)) => Ok(outlook(
            &predicted.histories,
            table,
            models,
            predicted.horizon_days,
        )?),
        _ => Err(predicted.unfitted_because.clone().unwrap_or_default()),
    };
    let summary = metrics::summary(
        &data.customers,
        &data.orders,
        &rules,
        settings.lifespan_years(),
    )?;
    if let Some(note) = metrics::clv_note(&summary) {
        output::note(&note);
        data.notes.push(note);
    }
    let exports = args
        .input
        .exports
        .iter()
        .map(|path| {
            Path::new(path)
                .file_name()
                .map_or_else(|| path.clone(), |name| name.to_string_lossy().into_owned())
        })
        .collect();
    let page = data::build(
        &data.orders,
        &data.customers,
        &rules,
        data::Context {
            summary,
            lifespan_years: settings.lifespan_years(),
            as_of: data.as_of,
            exports,
            notes: data.notes.clone(),
            horizon_days: predicted.horizon_days,
            outlook,
            purchases,
            min_customers: settings.min_customers(),
        },
    )?;
    match &args.out {
        Some(_) if to_stdout => Emitter::new(false).text(&report::render(&page))?,
        Some(path) => {
            let html = report::render(&page);
            write_atomically(path, |out| Ok(out.write_all(html.as_bytes())?))?;
            output::say(&format!("wrote {}, as of {}", path.display(), data.as_of));
        }
        None => Emitter::new(true).json(&page)?,
    }
    Ok(())
}
