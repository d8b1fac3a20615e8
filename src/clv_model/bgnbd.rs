//! BG/NBD (Fader, Hardie & Lee 2005): while a customer is "alive" they buy
//! at a Poisson rate λ; right after each purchase they drop out for good
//! with probability p. Across customers λ ~ Gamma(r, α) and p ~ Beta(a, b).
//!
//! A customer's history is (x, tₓ, T): x repeat purchases, the last one tₓ
//! after the first, and T from the first purchase to the end of the data.
//! Any time unit works as long as all agree; goldpan uses days, in which α
//! is 7 times its value in weeks and r, a, b are unchanged.

use super::hyp2f1::ln_hyp2f1;
use super::{
    FitError, MIN_REPEAT_CUSTOMERS, Objective, logistic_of_minus, minimize, sum_in_chunks,
};
use rustc_hash::FxHashMap;
use statrs::function::gamma::{digamma, ln_gamma};

/// One customer's purchase history.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct History {
    /// Repeat purchases: purchases after the first one.
    pub x: u32,
    /// Time from the first purchase to the last one (0 when x = 0).
    pub t_x: f64,
    /// Time from the first purchase to the end of the data (T).
    pub age: f64,
}

/// Unique histories with the number of customers who share each, sorted by
/// (x, tₓ, T): the likelihood costs as much as the distinct histories, not
/// the customers.
pub fn aggregate(histories: impl IntoIterator<Item = History>) -> Vec<(History, u64)> {
    let mut counts: FxHashMap<(u32, u64, u64), u64> = FxHashMap::default();
    for h in histories {
        *counts
            .entry((h.x, h.t_x.to_bits(), h.age.to_bits()))
            .or_default() += 1;
    }
    let mut unique: Vec<(History, u64)> = counts
        .into_iter()
        .map(|((x, t_x, age), count)| {
            let history = History {
                x,
                t_x: f64::from_bits(t_x),
                age: f64::from_bits(age),
            };
            (history, count)
        })
        .collect();
    unique.sort_by(|(a, _), (b, _)| {
        (a.x, a.t_x, a.age)
            .partial_cmp(&(b.x, b.t_x, b.age))
            .expect("times are finite")
    });
    unique
}

/// The model's four parameters.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct Params {
    /// Shape of the Gamma distribution of purchase rates.
    pub r: f64,
    /// Scale of that Gamma distribution, in the histories' time unit.
    pub alpha: f64,
    /// First shape of the Beta distribution of drop-out probabilities.
    pub a: f64,
    /// Second shape of that Beta distribution.
    pub b: f64,
}

/// A fitted model.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Fit {
    pub params: Params,
    /// The maximised log-likelihood, summed over customers.
    pub log_likelihood: f64,
    pub customers: u64,
    pub repeat_customers: u64,
}

/// Maximum-likelihood fit on unique histories with counts (from
/// [`aggregate`]). Refuses with fewer than [`MIN_REPEAT_CUSTOMERS`] repeat
/// customers.
pub fn fit(data: &[(History, u64)]) -> Result<Fit, FitError> {
    let customers: u64 = data.iter().map(|(_, n)| n).sum();
    let repeat_customers: u64 = data.iter().filter(|(h, _)| h.x > 0).map(|(_, n)| n).sum();
    if repeat_customers < MIN_REPEAT_CUSTOMERS {
        return Err(FitError::TooFewRepeatCustomers {
            repeat: repeat_customers,
            needed: MIN_REPEAT_CUSTOMERS,
        });
    }
    let objective = Likelihood::new(data);
    // Start: one purchase per average age, a drop-out chance of one half.
    let mean_age = data.iter().map(|(h, n)| h.age * *n as f64).sum::<f64>() / customers as f64;
    let start = vec![0.0, mean_age.max(1.0).ln(), 0.0, 0.0];
    let minimum = minimize(&objective, start, &["r", "alpha", "a", "b"])?;
    let params = Params::from_logs(&minimum.theta);
    Ok(Fit {
        params,
        log_likelihood: -minimum.cost * customers as f64,
        customers,
        repeat_customers,
    })
}

impl Params {
    fn from_logs(theta: &[f64]) -> Params {
        Params {
            r: theta[0].exp(),
            alpha: theta[1].exp(),
            a: theta[2].exp(),
            b: theta[3].exp(),
        }
    }

    /// Log-likelihood of the histories, summed over customers.
    #[cfg(test)]
    pub fn log_likelihood(&self, data: &[(History, u64)]) -> f64 {
        let theta = [self.r, self.alpha, self.a, self.b].map(f64::ln);
        let customers: u64 = data.iter().map(|(_, n)| n).sum();
        -Likelihood::new(data).value_and_gradient(&theta).0 * customers as f64
    }

    /// Probability that a customer with this history is still a customer at
    /// its end (Fader, Hardie & Lee's note 021). The model only lets a
    /// customer drop out right after a repeat purchase, so one who never
    /// bought again (x = 0) is alive with probability 1, however long ago.
    pub fn p_alive(&self, h: &History) -> f64 {
        if h.x == 0 {
            return 1.0;
        }
        logistic_of_minus(self.log_odds_dead(h))
    }

    /// ln(P(dead) / P(alive)) for x > 0.
    fn log_odds_dead(&self, h: &History) -> f64 {
        let rx = self.r + h.x as f64;
        (self.a / (self.b + h.x as f64 - 1.0)).ln()
            + rx * ((self.alpha + h.age) / (self.alpha + h.t_x)).ln()
    }

    /// Expected number of purchases in the next `t` (equation 10 of the
    /// paper), given the history. `None` in the rare case where the
    /// hypergeometric series does not converge (parameters far from any
    /// seen in practice).
    pub fn expected_purchases(&self, h: &History, t: f64) -> Option<f64> {
        if t <= 0.0 {
            return Some(0.0);
        }
        // The formula divides by a - 1; at a = 1 the limit is approached
        // from a step away on each side.
        const NEAR_ONE: f64 = 1e-6;
        if (self.a - 1.0).abs() < NEAR_ONE {
            let below = Params {
                a: 1.0 - NEAR_ONE,
                ..*self
            };
            let above = Params {
                a: 1.0 + NEAR_ONE,
                ..*self
            };
            let sum = below.expected_purchases_a_not_one(h, t)?
                + above.expected_purchases_a_not_one(h, t)?;
            return Some(0.5 * sum);
        }
        self.expected_purchases_a_not_one(h, t)
    }

    fn expected_purchases_a_not_one(&self, h: &History, t: f64) -> Option<f64> {
        let Params { r, alpha, a, b } = *self;
        let x = h.x as f64;
        let z = t / (alpha + h.age + t);
        let c = a + b + x - 1.0;
        // remaining = ((α+T)/(α+T+t))^(r+x) · 2F1(r+x, b+x; c; z), with
        // 1 - z = (α+T)/(α+T+t). Euler's transformation 2F1(A,B;C;z) =
        // (1-z)^(C-A-B) 2F1(C-A,C-B;C;z) makes it (1-z)^(a-1) ·
        // 2F1(a+b-1-r, a-1; c; z), whose series is short unless a is
        // large, when the first form's is: the form with the smaller first
        // term ratio is summed, the other one if that fails.
        let ln_1mz = (-z).ln_1p();
        let direct = || Some((r + x) * ln_1mz + ln_hyp2f1(r + x, b + x, c, z)?);
        let euler = || Some((a - 1.0) * ln_1mz + ln_hyp2f1(a + b - 1.0 - r, a - 1.0, c, z)?);
        let ln_remaining = if ((a + b - 1.0 - r) * (a - 1.0)).abs() <= (r + x) * (b + x) {
            euler().or_else(direct)
        } else {
            direct().or_else(euler)
        }?;
        let expected = c / (a - 1.0) * -ln_remaining.exp_m1() * self.p_alive(h);
        expected.is_finite().then_some(expected)
    }

    /// Time from the end of the history until the chance that the customer
    /// has bought again reaches one half, or `None` when it never does
    /// (P(alive) ≤ 1/2). Alive, the customer's next purchase comes at rate
    /// λ ~ Gamma(r + x, α + T), so P(bought again within s) = P(alive) ·
    /// (1 - ((α+T)/(α+T+s))^(r+x)).
    pub fn time_to_even_odds_of_next_purchase(&self, h: &History) -> Option<f64> {
        let alive = self.p_alive(h);
        if alive <= 0.5 {
            return None;
        }
        let rx = self.r + h.x as f64;
        let none_yet = 1.0 - 0.5 / alive;
        Some((self.alpha + h.age) * (none_yet.powf(-1.0 / rx) - 1.0))
    }
}

/// The negative log-likelihood per customer, over θ = ln(r, α, a, b).
struct Likelihood<'a> {
    data: &'a [(History, u64)],
    customers: f64,
    /// Distinct times (ages and tₓ together): a store's histories are
    /// many, its distinct days few, so ln(α + time) is computed once per
    /// day and evaluation.
    times: Vec<f64>,
    /// Per history, the index in `times` of its age and of its tₓ.
    age_at: Vec<u32>,
    t_x_at: Vec<u32>,
}

impl<'a> Likelihood<'a> {
    fn new(data: &'a [(History, u64)]) -> Self {
        let mut times: Vec<f64> = data.iter().flat_map(|(h, _)| [h.age, h.t_x]).collect();
        times.sort_by(f64::total_cmp);
        times.dedup();
        let at = |time: f64| times.partition_point(|t| *t < time) as u32;
        let age_at = data.iter().map(|(h, _)| at(h.age)).collect();
        let t_x_at = data.iter().map(|(h, _)| at(h.t_x)).collect();
        Likelihood {
            data,
            customers: data.iter().map(|(_, n)| *n as f64).sum(),
            times,
            age_at,
            t_x_at,
        }
    }
}

impl Objective for Likelihood<'_> {
    /// Each customer's log-likelihood is
    /// A₁ + A₂ + ln(e^A₃ + [x > 0] e^A₄) with
    /// A₁ = lnΓ(r+x) − lnΓ(r) + r ln α,
    /// A₂ = lnΓ(a+b) + lnΓ(b+x) − lnΓ(b) − lnΓ(a+b+x),
    /// A₃ = −(r+x) ln(α+T),
    /// A₄ = ln a − ln(b+x−1) − (r+x) ln(α+tₓ).
    /// A₁, A₂ and ln(b+x−1) depend on x only: the data is sorted by x, so
    /// they are computed once per x.
    fn value_and_gradient(&self, theta: &[f64]) -> (f64, Vec<f64>) {
        let [r, alpha, a, b] = [theta[0], theta[1], theta[2], theta[3]].map(f64::exp);
        let ln_alpha_plus: Vec<f64> = self.times.iter().map(|t| (alpha + t).ln()).collect();
        let inv_alpha_plus: Vec<f64> = self.times.iter().map(|t| 1.0 / (alpha + t)).collect();
        // LL and ∂LL/∂(r, α, a, b) over some of the histories.
        let part = |histories: std::ops::Range<usize>| {
            let mut ll = 0.0;
            let mut grad = [0.0; 4];
            let mut current_x = None;
            let (mut a12, mut d_r12, mut d_a12, mut d_b12) = (0.0, 0.0, 0.0, 0.0);
            let mut ln_a_over_b_x_1 = 0.0;
            for i in histories {
                let (h, count) = self.data[i];
                let n = count as f64;
                let x = h.x as f64;
                if current_x != Some(h.x) {
                    current_x = Some(h.x);
                    a12 = ln_gamma(r + x) - ln_gamma(r)
                        + r * alpha.ln()
                        + ln_gamma(a + b)
                        + ln_gamma(b + x)
                        - ln_gamma(b)
                        - ln_gamma(a + b + x);
                    d_r12 = digamma(r + x) - digamma(r) + alpha.ln();
                    d_a12 = digamma(a + b) - digamma(a + b + x);
                    d_b12 = digamma(a + b) + digamma(b + x) - digamma(b) - digamma(a + b + x);
                    ln_a_over_b_x_1 = (a / (b + x - 1.0)).ln();
                }
                let (age, t_x) = (self.age_at[i] as usize, self.t_x_at[i] as usize);
                let a3 = -(r + x) * ln_alpha_plus[age];
                ll += n * a12;
                grad[0] += n * d_r12;
                grad[1] += n * r / alpha;
                grad[2] += n * d_a12;
                grad[3] += n * d_b12;
                if h.x == 0 {
                    ll += n * a3;
                    grad[0] -= n * ln_alpha_plus[age];
                    grad[1] -= n * (r + x) * inv_alpha_plus[age];
                    continue;
                }
                let a4 = ln_a_over_b_x_1 - (r + x) * ln_alpha_plus[t_x];
                // ln(e^A₃ + e^A₄) and the weight w₄ = e^A₄ / (e^A₃ + e^A₄) of A₄
                // in its derivative, from one exponential.
                let e = (-(a3 - a4).abs()).exp();
                let log_sum = a3.max(a4) + e.ln_1p();
                let w4 = if a4 >= a3 {
                    1.0 / (1.0 + e)
                } else {
                    e / (1.0 + e)
                };
                let w3 = 1.0 - w4;
                ll += n * log_sum;
                grad[0] -= n * (w3 * ln_alpha_plus[age] + w4 * ln_alpha_plus[t_x]);
                grad[1] -= n * (r + x) * (w3 * inv_alpha_plus[age] + w4 * inv_alpha_plus[t_x]);
                grad[2] += n * w4 / a;
                grad[3] -= n * w4 / (b + x - 1.0);
            }
            (ll, grad)
        };
        let (ll, grad) = sum_in_chunks(self.data.len(), part);
        // To −LL per customer over θ = ln(parameter): ∂/∂θ = parameter · ∂/∂parameter.
        let scale = -1.0 / self.customers;
        let gradient = [r, alpha, a, b]
            .iter()
            .zip(grad)
            .map(|(p, g)| scale * p * g)
            .collect();
        (scale * ll, gradient)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clv_model::tests_cdnow::{self, same_to_3_significant_digits};

    fn cdnow_histories() -> Vec<(History, u64)> {
        aggregate(tests_cdnow::customers().iter().map(|c| c.history))
    }

    /// Published in Fader, Hardie & Lee (2005), table 1 (α in weeks).
    const PUBLISHED: Params = Params {
        r: 0.2426,
        alpha: 4.4136 * 7.0,
        a: 0.7929,
        b: 2.4259,
    };

    #[test]
    fn cdnow_fit_reproduces_the_published_parameters() {
        let data = cdnow_histories();
        let fit = fit(&data).unwrap();
        assert_eq!(fit.customers, 2357);
        assert_eq!(fit.repeat_customers, 946);
        let p = fit.params;
        for (name, got, published) in [
            ("r", p.r, PUBLISHED.r),
            ("alpha", p.alpha, PUBLISHED.alpha),
            ("a", p.a, PUBLISHED.a),
            ("b", p.b, PUBLISHED.b),
        ] {
            assert!(
                same_to_3_significant_digits(got, published),
                "{name}: fitted {got}, published {published}"
            );
        }
        // lifetimes 0.11.3 on the same histories (fixtures/cdnow_reference.py).
        assert!((p.r - 0.2425945434210672).abs() < 1e-5, "{p:?}");
        assert!((p.alpha - 30.89521901254164).abs() < 1e-3, "{p:?}");
        assert!((p.a - 0.7929218333478941).abs() < 1e-4, "{p:?}");
        assert!((p.b - 2.4259057287218235).abs() < 1e-3, "{p:?}");
        // It is a maximum: the published parameters do no better.
        assert!(fit.log_likelihood >= PUBLISHED.log_likelihood(&data));
    }

    #[test]
    fn cdnow_log_likelihood_matches_the_published_one() {
        // −9582.4 in weeks (table 1); in days each customer's density gains
        // a factor 7^-x, so the days value is lower by ln 7 × Σx.
        let data = cdnow_histories();
        let repeat_purchases: u64 = data.iter().map(|(h, n)| h.x as u64 * n).sum();
        let in_weeks = PUBLISHED.log_likelihood(&data) + 7f64.ln() * repeat_purchases as f64;
        assert!((in_weeks - -9582.4).abs() < 0.5, "{in_weeks}");
    }

    /// (customer, x, tₓ, T, P(alive), expected purchases in 365 days) from
    /// `lifetimes` 0.11.3 at the published parameters (α = 30.8952 days),
    /// fixtures/cdnow_reference.py.
    const LIFETIMES_AT_PUBLISHED: [(&str, u32, f64, f64, f64, f64); 8] = [
        (
            "0001",
            2,
            213.0,
            272.0,
            0.7266251937802588,
            1.5622114029264367,
        ),
        (
            "0002",
            1,
            12.0,
            272.0,
            0.2123933722944236,
            0.2607267874044597,
        ),
        (
            "0018",
            1,
            34.0,
            272.0,
            0.31085926666079966,
            0.3816001274231122,
        ),
        (
            "0100",
            1,
            167.0,
            268.0,
            0.646997644131607,
            0.8031424082773169,
        ),
        (
            "1000",
            4,
            171.0,
            235.0,
            0.6802731157824544,
            2.9655243923550305,
        ),
        ("2000", 0, 0.0, 202.0, 1.0, 0.31692988655142607),
        (
            "0157",
            29,
            264.0,
            266.0,
            0.9692220889269412,
            25.11558267378515,
        ),
        (
            "1516",
            26,
            216.0,
            217.0,
            0.968855270980937,
            25.809367210043472,
        ),
    ];

    #[test]
    fn p_alive_and_expected_purchases_match_lifetimes() {
        let customers = tests_cdnow::customers();
        for (id, x, t_x, age, p_alive, expected) in LIFETIMES_AT_PUBLISHED {
            let history = History { x, t_x, age };
            // The histories are the fixture's.
            let from_fixture = customers.iter().find(|c| c.id == id).unwrap().history;
            assert_eq!(from_fixture, history, "{id}");
            let got = PUBLISHED.p_alive(&history);
            assert!(
                (got - p_alive).abs() < 1e-12,
                "{id}: P(alive) {got}, lifetimes {p_alive}"
            );
            let got = PUBLISHED.expected_purchases(&history, 365.0).unwrap();
            assert!(
                ((got - expected) / expected).abs() < 1e-10,
                "{id}: E[purchases] {got}, lifetimes {expected}"
            );
        }
    }

    #[test]
    fn expected_purchases_is_continuous_at_a_equal_to_one() {
        let h = History {
            x: 3,
            t_x: 100.0,
            age: 200.0,
        };
        let at = |a: f64| {
            Params { a, ..PUBLISHED }
                .expected_purchases(&h, 365.0)
                .unwrap()
        };
        let (below, exact, above) = (at(0.999), at(1.0), at(1.001));
        assert!(exact.is_finite());
        assert!(((below + above) / 2.0 - exact).abs() < 1e-3 * exact);
    }

    #[test]
    fn expected_purchases_grow_with_the_horizon_and_start_at_zero() {
        let h = History {
            x: 2,
            t_x: 213.0,
            age: 272.0,
        };
        assert_eq!(PUBLISHED.expected_purchases(&h, 0.0), Some(0.0));
        let month = PUBLISHED.expected_purchases(&h, 30.0).unwrap();
        let year = PUBLISHED.expected_purchases(&h, 365.0).unwrap();
        assert!(0.0 < month && month < year);
    }

    #[test]
    fn even_odds_of_a_next_purchase() {
        let h = History {
            x: 2,
            t_x: 213.0,
            age: 272.0,
        };
        let s = PUBLISHED.time_to_even_odds_of_next_purchase(&h).unwrap();
        // At s the chance of a purchase is one half: checked against the
        // probability of no purchase written out.
        let alive = PUBLISHED.p_alive(&h);
        let rx = PUBLISHED.r + 2.0;
        let bought =
            alive * (1.0 - ((PUBLISHED.alpha + 272.0) / (PUBLISHED.alpha + 272.0 + s)).powf(rx));
        assert!((bought - 0.5).abs() < 1e-12, "{bought}");
        // A customer more likely gone than not has no such time.
        let faded = History {
            x: 1,
            t_x: 12.0,
            age: 272.0,
        };
        assert!(PUBLISHED.p_alive(&faded) < 0.5);
        assert_eq!(PUBLISHED.time_to_even_odds_of_next_purchase(&faded), None);
    }

    #[test]
    fn nelder_mead_fallback_finds_the_same_maximum() {
        let data = cdnow_histories();
        let objective = Likelihood::new(&data);
        let start = vec![0.0, 200f64.ln(), 0.0, 0.0];
        let (Ok(lbfgs), Ok(nelder_mead)) = (
            crate::clv_model::lbfgs(&objective, &start),
            crate::clv_model::nelder_mead(&objective, &start),
        ) else {
            panic!("a solver failed");
        };
        let (l, n) = (
            Params::from_logs(&lbfgs.theta),
            Params::from_logs(&nelder_mead.theta),
        );
        for (got, want) in [(n.r, l.r), (n.alpha, l.alpha), (n.a, l.a), (n.b, l.b)] {
            assert!(((got - want) / want).abs() < 1e-4, "{n:?} vs {l:?}");
        }
    }

    /// Tiny data sets where the likelihood may have no interior maximum:
    /// the fit either gives finite parameters or says why, never panics.
    #[test]
    fn a_month_of_data_fits_or_says_why() {
        let h = |x, t_x, age| History { x, t_x, age };
        let cases: [Vec<(History, u64)>; 3] = [
            // Every repeat customer bought twice on consecutive days.
            vec![(h(0, 0.0, 20.0), 200), (h(1, 1.0, 20.0), 40)],
            // Everyone's history identical.
            vec![(h(2, 10.0, 30.0), 50)],
            // Repeat buyers all on their last day.
            vec![
                (h(0, 0.0, 5.0), 300),
                (h(3, 30.0, 30.0), 35),
                (h(1, 29.0, 29.0), 10),
            ],
        ];
        for data in cases {
            match fit(&data) {
                Ok(fit) => {
                    let p = fit.params;
                    assert!(
                        [p.r, p.alpha, p.a, p.b]
                            .iter()
                            .all(|v| v.is_finite() && *v > 0.0)
                    );
                    let e = p.expected_purchases(&data[0].0, 365.0).unwrap();
                    assert!(e.is_finite() && e >= 0.0, "{p:?}: {e}");
                }
                Err(e) => assert!(
                    matches!(&e, FitError::NoMaximum(why) if why.contains(" towards ")),
                    "{e}"
                ),
            }
        }
    }

    /// Customers drawn from the model itself, with a deterministic
    /// generator: λ ~ Gamma(1, 100 days) (exponential), p ~ Beta(1, 1)
    /// (uniform), ages uniform over three years, purchase times rounded up
    /// to whole days. The fit gives back r = 1, α = 100, a = b = 1.
    #[test]
    fn simulated_customers_give_back_their_parameters() {
        let mut state: u64 = 42;
        // splitmix64, as a uniform number in [0, 1)
        let mut uniform = || {
            state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
        };
        let mut histories = Vec::new();
        for _ in 0..20_000 {
            let age = (uniform() * 1096.0).floor();
            let rate = -(1.0 - uniform()).ln() / 100.0;
            let p = uniform();
            let (mut t, mut x, mut last) = (0.0, 0, 0.0);
            loop {
                t += (-(1.0 - uniform()).ln() / rate).ceil();
                if t > age {
                    break;
                }
                x += 1;
                last = t;
                if uniform() < p {
                    break;
                }
            }
            histories.push(History { x, t_x: last, age });
        }
        let p = fit(&aggregate(histories)).unwrap().params;
        for (name, got, truth) in [
            ("r", p.r, 1.0),
            ("alpha", p.alpha, 100.0),
            ("a", p.a, 1.0),
            ("b", p.b, 1.0),
        ] {
            assert!(
                ((got - truth) / truth).abs() < 0.15,
                "{name}: {got}, truth {truth}; {p:?}"
            );
        }
    }

    #[test]
    fn gradient_matches_finite_differences() {
        let data = cdnow_histories();
        let objective = Likelihood::new(&data);
        let theta = [-1.2, 3.0, -0.3, 0.8];
        let (_, gradient) = objective.value_and_gradient(&theta);
        for i in 0..4 {
            let step = 1e-6;
            let mut up = theta;
            up[i] += step;
            let mut down = theta;
            down[i] -= step;
            let numeric = (objective.value_and_gradient(&up).0
                - objective.value_and_gradient(&down).0)
                / (2.0 * step);
            assert!(
                (numeric - gradient[i]).abs() < 1e-6,
                "θ{i}: analytic {}, numeric {numeric}",
                gradient[i]
            );
        }
    }

    #[test]
    fn aggregate_counts_identical_histories_once() {
        let h = |x, t_x, age| History { x, t_x, age };
        let unique = aggregate([
            h(1, 5.0, 10.0),
            h(0, 0.0, 10.0),
            h(1, 5.0, 10.0),
            h(0, 0.0, 3.0),
        ]);
        assert_eq!(
            unique,
            [
                (h(0, 0.0, 3.0), 1),
                (h(0, 0.0, 10.0), 1),
                (h(1, 5.0, 10.0), 2)
            ]
        );
    }

    #[test]
    fn too_few_repeat_customers_is_refused() {
        let mut data = vec![(
            History {
                x: 0,
                t_x: 0.0,
                age: 30.0,
            },
            500,
        )];
        data.push((
            History {
                x: 1,
                t_x: 3.0,
                age: 30.0,
            },
            MIN_REPEAT_CUSTOMERS - 1,
        ));
        assert_eq!(
            fit(&data),
            Err(FitError::TooFewRepeatCustomers {
                repeat: MIN_REPEAT_CUSTOMERS - 1,
                needed: MIN_REPEAT_CUSTOMERS
            })
        );
    }
}
