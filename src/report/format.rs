//! Numbers as the page writes them: grouped digits, money with the store's
//! currency, percentages. Formatting only: every value comes from the data.

/// How the store's money is written.
#[derive(Clone, Debug, PartialEq)]
pub struct Money {
    /// ISO code, when the export names one currency (`EUR`).
    pub code: Option<String>,
}

impl Money {
    pub fn new(code: Option<&str>) -> Money {
        Money {
            code: code.map(str::to_string),
        }
    }

    /// The symbol written before amounts: `€`, `$`, or the code and a space.
    fn prefix(&self) -> String {
        match self.code.as_deref() {
            Some("EUR") => "€".into(),
            Some("USD") => "$".into(),
            Some("GBP") => "£".into(),
            Some("JPY") => "¥".into(),
            Some("INR") => "₹".into(),
            Some(code) => format!("{code} "),
            None => String::new(),
        }
    }

    /// For the page's header: `EUR`, or words when the export names none.
    pub fn unit(&self) -> String {
        self.code
            .clone()
            .unwrap_or_else(|| "as in the export".into())
    }

    /// An axis title with the currency: `Revenue (EUR)`; just `Revenue`
    /// when the export names none (the header says so).
    pub fn titled(&self, title: &str) -> String {
        match &self.code {
            Some(code) => format!("{title} ({code})"),
            None => title.to_string(),
        }
    }

    /// `€12,345.67`.
    pub fn cents(&self, cents: i64) -> String {
        let sign = if cents < 0 { "-" } else { "" };
        let abs = cents.unsigned_abs();
        format!(
            "{sign}{}{}.{:02}",
            self.prefix(),
            group(abs / 100),
            abs % 100
        )
    }

    /// A fractional amount of cents (a cut-off, a median) to the cent.
    pub fn cents_f(&self, cents: f64) -> String {
        self.cents(cents.round() as i64)
    }

    /// Major units in JSON (`summary --json`'s money), to the cent.
    pub fn major(&self, major: f64) -> String {
        self.cents((major * 100.0).round() as i64)
    }

    /// Whole units, for round amounts on axes and in bin labels: `€1,200`.
    pub fn whole(&self, cents: f64) -> String {
        let units = (cents / 100.0).round() as i64;
        let sign = if units < 0 { "-" } else { "" };
        format!("{sign}{}{}", self.prefix(), group(units.unsigned_abs()))
    }
}

/// Digits in groups of three: 1234567 → `1,234,567`.
pub fn group(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A count: `1,234`.
pub fn count(n: u64) -> String {
    group(n)
}

/// A fraction as a percentage with one decimal: 0.6743 → `67.4%`.
pub fn percent(fraction: f64) -> String {
    format!("{:.1}%", fraction * 100.0)
}

/// A fraction as a whole percentage, for small spaces (heatmap cells).
pub fn percent_whole(fraction: f64) -> String {
    format!("{:.0}%", fraction * 100.0)
}

/// A coordinate with one decimal at most, to keep the SVG small.
pub fn coord(x: f64) -> String {
    let rounded = (x * 10.0).round() / 10.0;
    if rounded.fract() == 0.0 {
        format!("{}", rounded as i64)
    } else {
        format!("{rounded:.1}")
    }
}

/// `Jan`, `Feb`, … of a `2024-01` month label.
pub fn month_name(label: &str) -> &'static str {
    const NAMES: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    label
        .get(5..7)
        .and_then(|m| m.parse::<usize>().ok())
        .and_then(|m| NAMES.get(m.wrapping_sub(1)))
        .copied()
        .unwrap_or("")
}

/// `Nov 2024` of a `2024-11` month label.
pub fn month_long(label: &str) -> String {
    format!("{} {}", month_name(label), label.get(..4).unwrap_or(label))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_as_the_page_writes_them() {
        assert_eq!(group(0), "0");
        assert_eq!(group(999), "999");
        assert_eq!(group(1000), "1,000");
        assert_eq!(group(1234567), "1,234,567");
        let eur = Money::new(Some("EUR"));
        assert_eq!(eur.cents(1234567), "€12,345.67");
        assert_eq!(eur.cents(-5), "-€0.05");
        assert_eq!(eur.major(1234.5), "€1,234.50");
        assert_eq!(Money::new(Some("THB")).whole(120000.0), "THB 1,200");
        assert_eq!(Money::new(None).cents(100), "1.00");
        assert_eq!(percent(0.67438), "67.4%");
        assert_eq!(coord(12.345), "12.3");
        assert_eq!(coord(12.0), "12");
        assert_eq!(month_long("2024-11"), "Nov 2024");
    }
}
