//! goldpan's integration tests: one binary, one module per command (plus the
//! input formats every command reads), all running the real `goldpan` binary on
//! files under `fixtures/` through the helpers in `util`.

mod audience;
mod buyers;
mod cohorts;
mod config;
mod diff;
mod docs;
mod exit_codes_and_notes;
mod formats;
mod fuzz;
mod input_bad_rows;
mod input_bigcommerce;
mod input_files;
mod input_hostile;
mod input_mapping;
mod input_woocommerce;
mod input_zip;
mod module_layers;
mod orders_table;
mod output_safety;
mod predict;
mod products;
mod related;
mod report;
mod segments;
mod stores;
mod summary;
mod util;
mod weekly_script;
