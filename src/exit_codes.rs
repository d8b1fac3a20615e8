//! Exit codes, and which errors get which (ripgrep's and fd's convention).
//!
//! A leaf module: it knows no other part of goldpan.

use std::io::Write;
use std::process::ExitCode;

/// Shown at the end of `goldpan --help`.
pub const HELP: &str = "Exit codes: 0 ok, 1 error (bad data, an unreadable file, …), \
                        2 usage (a wrong flag or combination of flags).";

/// An error in how goldpan was called (not in the data): exits with 2, like
/// clap's own usage errors.
#[derive(Debug)]
pub struct UsageError(pub String);

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

/// `return Err(UsageError)` with a formatted message.
macro_rules! usage {
    ($($arg:tt)*) => {
        return Err(crate::exit_codes::UsageError(format!($($arg)*)).into())
    };
}
pub(crate) use usage;

/// Prints the error (`goldpan: what failed: cause`, through `shown`, which
/// keeps file content from driving the terminal) and gives its exit code:
/// 2 for a usage error, 1 for anything else, 0 for a closed pipe.
pub fn report(result: anyhow::Result<()>, shown: impl Fn(&str) -> String) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            // Not eprintln!, which panics when stderr is a closed pipe.
            let _ = writeln!(
                std::io::stderr().lock(),
                "goldpan: {}",
                shown(&format!("{err:#}"))
            );
            if err.downcast_ref::<UsageError>().is_some() {
                ExitCode::from(2)
            } else {
                ExitCode::FAILURE
            }
        }
    }
}

/// `goldpan … | head` closes the pipe early: that is the reader's choice, not
/// an error. csv and serde_json wrap the I/O error in their own types (and
/// serde_json's does not give it as its source), so look there too.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    use std::io::ErrorKind;
    err.chain().any(|cause| {
        let kind = if let Some(io) = cause.downcast_ref::<std::io::Error>() {
            Some(io.kind())
        } else if let Some(csv) = cause.downcast_ref::<csv::Error>() {
            match csv.kind() {
                csv::ErrorKind::Io(io) => Some(io.kind()),
                _ => None,
            }
        } else if let Some(json) = cause.downcast_ref::<serde_json::Error>() {
            json.io_error_kind()
        } else {
            None
        };
        kind == Some(ErrorKind::BrokenPipe)
    })
}
