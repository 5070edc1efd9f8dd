//! Chart geometry for the Reports page, as plain data: the view draws SVG from
//! these structs and computes nothing itself. Every chart has a fixed view box
//! (the SVG scales to its container), axes with round tick values, and a
//! `title` per mark for the tooltip and for screen readers.

/// Width of every chart's view box.
pub const WIDTH: f64 = 640.0;

/// Space around the plot for axes and labels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Margins {
    /// Above.
    pub top: f64,
    /// Right.
    pub right: f64,
    /// Below (the x axis labels).
    pub bottom: f64,
    /// Left (the y axis labels).
    pub left: f64,
}

/// One tick on an axis.
#[derive(Debug, Clone, PartialEq)]
pub struct Tick {
    /// Where, in view-box units along the axis.
    pub at: f64,
    /// What it says.
    pub label: String,
}

/// Round tick values from 0 to at least `max`: 1, 2 or 5 times a power of ten,
/// about `count` of them. Returns the step and the top value.
pub fn nice_scale(max: f64, count: usize) -> (f64, f64) {
    let max = if max.is_finite() && max > 0.0 {
        max
    } else {
        1.0
    };
    let rough = max / count.max(1) as f64;
    let power = 10f64.powf(rough.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|f| f * power)
        .find(|step| *step >= rough)
        .unwrap_or(10.0 * power);
    let top = (max / step).ceil() * step;
    (step, top)
}

/// A time series: one or two lines over the same time axis.
#[derive(Debug, Clone, PartialEq)]
pub struct LineChart {
    /// View-box height.
    pub height: f64,
    /// The plot's box.
    pub margins: Margins,
    /// Ticks of the value axis (`at` is y).
    pub y_ticks: Vec<Tick>,
    /// Ticks of the time axis (`at` is x).
    pub x_ticks: Vec<Tick>,
    /// The lines.
    pub lines: Vec<Line>,
}

/// One line of a [`LineChart`].
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    /// Its name in the legend.
    pub name: String,
    /// CSS class (its colour).
    pub class: &'static str,
    /// The SVG path (`M x y L x y …`); gaps where a point has no value.
    pub path: String,
    /// Each point with a value: position and tooltip.
    pub points: Vec<Mark>,
}

/// A point or a bar with its tooltip.
#[derive(Debug, Clone, PartialEq)]
pub struct Mark {
    /// x.
    pub x: f64,
    /// y.
    pub y: f64,
    /// The tooltip (`<title>`): label and value in words.
    pub title: String,
}

/// One series to draw: a name, a class and a value per bucket (`None`: no data).
#[derive(Debug, Clone, PartialEq)]
pub struct Series<'a> {
    /// Legend name.
    pub name: &'a str,
    /// CSS class.
    pub class: &'static str,
    /// One value per bucket.
    pub values: Vec<Option<f64>>,
}

impl LineChart {
    /// Lays out `series` over buckets labelled by `labels` (one per bucket), with
    /// values formatted by `format` (axis and tooltips).
    pub fn new(
        labels: &[String],
        series: &[Series<'_>],
        format: impl Fn(f64) -> String,
    ) -> LineChart {
        let height = 240.0;
        let margins = Margins {
            top: 12.0,
            right: 16.0,
            bottom: 28.0,
            left: 52.0,
        };
        let plot_w = WIDTH - margins.left - margins.right;
        let plot_h = height - margins.top - margins.bottom;
        let max = series
            .iter()
            .flat_map(|s| s.values.iter().flatten())
            .fold(0.0f64, |a, b| a.max(*b));
        let (step, top) = nice_scale(max, 4);
        let y_of = |value: f64| margins.top + plot_h - value / top * plot_h;
        let n = labels.len().max(1);
        let x_of = |index: usize| {
            if n == 1 {
                margins.left + plot_w / 2.0
            } else {
                margins.left + index as f64 * plot_w / (n - 1) as f64
            }
        };
        let mut y_ticks = Vec::new();
        let mut value = 0.0;
        while value <= top + step / 2.0 {
            y_ticks.push(Tick {
                at: y_of(value),
                label: format(value),
            });
            value += step;
        }
        // At most about eight time labels, evenly spaced, the last one included.
        let every = n.div_ceil(8).max(1);
        let x_ticks = labels
            .iter()
            .enumerate()
            .filter(|(index, _)| index % every == 0)
            .map(|(index, label)| Tick {
                at: x_of(index),
                label: label.clone(),
            })
            .collect();
        let lines = series
            .iter()
            .map(|s| {
                let mut path = String::new();
                let mut pen_down = false;
                let mut points = Vec::new();
                for (index, value) in s.values.iter().enumerate() {
                    let Some(value) = value else {
                        pen_down = false;
                        continue;
                    };
                    let (x, y) = (x_of(index), y_of(*value));
                    path.push_str(&format!(
                        "{}{x:.1} {y:.1}",
                        if pen_down {
                            " L"
                        } else if path.is_empty() {
                            "M"
                        } else {
                            " M"
                        }
                    ));
                    pen_down = true;
                    points.push(Mark {
                        x,
                        y,
                        title: format!(
                            "{}: {} {}",
                            labels.get(index).map(String::as_str).unwrap_or_default(),
                            s.name,
                            format(*value)
                        ),
                    });
                }
                Line {
                    name: s.name.to_owned(),
                    class: s.class,
                    path,
                    points,
                }
            })
            .collect();
        LineChart {
            height,
            margins,
            y_ticks,
            x_ticks,
            lines,
        }
    }

    /// The x where the plot ends.
    pub fn right(&self) -> f64 {
        WIDTH - self.margins.right
    }

    /// The y of the value axis' zero.
    pub fn bottom(&self) -> f64 {
        self.height - self.margins.bottom
    }
}

/// Horizontal bars, one per slice.
#[derive(Debug, Clone, PartialEq)]
pub struct BarChart {
    /// View-box height (grows with the number of bars).
    pub height: f64,
    /// The plot's box.
    pub margins: Margins,
    /// Ticks of the value axis (`at` is x).
    pub x_ticks: Vec<Tick>,
    /// The bars, top to bottom.
    pub bars: Vec<Bar>,
}

/// One bar.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    /// The slice's name (left of the bar).
    pub label: String,
    /// Top of the bar.
    pub y: f64,
    /// Left edge.
    pub x: f64,
    /// Length.
    pub width: f64,
    /// Thickness.
    pub thickness: f64,
    /// The value in words (right of the bar).
    pub value: String,
    /// Tooltip.
    pub title: String,
}

/// Bar thickness and the gap below it.
const BAR: f64 = 18.0;
const GAP: f64 = 8.0;
/// At most this many bars; the rest are left out (the table has them all).
pub const MAX_BARS: usize = 12;

impl BarChart {
    /// Lays out `(label, value)` pairs (`None`: nothing to show, drawn empty) as
    /// bars, values formatted by `format`; `detail` adds words to each tooltip.
    pub fn new(rows: &[(String, Option<f64>, String)], format: impl Fn(f64) -> String) -> BarChart {
        let margins = Margins {
            top: 8.0,
            right: 64.0,
            bottom: 24.0,
            left: 150.0,
        };
        let shown = &rows[..rows.len().min(MAX_BARS)];
        let height = margins.top + margins.bottom + shown.len().max(1) as f64 * (BAR + GAP);
        let plot_w = WIDTH - margins.left - margins.right;
        let max = shown
            .iter()
            .filter_map(|(_, v, _)| *v)
            .fold(0.0f64, f64::max);
        let (step, top) = nice_scale(max, 4);
        let x_of = |value: f64| margins.left + value / top * plot_w;
        let mut x_ticks = Vec::new();
        let mut value = 0.0;
        while value <= top + step / 2.0 {
            x_ticks.push(Tick {
                at: x_of(value),
                label: format(value),
            });
            value += step;
        }
        let bars = shown
            .iter()
            .enumerate()
            .map(|(index, (label, value, detail))| {
                let words = value.map_or_else(|| "–".to_owned(), &format);
                Bar {
                    label: shorten(label, 22),
                    y: margins.top + index as f64 * (BAR + GAP),
                    x: margins.left,
                    width: value.map_or(0.0, |v| x_of(v) - margins.left),
                    thickness: BAR,
                    title: if detail.is_empty() {
                        format!("{label}: {words}")
                    } else {
                        format!("{label}: {words} ({detail})")
                    },
                    value: words,
                }
            })
            .collect();
        BarChart {
            height,
            margins,
            x_ticks,
            bars,
        }
    }

    /// The y of the value axis.
    pub fn bottom(&self) -> f64 {
        self.height - self.margins.bottom
    }
}

/// `text` cut to `max` characters with an ellipsis.
pub fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let kept: String = text.chars().take(max.saturating_sub(1)).collect();
    format!("{kept}…")
}

/// A funnel: stages as centred bars whose widths are shares of the first.
#[derive(Debug, Clone, PartialEq)]
pub struct Funnel {
    /// View-box height.
    pub height: f64,
    /// The stages, top to bottom.
    pub stages: Vec<FunnelStage>,
}

/// One stage of a [`Funnel`].
#[derive(Debug, Clone, PartialEq)]
pub struct FunnelStage {
    /// Its name.
    pub label: String,
    /// How many.
    pub count: u64,
    /// Of the first stage, in words (`42%`).
    pub share: String,
    /// The bar's box.
    pub x: f64,
    /// Top.
    pub y: f64,
    /// Width.
    pub width: f64,
    /// Height.
    pub thickness: f64,
    /// CSS class.
    pub class: &'static str,
    /// Tooltip.
    pub title: String,
}

impl Funnel {
    /// Lays out `(label, count, class)` stages; the first is 100 %.
    pub fn new(stages: &[(&str, u64, &'static str)]) -> Funnel {
        let thickness = 34.0;
        let gap = 14.0;
        let first = stages.first().map_or(0, |(_, n, _)| *n);
        let full = WIDTH - 200.0;
        let laid = stages
            .iter()
            .enumerate()
            .map(|(index, (label, count, class))| {
                let share = if first == 0 {
                    0.0
                } else {
                    *count as f64 / first as f64
                };
                // Never thinner than a sliver, so an empty stage still shows.
                let width = (full * share).max(4.0);
                FunnelStage {
                    label: (*label).to_owned(),
                    count: *count,
                    share: percent(share),
                    x: 100.0 + (full - width) / 2.0,
                    y: 8.0 + index as f64 * (thickness + gap),
                    width,
                    thickness,
                    class,
                    title: format!("{label}: {count} ({} of {first})", percent(share)),
                }
            })
            .collect::<Vec<_>>();
        Funnel {
            height: 16.0 + stages.len() as f64 * (thickness + gap) - gap,
            stages: laid,
        }
    }
}

/// A fraction as a whole percentage (`0.426` → `43%`; below 1 % one decimal).
pub fn percent(fraction: f64) -> String {
    let value = fraction * 100.0;
    if value > 0.0 && value < 1.0 {
        format!("{value:.1}%")
    } else {
        format!("{value:.0}%")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scales_are_round() {
        let close = |(step, top): (f64, f64), (s, t): (f64, f64)| {
            (step - s).abs() < 1e-9 && (top - t).abs() < 1e-9
        };
        assert!(close(nice_scale(0.0, 4), (0.5, 1.0)));
        assert!(close(nice_scale(1.0, 4), (0.5, 1.0)));
        assert!(close(nice_scale(7.0, 4), (2.0, 8.0)));
        assert!(close(nice_scale(0.37, 4), (0.1, 0.4)));
        assert!(close(nice_scale(130.0, 4), (50.0, 150.0)));
    }

    #[test]
    fn a_line_breaks_where_a_bucket_has_no_value() {
        let labels: Vec<String> = ["Mon", "Tue", "Wed", "Thu"].map(String::from).to_vec();
        let chart = LineChart::new(
            &labels,
            &[Series {
                name: "escalation rate",
                class: "s1",
                values: vec![Some(0.5), None, Some(0.25), Some(1.0)],
            }],
            percent,
        );
        let line = &chart.lines[0];
        assert_eq!(line.points.len(), 3);
        assert_eq!(line.path.matches('M').count(), 2, "{}", line.path);
        assert_eq!(line.path.matches('L').count(), 1, "{}", line.path);
        // 1.0 is the top of the scale: the plot's top edge; 0 its bottom.
        assert_eq!(line.points[2].y, chart.margins.top);
        assert_eq!(chart.y_ticks.first().map(|t| t.at), Some(chart.bottom()));
        assert_eq!(chart.y_ticks.last().map(|t| t.label.as_str()), Some("100%"));
        assert_eq!(line.points[0].title, "Mon: escalation rate 50%");
        // The first and last point span the plot.
        assert_eq!(line.points[0].x, chart.margins.left);
        assert_eq!(line.points[2].x, chart.right());
    }

    #[test]
    fn time_labels_are_thinned_to_about_eight() {
        let labels: Vec<String> = (0..30).map(|d| d.to_string()).collect();
        let chart = LineChart::new(&labels, &[], |v| v.to_string());
        assert!(chart.x_ticks.len() <= 8, "{}", chart.x_ticks.len());
        assert_eq!(chart.x_ticks[0].label, "0");
    }

    #[test]
    fn bars_are_proportional_and_capped() {
        let rows: Vec<(String, Option<f64>, String)> = (0..20)
            .map(|i| (format!("slice {i}"), Some(i as f64), String::new()))
            .collect();
        let chart = BarChart::new(&rows[..3], |v| format!("{v}"));
        assert_eq!(chart.bars[0].width, 0.0);
        assert!((chart.bars[2].width - 2.0 * chart.bars[1].width).abs() < 1e-9);
        assert_eq!(chart.bars[1].title, "slice 1: 1");
        let many = BarChart::new(&rows, |v| format!("{v}"));
        assert_eq!(many.bars.len(), MAX_BARS);
        let empty = BarChart::new(&[("none".into(), None, "no tickets".into())], percent);
        assert_eq!(empty.bars[0].value, "–");
        assert_eq!(empty.bars[0].title, "none: – (no tickets)");
    }

    #[test]
    fn funnel_widths_are_shares_of_the_first_stage() {
        let funnel = Funnel::new(&[
            ("shown", 200, "f1"),
            ("solved", 50, "f2"),
            ("person", 0, "f3"),
        ]);
        let [shown, solved, person] = &funnel.stages[..] else {
            panic!("three stages")
        };
        assert_eq!(shown.share, "100%");
        assert_eq!(solved.share, "25%");
        assert!((solved.width * 4.0 - shown.width).abs() < 1e-9);
        assert_eq!(person.width, 4.0);
        // Centred.
        assert!((shown.x + shown.width / 2.0 - (solved.x + solved.width / 2.0)).abs() < 1e-9);
        assert_eq!(solved.title, "solved: 50 (25% of 200)");
    }

    #[test]
    fn percent_keeps_small_shares_visible() {
        assert_eq!(percent(0.426), "43%");
        assert_eq!(percent(0.004), "0.4%");
        assert_eq!(percent(0.0), "0%");
    }

    #[test]
    fn long_labels_are_shortened() {
        assert_eq!(shorten("/demo/reports/export", 22), "/demo/reports/export");
        assert_eq!(shorten("abcdefghij", 5), "abcd…");
    }
}
