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

/// A numeric column as i64, nulls kept.
pub fn opt_i64s(frame: &DataFrame, name: &str) -> PolarsResult<Vec<Option<i64>>> {
    let column = frame.column(name)?.cast(&DataType::Int64)?;
    Ok(column.i64()?.iter().collect())
}

/// A numeric column as u64 (nulls as 0).
pub fn u64s(frame: &DataFrame, name: &str) -> PolarsResult<Vec<u64>> {
    let column = frame.column(name)?.cast(&DataType::UInt64)?;
    Ok(column.u64()?.iter().map(|v| v.unwrap_or(0)).collect())
}

/// A numeric column as f64 (nulls as 0).
pub fn f64s(frame: &DataFrame, name: &str) -> PolarsResult<Vec<f64>> {
    let column = frame.column(name)?.cast(&DataType::Float64)?;
    Ok(column.f64()?.iter().map(|v| v.unwrap_or(0.0)).collect())
}

/// A string column (nulls as empty).
pub fn strings(frame: &DataFrame, name: &str) -> PolarsResult<Vec<String>> {
    let column = frame.column(name)?;
    Ok(column
        .str()?
        .iter()
        .map(|v| v.unwrap_or_default().to_string())
        .collect())
}
