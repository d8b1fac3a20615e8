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
use std::cell::RefCell;
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
            FitError::NoMaximum(why) => write!(
                f,
                "these customers' histories do not pin the model down: no parameters fit \
                 best ({why})"
            ),
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
/// plausible maximum is an error that ends the solver's run (otherwise a
/// line search chasing a maximum at the boundary walks on to infinity and
/// NaN), and so is a point where the likelihood overflows.
struct Problem<'a, O> {
    objective: &'a O,
    start: &'a [f64],
    /// The last point evaluated and its value and gradient: L-BFGS asks
    /// for the cost and the gradient at the same point one after the
    /// other, and one pass over the data gives both.
    last: RefCell<Option<Evaluation>>,
    /// The point outside the fence that ended the run, if one did.
    fenced: RefCell<Option<Vec<f64>>>,
}

/// A point θ with the objective's value and gradient there.
type Evaluation = (Vec<f64>, f64, Vec<f64>);

/// |θ − start| beyond this (a factor e^25 ≈ 7·10¹⁰) is outside the fence.
const FENCE: f64 = 25.0;

impl<'a, O: Objective> Problem<'a, O> {
    fn new(objective: &'a O, start: &'a [f64]) -> Self {
        Problem {
            objective,
            start,
            last: RefCell::new(None),
            fenced: RefCell::new(None),
        }
    }

    fn evaluate(&self, theta: &[f64]) -> Result<(f64, Vec<f64>), argmin::core::Error> {
        if let Some((at, value, gradient)) = &*self.last.borrow()
            && at == theta
        {
            return Ok((*value, gradient.clone()));
        }
        let inside = theta
            .iter()
            .zip(self.start)
            .all(|(t, s)| (t - s).abs() <= FENCE);
        if !inside {
            *self.fenced.borrow_mut() = Some(theta.to_vec());
            return Err(argmin::core::Error::msg("outside the fence"));
        }
        let (value, gradient) = self.objective.value_and_gradient(theta);
        if !value.is_finite() || !gradient.iter().all(|g| g.is_finite()) {
            return Err(argmin::core::Error::msg("the likelihood overflows"));
        }
        *self.last.borrow_mut() = Some((theta.to_vec(), value, gradient.clone()));
        Ok((value, gradient))
    }
}

// For a reference, so that the run's fence record can be read after it.
impl<O: Objective> CostFunction for &Problem<'_, O> {
    type Param = Vec<f64>;
    type Output = f64;
    fn cost(&self, theta: &Vec<f64>) -> Result<f64, argmin::core::Error> {
        Ok(self.evaluate(theta)?.0)
    }
}

impl<O: Objective> Gradient for &Problem<'_, O> {
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

/// Why a solver's run gave no minimum.
enum Stop {
    /// It went outside the fence or ended far from the start, here: the
    /// likelihood rises towards a boundary.
    RanOff(Vec<f64>),
    /// Anything else (a line search that failed, no convergence).
    Failed(String),
}

/// Iterations of L-BFGS at most (CDNOW needs about 30); Nelder-Mead gets
/// four times as many.
const MAX_ITERS: u64 = 300;
/// A parameter more than this factor away from its starting value (which
/// is set on the data's own scale) is taken as running off to a boundary
/// of the parameter space: the data do not pin it down.
const MAX_FACTOR_FROM_START: f64 = 1e4;

/// Minimises `objective` from `start` (log-parameters named `names`):
/// L-BFGS, then Nelder-Mead if L-BFGS failed for another reason than a
/// likelihood rising towards a boundary.
pub(crate) fn minimize<O: Objective>(
    objective: &O,
    start: Vec<f64>,
    names: &[&str],
) -> Result<Minimum, FitError> {
    let ran_off = |theta: &[f64]| {
        let max_step = MAX_FACTOR_FROM_START.ln();
        let which: Vec<String> = theta
            .iter()
            .zip(&start)
            .zip(names)
            .filter(|((t, s), _)| (*t - *s).abs() > max_step)
            .map(|((t, s), name)| {
                let towards = if t > s { "infinity" } else { "0" };
                format!("{name} towards {towards}")
            })
            .collect();
        (!which.is_empty()).then(|| {
            FitError::NoMaximum(format!(
                "the likelihood keeps rising as {}",
                which.join(" and ")
            ))
        })
    };
    let outcome = match lbfgs(objective, &start) {
        Err(Stop::Failed(_)) => nelder_mead(objective, &start),
        other => other,
    };
    match outcome {
        Ok(found) => match ran_off(&found.theta) {
            Some(error) => Err(error),
            None => Ok(found),
        },
        Err(Stop::RanOff(theta)) => Err(ran_off(&theta).unwrap_or_else(|| {
            FitError::NoMaximum("the likelihood keeps rising towards a boundary".into())
        })),
        Err(Stop::Failed(why)) => Err(FitError::NoMaximum(why)),
    }
}

fn lbfgs<O: Objective>(objective: &O, start: &[f64]) -> Result<Minimum, Stop> {
    let line_search = MoreThuenteLineSearch::new();
    // The cost is −LL per customer (about 1): a change below 1e-12 is
    // noise, and waiting for less only walks a flat ridge.
    let solver = LBFGS::new(line_search, 7)
        .with_tolerance_grad(1e-10)
        .and_then(|solver| solver.with_tolerance_cost(1e-12))
        .map_err(|e| Stop::Failed(e.to_string()))?;
    let problem = Problem::new(objective, start);
    let run = Executor::new(&problem, solver)
        .configure(|state| state.param(start.to_vec()).max_iters(MAX_ITERS))
        .run();
    finish(&problem, run.map(|result| result.state().clone()))
}

fn nelder_mead<O: Objective>(objective: &O, start: &[f64]) -> Result<Minimum, Stop> {
    // The start and one vertex a step of 0.5 (a factor 1.65) along each axis.
    let mut simplex = vec![start.to_vec()];
    for i in 0..start.len() {
        let mut vertex = start.to_vec();
        vertex[i] += 0.5;
        simplex.push(vertex);
    }
    let solver = NelderMead::new(simplex)
        .with_sd_tolerance(1e-13)
        .map_err(|e| Stop::Failed(e.to_string()))?;
    let problem = Problem::new(objective, start);
    let run = Executor::new(&problem, solver)
        .configure(|state| state.max_iters(4 * MAX_ITERS))
        .run();
    finish(&problem, run.map(|result| result.state().clone()))
}

/// The minimum of a run that converged; otherwise why not.
fn finish<O, S>(
    problem: &Problem<'_, O>,
    run: Result<S, argmin::core::Error>,
) -> Result<Minimum, Stop>
where
    S: State<Param = Vec<f64>, Float = f64>,
{
    if let Some(theta) = problem.fenced.borrow_mut().take() {
        return Err(Stop::RanOff(theta));
    }
    let state = run.map_err(|e| Stop::Failed(e.to_string()))?;
    let best = state.get_best_param().cloned();
    match (state.get_termination_reason(), best) {
        (Some(TerminationReason::SolverConverged), Some(theta)) => Ok(Minimum {
            theta,
            cost: state.get_best_cost(),
        }),
        // Stopped early near a boundary: say so rather than "too many iterations".
        (_, Some(theta))
            if theta
                .iter()
                .zip(problem.start)
                .any(|(t, s)| (t - s).abs() > MAX_FACTOR_FROM_START.ln()) =>
        {
            Err(Stop::RanOff(theta))
        }
        (reason, _) => Err(Stop::Failed(
            reason.map_or("stopped", |reason| reason.text()).to_string(),
        )),
    }
}

/// The sums of `part` (a log-likelihood and its gradient) over `count` data
/// points, in fixed chunks side by side, then the chunks' sums in order: the
/// same sums on any number of threads, and up to one chunk the sums one loop
/// gives. On hundreds of thousands of histories the likelihood is most of
/// fitting a model, which evaluates it a hundred times or more.
pub(crate) fn sum_in_chunks<const N: usize>(
    count: usize,
    part: impl Fn(std::ops::Range<usize>) -> (f64, [f64; N]) + Sync,
) -> (f64, [f64; N]) {
    use rayon::prelude::*;
    const CHUNK: usize = 4096;
    let parts: Vec<(f64, [f64; N])> = (0..count.div_ceil(CHUNK))
        .into_par_iter()
        .map(|chunk| part(chunk * CHUNK..((chunk + 1) * CHUNK).min(count)))
        .collect();
    let mut sums = (0.0, [0.0; N]);
    for (value, gradient) in parts {
        sums.0 += value;
        for (sum, g) in sums.1.iter_mut().zip(gradient) {
            *sum += g;
        }
    }
    sums
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
    fn sums_in_chunks_are_the_same_on_any_number_of_threads() {
        // Terms whose float sum depends on the order they are added in.
        let term = |i: usize| 1.0 / (i as f64 + 1.0) * if i.is_multiple_of(3) { 1e8 } else { 1.0 };
        let part = |range: std::ops::Range<usize>| {
            let mut sums = (0.0, [0.0; 2]);
            for i in range {
                sums.0 += term(i);
                sums.1[0] -= term(i);
                sums.1[1] += 1.0;
            }
            sums
        };
        let on = |threads: usize, count: usize| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            pool.install(|| sum_in_chunks(count, part))
        };
        let count = 100_003;
        let one = on(1, count);
        assert_eq!(one.1[1], count as f64);
        for threads in [2, 3, 8] {
            let many = on(threads, count);
            assert_eq!(many.0.to_bits(), one.0.to_bits(), "{threads} threads");
            assert_eq!(many.1[0].to_bits(), one.1[0].to_bits(), "{threads} threads");
        }
        // Up to one chunk, the sums one loop gives.
        assert_eq!(on(2, 4000).0.to_bits(), part(0..4000).0.to_bits());
        assert_eq!(on(2, 0), (0.0, [0.0; 2]));
    }

    #[test]
    fn logistic_of_minus_is_stable_at_both_ends() {
        assert!((logistic_of_minus(0.0) - 0.5).abs() < 1e-16);
        assert_eq!(logistic_of_minus(1000.0), 0.0);
        assert_eq!(logistic_of_minus(-1000.0), 1.0);
        assert!((logistic_of_minus(2.0) - 1.0 / (1.0 + 2f64.exp())).abs() < 1e-16);
    }
}
