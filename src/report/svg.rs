//! Chart primitives as maud templates: the chart box, linear scales, nice
//! ticks, axes, legends. Every SVG element is written with an explicit end
//! tag (`rect … {}`): inside HTML, a `<rect>` without one would swallow its
//! siblings.

use super::format::coord;
use maud::{Markup, html};

/// A chart's viewBox and the margins around its plot area.
#[derive(Clone, Copy, Debug)]
pub struct Frame {
    pub width: f64,
    pub height: f64,
    pub left: f64,
    pub right: f64,
    pub top: f64,
    pub bottom: f64,
}

impl Frame {
    /// Left edge of the plot area.
    pub fn x0(&self) -> f64 {
        self.left
    }
    /// Right edge of the plot area.
    pub fn x1(&self) -> f64 {
        self.width - self.right
    }
    /// Bottom of the plot area (the baseline).
    pub fn y0(&self) -> f64 {
        self.height - self.bottom
    }
    /// Top of the plot area.
    pub fn y1(&self) -> f64 {
        self.top
    }
    pub fn plot_width(&self) -> f64 {
        self.x1() - self.x0()
    }
}

/// A linear map from data values to coordinates.
#[derive(Clone, Copy, Debug)]
pub struct Linear {
    d0: f64,
    d1: f64,
    r0: f64,
    r1: f64,
}

impl Linear {
    pub fn new((d0, d1): (f64, f64), (r0, r1): (f64, f64)) -> Linear {
        Linear { d0, d1, r0, r1 }
    }

    pub fn at(&self, v: f64) -> f64 {
        if self.d1 == self.d0 {
            return self.r0;
        }
        self.r0 + (v - self.d0) / (self.d1 - self.d0) * (self.r1 - self.r0)
    }
}

/// Ticks from 0 to the first tick ≥ `max`, 1, 2 or 5 × 10^k apart, at most
/// `count` intervals (0 and 1 when `max` ≤ 0).
pub fn ticks(max: f64, count: usize) -> Vec<f64> {
    if max <= 0.0 || !max.is_finite() {
        return vec![0.0, 1.0];
    }
    let rough = max / count.max(1) as f64;
    let power = 10f64.powf(rough.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * power)
        .find(|&s| (max / s).ceil() as usize <= count.max(1))
        .unwrap_or(10.0 * power);
    let n = (max / step).ceil() as usize;
    (0..=n).map(|i| i as f64 * step).collect()
}

/// The `<svg>` of a chart: scales with the page's width, announced to
/// screen readers as one image with its title and description (the text
/// alternative).
pub fn chart(id: &str, title: &str, desc: &str, frame: &Frame, body: Markup) -> Markup {
    let title_id = format!("{id}-title");
    let desc_id = format!("{id}-desc");
    html! {
        svg class="chart" id=(id) xmlns="http://www.w3.org/2000/svg"
            viewBox=(format!("0 0 {} {}", coord(frame.width), coord(frame.height)))
            role="img" aria-labelledby=(format!("{title_id} {desc_id}")) {
            title id=(title_id) { (title) }
            desc id=(desc_id) { (desc) }
            (body)
        }
    }
}

/// Horizontal grid lines with value labels on the left, the baseline, and
/// the axis title written upwards along the left edge.
pub fn y_axis(
    frame: &Frame,
    y: &Linear,
    ticks: &[f64],
    label: impl Fn(f64) -> String,
    title: &str,
) -> Markup {
    html! {
        g class="axis y" {
            @for &t in ticks {
                line class=(if t == 0.0 { "base" } else { "grid" })
                    x1=(coord(frame.x0())) x2=(coord(frame.x1()))
                    y1=(coord(y.at(t))) y2=(coord(y.at(t))) {}
                text class="tick" x=(coord(frame.x0() - 6.0)) y=(coord(y.at(t) + 4.0))
                    text-anchor="end" { (label(t)) }
            }
            text class="axis-title"
                transform=(format!("translate(14 {}) rotate(-90)", coord((frame.y0() + frame.y1()) / 2.0)))
                text-anchor="middle" { (title) }
        }
    }
}

/// Tick labels under the plot at the given x positions, and the axis title.
pub fn x_axis(frame: &Frame, ticks: &[(f64, String)], title: &str) -> Markup {
    html! {
        g class="axis x" {
            @for (x, label) in ticks {
                line class="tick-mark" x1=(coord(*x)) x2=(coord(*x))
                    y1=(coord(frame.y0())) y2=(coord(frame.y0() + 4.0)) {}
                text class="tick" x=(coord(*x)) y=(coord(frame.y0() + 17.0)) text-anchor="middle" { (label) }
            }
            (x_title(frame, title))
        }
    }
}

/// The x axis title, centred under the plot.
pub fn x_title(frame: &Frame, title: &str) -> Markup {
    html! {
        text class="axis-title" x=(coord((frame.x0() + frame.x1()) / 2.0))
            y=(coord(frame.height - 8.0)) text-anchor="middle" { (title) }
    }
}

/// A rectangle (the unit of bars, cells and swatches).
pub fn rect(x: f64, y: f64, width: f64, height: f64, class: &str) -> Markup {
    html! {
        rect class=(class) x=(coord(x)) y=(coord(y))
            width=(coord(width.max(0.0))) height=(coord(height.max(0.0))) {}
    }
}

/// One legend entry: a swatch of `class` and its words, at (x, y).
/// Returns the entry and the x where the next one may start.
pub fn legend_entry(x: f64, y: f64, class: &str, words: &str) -> (Markup, f64) {
    // Text width is not known without fonts; 6.6 units per character is a
    // safe over-estimate for the page's 12-unit legend text.
    let next = x + 18.0 + words.chars().count() as f64 * 6.6 + 16.0;
    let entry = html! {
        g class="legend" {
            (rect(x, y - 10.0, 12.0, 12.0, class))
            text x=(coord(x + 17.0)) y=(coord(y)) { (words) }
        }
    };
    (entry, next)
}

/// A row of legend entries from (x, y).
pub fn legend(x: f64, y: f64, entries: &[(&str, &str)]) -> Markup {
    let mut at = x;
    let mut parts = Vec::new();
    for (class, words) in entries {
        let (entry, next) = legend_entry(at, y, class, words);
        parts.push(entry);
        at = next;
    }
    html! { @for part in parts { (part) } }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_and_cover_the_maximum() {
        assert_eq!(ticks(95.0, 5), [0.0, 20.0, 40.0, 60.0, 80.0, 100.0]);
        assert_eq!(ticks(1.0, 5), [0.0, 0.2, 0.4, 0.6000000000000001, 0.8, 1.0]);
        assert_eq!(ticks(7.0, 5), [0.0, 2.0, 4.0, 6.0, 8.0]);
        assert_eq!(ticks(0.0, 5), [0.0, 1.0]);
        let big = ticks(1_234_567.0, 5);
        assert_eq!((big[1], *big.last().unwrap()), (500_000.0, 1_500_000.0));
    }

    #[test]
    fn svg_elements_are_closed_and_text_escaped() {
        let frame = Frame {
            width: 100.0,
            height: 50.0,
            left: 10.0,
            right: 10.0,
            top: 5.0,
            bottom: 5.0,
        };
        let svg = chart(
            "c",
            "A & B",
            "<desc>",
            &frame,
            rect(1.0, 2.0, 3.0, 4.0, "bar"),
        )
        .into_string();
        assert!(
            svg.contains(r#"<rect class="bar" x="1" y="2" width="3" height="4"></rect>"#),
            "{svg}"
        );
        assert!(
            svg.contains("<title id=\"c-title\">A &amp; B</title>"),
            "{svg}"
        );
        assert!(svg.contains("&lt;desc&gt;"), "{svg}");
        assert!(svg.contains(r#"viewBox="0 0 100 50""#), "{svg}");
    }
}
