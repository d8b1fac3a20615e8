//! Customer-base models: who is still a customer, how many orders each will
//! place, and what each order will be worth.
//!
//! - [`bgnbd`]: the BG/NBD model of Fader, Hardie & Lee (2005), "Counting
//!   your customers the easy way", Marketing Science 24(2): purchases and
//!   drop-out, from each customer's repeat-purchase history.
//! - [`gamma_gamma`]: the Gamma-Gamma spend model of Fader, Hardie & Lee
//!   (2005), "RFM and CLV", Journal of Marketing Research 42(4), in the form
//!   of Fader & Hardie's note "The Gamma-Gamma model of monetary value"
//!   (2013): each repeat customer's average order value.
//!
//! The numerics stand apart from the data: this module takes plain numbers
//! (already aggregated to unique histories with counts, so a million
//! customers cost no more than their few distinct histories) and returns
//! parameters and per-customer values. It imports no polars and no CLI, so
//! it is tested against the published CDNOW figures directly.
//!
//! Both fits maximise the log-likelihood over the logarithms of the
//! parameters (so they stay positive) with L-BFGS and a More-Thuente line
//! search from the `argmin` crate, using the analytic gradient; when that
//! fails (a line search that runs into an overflow), Nelder-Mead from the
//! same start takes over. Everything is deterministic: fixed starting
//! points, no randomness.

pub mod bgnbd;
pub mod gamma_gamma;
mod hyp2f1;
#[cfg(test)]
mod tests_cdnow;

use argmin::core::{CostFunction, Executor, Gradient, State, TerminationReason};
use argmin::solver::linesearch::MoreThuenteLineSearch;
use argmin::solver::neldermead::NelderMead;
use argmin::solver::quasinewton::LBFGS;
use std::fmt;

/// Below this many repeat customers the fits are not attempted: the
/// parameters would rest on too few histories to mean anything.
pub const MIN_REPEAT_CUSTOMERS: u64 = 30;

/// Why a model could not be fitted.
#[derive(Clone, Debug, PartialEq)]
pub enum FitError {
    /// Fewer repeat customers than [`MIN_REPEAT_CUSTOMERS`].
    TooFewRepeatCustomers { repeat: u64, needed: u64 },
    /// The optimiser stopped without finding a maximum (the data do not
    /// pin the parameters down, e.g. all purchases within a few days).
    NoMaximum(String),
    /// The maximum lies where the model has no finite mean (Gamma-Gamma
    /// with q ≤ 1: order values too spread out for an expected value).
    NoMean(String),
}

impl fmt::Display for FitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FitError::TooFewRepeatCustomers { repeat, needed } => write!(
                f,
                "{repeat} repeat customer(s), at least {needed} are needed to fit the model"
            ),
            FitError::NoMaximum(why) => write!(f, "the fit found no maximum ({why})"),
            FitError::NoMean(why) => write!(f, "{why}"),
        }
    }
}

impl std::error::Error for FitError {}

/// A negative log-likelihood over log-parameters, divided by the number of
/// customers (so tolerances do not depend on the size of the store), with
/// its gradient.
pub(crate) trait Objective {
    /// Returns (−LL / customers, ∂/∂θ of the same) at θ = ln(parameters).
    fn value_and_gradient(&self, theta: &[f64]) -> (f64, Vec<f64>);
}

/// The objective as argmin sees it, fenced in: a point far beyond any
/// plausible maximum, or where the likelihood overflows, is an error that
/// ends the solver's run (otherwise a line search chasing a maximum at the
/// boundary walks on to infinity and NaN).
struct Problem<'a, O> {
    objective: &'a O,
    start: &'a [f64],
}

/// |θ − start| beyond this (a factor e^25 ≈ 7·10¹⁰) is outside the fence.
const FENCE: f64 = 25.0;

impl<O: Objective> Problem<'_, O> {
    fn evaluate(&self, theta: &[f64]) -> Result<(f64, Vec<f64>), argmin::core::Error> {
        let inside = theta
            .iter()
            .zip(self.start)
            .all(|(t, s)| (t - s).abs() <= FENCE);
        let (value, gradient) = if inside {
            self.objective.value_and_gradient(theta)
        } else {
            (f64::NAN, Vec::new())
        };
        if value.is_finite() && gradient.iter().all(|g| g.is_finite()) {
            Ok((value, gradient))
        } else {
            Err(argmin::core::Error::msg(
                "the likelihood keeps rising towards a boundary",
            ))
        }
    }
}

impl<O: Objective> CostFunction for Problem<'_, O> {
    type Param = Vec<f64>;
    type Output = f64;
    fn cost(&self, theta: &Vec<f64>) -> Result<f64, argmin::core::Error> {
        Ok(self.evaluate(theta)?.0)
    }
}

impl<O: Objective> Gradient for Problem<'_, O> {
    type Param = Vec<f64>;
    type Gradient = Vec<f64>;
    fn gradient(&self, theta: &Vec<f64>) -> Result<Vec<f64>, argmin::core::Error> {
        Ok(self.evaluate(theta)?.1)
    }
}

/// Where the optimiser stopped.
pub(crate) struct Minimum {
    pub theta: Vec<f64>,
    /// −LL / customers at `theta`.
    pub cost: f64,
}

/// Iterations of L-BFGS at most (CDNOW needs about 30); Nelder-Mead gets twice as many.
const MAX_ITERS: u64 = 1000;
/// A parameter more than this factor away from its starting value (which
/// is set on the data's own scale) is taken as running off to a boundary
/// of the parameter space: the data do not pin it down.
const MAX_FACTOR_FROM_START: f64 = 1e4;

/// Minimises `objective` from `start` (log-parameters named `names`).
pub(crate) fn minimize<O: Objective>(
    objective: &O,
    start: Vec<f64>,
    names: &[&str],
) -> Result<Minimum, FitError> {
    let found = lbfgs(objective, start.clone()).or_else(|_| nelder_mead(objective, &start))?;
    let max_step = MAX_FACTOR_FROM_START.ln();
    let ran_off: Vec<String> = found
        .theta
        .iter()
        .zip(&start)
        .zip(names)
        .filter(|((t, s), _)| (*t - *s).abs() > max_step)
        .map(|((t, s), name)| {
            let towards = if t > s { "infinity" } else { "0" };
            format!("{name} towards {towards}")
        })
        .collect();
    if !ran_off.is_empty() {
        return Err(FitError::NoMaximum(format!(
            "the likelihood keeps rising as {}",
            ran_off.join(" and ")
        )));
    }
    Ok(found)
}

fn lbfgs<O: Objective>(objective: &O, start: Vec<f64>) -> Result<Minimum, FitError> {
    let fail = |e: argmin::core::Error| FitError::NoMaximum(e.to_string());
    let line_search = MoreThuenteLineSearch::new();
    let solver = LBFGS::new(line_search, 7)
        .with_tolerance_grad(1e-10)
        .map_err(fail)?
        .with_tolerance_cost(1e-15)
        .map_err(fail)?;
    let problem = Problem {
        objective,
        start: &start,
    };
    let result = Executor::new(problem, solver)
        .configure(|state| state.param(start.clone()).max_iters(MAX_ITERS))
        .run()
        .map_err(fail)?;
    finish(result.state())
}

fn nelder_mead<O: Objective>(objective: &O, start: &[f64]) -> Result<Minimum, FitError> {
    let fail = |e: argmin::core::Error| FitError::NoMaximum(e.to_string());
    // The start and one vertex a step of 0.5 (a factor 1.65) along each axis.
    let mut simplex = vec![start.to_vec()];
    for i in 0..start.len() {
        let mut vertex = start.to_vec();
        vertex[i] += 0.5;
        simplex.push(vertex);
    }
    let solver = NelderMead::new(simplex)
        .with_sd_tolerance(1e-13)
        .map_err(fail)?;
    let problem = Problem { objective, start };
    let result = Executor::new(problem, solver)
        .configure(|state| state.max_iters(2 * MAX_ITERS))
        .run()
        .map_err(fail)?;
    finish(result.state())
}

fn finish<S>(state: &S) -> Result<Minimum, FitError>
where
    S: State<Param = Vec<f64>, Float = f64>,
{
    match state.get_termination_reason() {
        Some(TerminationReason::SolverConverged) => {}
        other => {
            let why = other.map_or("stopped", |reason| reason.text());
            return Err(FitError::NoMaximum(why.to_string()));
        }
    }
    let theta = state
        .get_best_param()
        .cloned()
        .ok_or_else(|| FitError::NoMaximum("no parameters".into()))?;
    Ok(Minimum {
        theta,
        cost: state.get_best_cost(),
    })
}

/// ln(e^a + e^b) without overflow.
pub(crate) fn log_add_exp(a: f64, b: f64) -> f64 {
    let (high, low) = if a >= b { (a, b) } else { (b, a) };
    high + (low - high).exp().ln_1p()
}

/// 1 / (1 + e^z) without overflow.
pub(crate) fn logistic_of_minus(z: f64) -> f64 {
    if z >= 0.0 {
        let e = (-z).exp();
        e / (1.0 + e)
    } else {
        1.0 / (1.0 + z.exp())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_add_exp_matches_the_direct_sum_and_survives_large_values() {
        assert!((log_add_exp(1.0, 2.0) - (1f64.exp() + 2f64.exp()).ln()).abs() < 1e-15);
        assert!((log_add_exp(1000.0, 1000.0) - (1000.0 + 2f64.ln())).abs() < 1e-12);
        assert_eq!(log_add_exp(f64::NEG_INFINITY, 3.0), 3.0);
    }

    #[test]
    fn logistic_of_minus_is_stable_at_both_ends() {
        assert!((logistic_of_minus(0.0) - 0.5).abs() < 1e-16);
        assert_eq!(logistic_of_minus(1000.0), 0.0);
        assert_eq!(logistic_of_minus(-1000.0), 1.0);
        assert!((logistic_of_minus(2.0) - 1.0 / (1.0 + 2f64.exp())).abs() < 1e-16);
    }
}
