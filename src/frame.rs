//! Reading whole columns of a small aggregated frame into plain vectors, for
//! the analyses that finish in Rust (filling empty periods, binning).

use polars::prelude::{DataFrame, DataType, PolarsResult};

/// A numeric column as i64 (nulls as 0).
pub fn i64s(frame: &DataFrame, name: &str) -> PolarsResult<Vec<i64>> {
    let column = frame.column(name)?.cast(&DataType::Int64)?;
    Ok(column.i64()?.iter().map(|v| v.unwrap_or(0)).collect())
}

/// A boolean column (nulls as false).
pub fn bools(frame: &DataFrame, name: &str) -> PolarsResult<Vec<bool>> {
    let column = frame.column(name)?;
    Ok(column.bool()?.iter().map(|v| v.unwrap_or(false)).collect())
}
