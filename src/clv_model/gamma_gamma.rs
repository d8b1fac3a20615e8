//! Gamma-Gamma spend model (Fader, Hardie & Lee 2005, "RFM and CLV"; Fader &
//! Hardie 2013, "The Gamma-Gamma model of monetary value").
//!
//! Each of a customer's order values is Gamma(p, ν) around their own mean
//! p/ν, and across customers ν ~ Gamma(q, γ). Fitted on repeat customers:
//! x repeat purchases with mean value mₓ (the first purchase left out, as
//! in the paper). The model assumes a customer's order values do not depend
//! on how often they buy.

use super::{FitError, MIN_REPEAT_CUSTOMERS, Objective, minimize, sum_in_chunks};
use statrs::function::gamma::{digamma, ln_gamma};

/// A repeat customer's spend: x > 0 repeat purchases worth `mean_value`
/// each on average, in the store's currency (major units, e.g. 24.65).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Spend {
    pub x: u32,
    pub mean_value: f64,
}

/// The model's three parameters; γ is in the currency's units.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct Params {
    pub p: f64,
    pub q: f64,
    pub gamma: f64,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Fit {
    pub params: Params,
    /// The maximised log-likelihood, summed over customers.
    pub log_likelihood: f64,
    /// Repeat customers the fit used (those with a positive mean value).
    pub customers: u64,
}

/// Maximum-likelihood fit on repeat customers' spend with counts. Customers
/// with x = 0 or a mean value of 0 (every repeat order refunded) tell the
/// model nothing it can use and are left out. Refuses with fewer than
/// [`MIN_REPEAT_CUSTOMERS`] customers left, or when the maximum has q ≤ 1
/// (no finite expected value).
pub fn fit(data: &[(Spend, u64)]) -> Result<Fit, FitError> {
    let usable: Vec<(Spend, u64)> = data
        .iter()
        .copied()
        .filter(|(s, n)| s.x > 0 && s.mean_value > 0.0 && *n > 0)
        .collect();
    let customers: u64 = usable.iter().map(|(_, n)| n).sum();
    if customers < MIN_REPEAT_CUSTOMERS {
        return Err(FitError::TooFewRepeatCustomers {
            repeat: customers,
            needed: MIN_REPEAT_CUSTOMERS,
        });
    }
    // Start: p = 1, q = 2, so that the population mean p·γ/(q−1) is the
    // customers' average order value.
    let mean = usable
        .iter()
        .map(|(s, n)| s.mean_value * *n as f64)
        .sum::<f64>()
        / customers as f64;
    let objective = Likelihood {
        data: &usable,
        customers: customers as f64,
    };
    let minimum = minimize(
        &objective,
        vec![0.0, 2f64.ln(), mean.ln()],
        &["p", "q", "gamma"],
    )?;
    let [p, q, gamma] = [0, 1, 2].map(|i| minimum.theta[i].exp());
    if q <= 1.0 {
        return Err(FitError::NoMean(format!(
            "order values are too spread out for an expected value (Gamma-Gamma q = {q:.3} ≤ 1)"
        )));
    }
    Ok(Fit {
        params: Params { p, q, gamma },
        log_likelihood: -minimum.cost * customers as f64,
        customers,
    })
}

impl Params {
    /// Expected value of a customer's future orders: a weighted average of
    /// the population mean p·γ/(q−1) and the customer's own mean, the
    /// latter weighing more the more repeat purchases they made. For x = 0
    /// it is the population mean. Requires q > 1 (which [`fit`] ensures).
    pub fn expected_order_value(&self, x: u32, mean_value: f64) -> f64 {
        let x = x as f64;
        self.p * (self.gamma + x * mean_value) / (self.p * x + self.q - 1.0)
    }

    /// Log-likelihood of the repeat customers' spend, summed over customers.
    #[cfg(test)]
    pub fn log_likelihood(&self, data: &[(Spend, u64)]) -> f64 {
        let customers: f64 = data.iter().map(|(_, n)| *n as f64).sum();
        let objective = Likelihood { data, customers };
        let theta = [self.p, self.q, self.gamma].map(f64::ln);
        -objective.value_and_gradient(&theta).0 * customers
    }
}

struct Likelihood<'a> {
    data: &'a [(Spend, u64)],
    customers: f64,
}

impl Objective for Likelihood<'_> {
    /// Each repeat customer's log-likelihood (of the mean value mₓ given x):
    /// lnΓ(px+q) − lnΓ(px) − lnΓ(q) + q ln γ + (px−1) ln mₓ + px ln x
    /// − (px+q) ln(γ + x mₓ).
    fn value_and_gradient(&self, theta: &[f64]) -> (f64, Vec<f64>) {
        let [p, q, gamma] = [theta[0], theta[1], theta[2]].map(f64::exp);
        let (ln_gamma_q, digamma_q) = (ln_gamma(q), digamma(q));
        let part = |customers: std::ops::Range<usize>| {
            let mut ll = 0.0;
            let mut grad = [0.0; 3];
            for &(s, count) in &self.data[customers] {
                let n = count as f64;
                let x = s.x as f64;
                let px = p * x;
                let total = gamma + x * s.mean_value;
                let (ln_m, ln_x, ln_total) = (s.mean_value.ln(), x.ln(), total.ln());
                ll += n
                    * (ln_gamma(px + q) - ln_gamma(px) - ln_gamma_q
                        + q * gamma.ln()
                        + (px - 1.0) * ln_m
                        + px * ln_x
                        - (px + q) * ln_total);
                let digamma_all = digamma(px + q);
                grad[0] += n * x * (digamma_all - digamma(px) + ln_m + ln_x - ln_total);
                grad[1] += n * (digamma_all - digamma_q + gamma.ln() - ln_total);
                grad[2] += n * (q / gamma - (px + q) / total);
            }
            (ll, grad)
        };
        let (ll, grad) = sum_in_chunks(self.data.len(), part);
        let scale = -1.0 / self.customers;
        let gradient = [p, q, gamma]
            .iter()
            .zip(grad)
            .map(|(v, g)| scale * v * g)
            .collect();
        (scale * ll, gradient)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clv_model::tests_cdnow;

    /// Published (Fader & Hardie 2013, on the 946 CDNOW repeat customers).
    const PUBLISHED: Params = Params {
        p: 6.2496,
        q: 3.7442,
        gamma: 15.4435,
    };

    fn cdnow_spend() -> Vec<(Spend, u64)> {
        tests_cdnow::customers()
            .iter()
            .filter(|c| c.history.x > 0)
            .map(|c| {
                let spend = Spend {
                    x: c.history.x,
                    mean_value: c.repeat_mean_value,
                };
                (spend, 1)
            })
            .collect()
    }

    #[test]
    fn cdnow_fit_reproduces_the_published_parameters() {
        let data = cdnow_spend();
        let fit = fit(&data).unwrap();
        assert_eq!(fit.customers, 946);
        let p = fit.params;
        for (name, got, published) in [
            ("p", p.p, PUBLISHED.p),
            ("q", p.q, PUBLISHED.q),
            ("gamma", p.gamma, PUBLISHED.gamma),
        ] {
            assert!(
                tests_cdnow::same_to_3_significant_digits(got, published),
                "{name}: fitted {got}, published {published}"
            );
        }
        // lifetimes 0.11.3 on the same data (fixtures/cdnow_reference.py).
        assert!((p.p - 6.249572277636053).abs() < 1e-3, "{p:?}");
        assert!((p.q - 3.7442246747582915).abs() < 1e-3, "{p:?}");
        assert!((p.gamma - 15.44352101836175).abs() < 1e-2, "{p:?}");
        assert!(fit.log_likelihood >= PUBLISHED.log_likelihood(&data));
    }

    /// (customer, x, mean repeat value, expected order value) from lifetimes
    /// 0.11.3 at the published parameters (fixtures/cdnow_reference.py).
    const LIFETIMES_AT_PUBLISHED: [(&str, u32, f64, f64); 5] = [
        ("0001", 2, 22.345, 24.653969691801038),
        ("0002", 1, 11.77, 18.910081344926503),
        ("1000", 4, 16.26, 18.130589115656065),
        ("1516", 26, 39.97, 39.89029490092221),
        ("2000", 0, 0.0, 35.17079571459806),
    ];

    #[test]
    fn expected_order_value_matches_lifetimes() {
        let customers = tests_cdnow::customers();
        for (id, x, mean_value, expected) in LIFETIMES_AT_PUBLISHED {
            let c = customers.iter().find(|c| c.id == id).unwrap();
            assert_eq!(c.history.x, x, "{id}");
            assert!((c.repeat_mean_value - mean_value).abs() < 1e-9, "{id}");
            let got = PUBLISHED.expected_order_value(x, mean_value);
            assert!(
                (got - expected).abs() < 1e-9,
                "{id}: {got}, lifetimes {expected}"
            );
        }
    }

    #[test]
    fn gradient_matches_finite_differences() {
        let data = cdnow_spend();
        let objective = Likelihood {
            data: &data,
            customers: data.len() as f64,
        };
        let theta = [1.5, 1.0, 2.5];
        let (_, gradient) = objective.value_and_gradient(&theta);
        for i in 0..3 {
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
    fn customers_without_repeat_value_are_left_out_and_too_few_refused() {
        let mut data = vec![(
            Spend {
                x: 2,
                mean_value: 0.0,
            },
            100,
        )];
        data.push((
            Spend {
                x: 1,
                mean_value: 20.0,
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
