//! The Gauss hypergeometric function 2F1(a, b; c; z) for 0 ≤ z < 1.
//!
//! No maintained pure-Rust crate offers it (statrs has none; the GSL
//! bindings need the C library), and the BG/NBD model needs it only where
//! its power series converges, so it is the series, summed until the terms
//! stop mattering.

/// Terms summed at most. The BG/NBD caller picks, of two equal forms, the
/// one whose series converges fastest: a few hundred terms at most for
/// fitted parameters.
const MAX_TERMS: u32 = 100_000;

/// ln 2F1(a, b; c; z), with 2F1 = Σₙ (a)ₙ (b)ₙ / ((c)ₙ n!) zⁿ, for
/// 0 ≤ z < 1 and c > 0. The sum is rescaled as it grows, so a value beyond
/// f64's range still has a logarithm. `None` when the series has not
/// converged after [`MAX_TERMS`] terms or its sum is not positive.
pub fn ln_hyp2f1(a: f64, b: f64, c: f64, z: f64) -> Option<f64> {
    debug_assert!((0.0..1.0).contains(&z) && c > 0.0);
    // The value is (term sum) × e^scale.
    const RESCALE_ABOVE: f64 = 1e250;
    let mut scale = 0.0;
    let mut term = 1.0;
    let mut sum = 1.0;
    for n in 0..MAX_TERMS {
        let n = f64::from(n);
        term *= (a + n) * (b + n) / ((c + n) * (n + 1.0)) * z;
        sum += term;
        if sum.abs() > RESCALE_ABOVE {
            sum /= RESCALE_ABOVE;
            term /= RESCALE_ABOVE;
            scale += RESCALE_ABOVE.ln();
        }
        // Past the terms' peak (n beyond a + b - c, the ratio of
        // consecutive terms stays below 1), a term under 1e-17 of the sum
        // ends it.
        if term.abs() <= 1e-17 * sum.abs() && n + 1.0 > a + b - c {
            return (sum > 0.0).then(|| sum.ln() + scale);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::ln_hyp2f1;

    fn close(a: f64, b: f64, c: f64, z: f64, want: f64) {
        let got = ln_hyp2f1(a, b, c, z).unwrap().exp();
        assert!(
            ((got - want) / want).abs() < 1e-13,
            "got {got}, want {want}"
        );
    }

    #[test]
    fn closed_forms() {
        // 2F1(1, 1; 2; z) = -ln(1 - z) / z
        for z in [0.0001f64, 0.3, 0.9, 0.99] {
            close(1.0, 1.0, 2.0, z, -(-z).ln_1p() / z);
        }
        // 2F1(a, b; b; z) = (1 - z)^-a
        close(2.5, 3.0, 3.0, 0.7, 0.3f64.powf(-2.5));
        // A negative integer a ends the series: 2F1(-2, b; c; z) is a polynomial.
        close(
            -2.0,
            3.0,
            4.0,
            0.5,
            1.0 - 2.0 * 3.0 / 4.0 * 0.5 + (3.0 * 4.0) / (4.0 * 5.0) * 0.25,
        );
        assert_eq!(ln_hyp2f1(1.0, 1.0, 2.0, 0.0), Some(0.0));
    }

    #[test]
    fn beyond_the_range_of_f64() {
        // 2F1(a, b; b; z) = (1 - z)^-a: ln = -a ln(1 - z) = 2000 ln 10.
        let got = ln_hyp2f1(2000.0, 3.0, 3.0, 0.9).unwrap();
        assert!((got - 2000.0 * 10f64.ln()).abs() < 1e-9, "{got}");
    }

    #[test]
    fn scipy_reference_values() {
        // scipy.special.hyp2f1 (double precision) at BG/NBD-like arguments.
        close(
            1.2425945,
            0.7929218,
            4.2188275,
            0.5464071856287425,
            1.1649096110306227,
        );
        close(0.9762813, -0.2070782, 32.2188275, 0.9, 0.9942267540592203);
    }
}
