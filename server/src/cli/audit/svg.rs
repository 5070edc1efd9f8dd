//! Inline SVG charts for the report: no script, every label escaped, sized by `viewBox` so
//! they scale with the page.

use std::fmt::Write;

use super::html::escape;

/// Series colours (distinguishable in colour-blind palettes), then grey for "other".
pub const PALETTE: [&str; 6] = [
    "#2563eb", "#d97706", "#059669", "#db2777", "#7c3aed", "#9ca3af",
];

/// The colour of lines drawn over bars.
const INK: &str = "#111827";
const WIDTH: f64 = 760.0;
const LEFT: f64 = 44.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 12.0;

/// A round axis maximum at or above `max` and its tick step.
fn axis(max: usize) -> (usize, usize) {
    let max = max.max(1);
    let raw = (max as f64 / 4.0).max(1.0);
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|factor| factor * magnitude)
        .find(|step| *step >= raw)
        .unwrap_or(10.0 * magnitude) as usize;
    let step = step.max(1);
    (max.div_ceil(step) * step, step)
}

/// Weekly stacked bars (one layer per series, bottom first) with a line over them.
pub fn weekly_stacked(
    labels: &[String],
    layers: &[(String, Vec<usize>)],
    line: Option<(&str, &[usize])>,
    title: &str,
) -> String {
    let height = 260.0;
    let bottom = 46.0;
    let plot_height = height - TOP - bottom;
    let plot_width = WIDTH - LEFT - RIGHT;
    let weeks = labels.len().max(1);
    let totals: Vec<usize> = (0..labels.len())
        .map(|week| layers.iter().map(|(_, values)| values[week]).sum())
        .collect();
    let line_max = line.map(|(_, values)| values.iter().copied().max().unwrap_or(0));
    let (max, step) = axis(
        totals
            .iter()
            .copied()
            .max()
            .unwrap_or(0)
            .max(line_max.unwrap_or(0)),
    );
    let y = |value: usize| TOP + plot_height - value as f64 / max as f64 * plot_height;
    let slot = plot_width / weeks as f64;
    let bar = (slot * 0.72).max(1.0);
    let mut svg = open(height, title);
    grid(&mut svg, max, step, &y);
    for (week, label) in labels.iter().enumerate() {
        let x = LEFT + slot * week as f64 + (slot - bar) / 2.0;
        let mut base = 0;
        for (layer, (name, values)) in layers.iter().enumerate() {
            let value = values[week];
            if value == 0 {
                continue;
            }
            let _ = write!(
                svg,
                r#"<rect x="{x:.1}" y="{:.1}" width="{bar:.1}" height="{:.1}" fill="{}"><title>{}: {} — {value}</title></rect>"#,
                y(base + value),
                y(base) - y(base + value),
                PALETTE[layer.min(PALETTE.len() - 1)],
                escape(label),
                escape(name),
            );
            base += value;
        }
        let every = weeks.div_ceil(8);
        if week % every == 0 {
            let _ = write!(
                svg,
                r#"<text x="{:.1}" y="{:.1}" class="tick" text-anchor="middle">{}</text>"#,
                x + bar / 2.0,
                TOP + plot_height + 16.0,
                escape(label)
            );
        }
    }
    if let Some((name, values)) = line {
        let points: Vec<String> = values
            .iter()
            .enumerate()
            .map(|(week, &value)| {
                format!("{:.1},{:.1}", LEFT + slot * (week as f64 + 0.5), y(value))
            })
            .collect();
        let _ = write!(
            svg,
            r#"<polyline points="{}" fill="none" stroke="{INK}" stroke-width="2" stroke-dasharray="5 3"><title>{}</title></polyline>"#,
            points.join(" "),
            escape(name)
        );
    }
    let mut legend: Vec<(String, &str)> = layers
        .iter()
        .enumerate()
        .map(|(layer, (name, _))| (name.clone(), PALETTE[layer.min(PALETTE.len() - 1)]))
        .collect();
    if let Some((name, _)) = line {
        legend.push((format!("— {name}"), INK));
    }
    let mut x = LEFT;
    for (name, colour) in legend {
        let shown: String = name.chars().take(28).collect();
        let shown = if shown.len() < name.len() {
            format!("{shown}…")
        } else {
            shown
        };
        let _ = write!(
            svg,
            r#"<rect x="{x:.1}" y="{:.1}" width="10" height="10" fill="{colour}"/><text x="{:.1}" y="{:.1}" class="legend">{}</text>"#,
            height - 16.0,
            x + 14.0,
            height - 7.0,
            escape(&shown)
        );
        x += 24.0 + shown.chars().count() as f64 * 6.2;
    }
    svg.push_str("</svg>");
    svg
}

/// Horizontal bars, one per row: label on the left, value after the bar; a marked row is
/// drawn in the second colour (e.g. "the knowledge base has an answer").
pub fn horizontal_bars(rows: &[(String, usize, bool)], title: &str) -> String {
    let row_height = 24.0;
    let label_width = 300.0;
    let height = TOP * 2.0 + row_height * rows.len().max(1) as f64;
    let max = rows.iter().map(|row| row.1).max().unwrap_or(0).max(1);
    let bar_space = WIDTH - label_width - 60.0;
    let mut svg = open(height, title);
    for (index, (label, value, marked)) in rows.iter().enumerate() {
        let y = TOP + row_height * index as f64;
        let width = (*value as f64 / max as f64 * bar_space).max(1.0);
        let shown: String = label.chars().take(46).collect();
        let shown = if shown.len() < label.len() {
            format!("{shown}…")
        } else {
            shown
        };
        let colour = if *marked { PALETTE[2] } else { PALETTE[0] };
        let _ = write!(
            svg,
            r#"<text x="{:.1}" y="{:.1}" class="label" text-anchor="end">{}</text><rect x="{label_width:.1}" y="{:.1}" width="{width:.1}" height="{:.1}" fill="{colour}" rx="2"><title>{}: {value}</title></rect><text x="{:.1}" y="{:.1}" class="value">{value}</text>"#,
            label_width - 8.0,
            y + 16.0,
            escape(&shown),
            y + 4.0,
            row_height - 8.0,
            escape(label),
            label_width + width + 6.0,
            y + 16.0,
        );
    }
    svg.push_str("</svg>");
    svg
}

/// Vertical bars with a label under each.
pub fn columns(rows: &[(String, usize)], title: &str) -> String {
    let height = 220.0;
    let bottom = 28.0;
    let plot_height = height - TOP - bottom;
    let plot_width = WIDTH - LEFT - RIGHT;
    let (max, step) = axis(rows.iter().map(|row| row.1).max().unwrap_or(0));
    let y = |value: usize| TOP + plot_height - value as f64 / max as f64 * plot_height;
    let slot = plot_width / rows.len().max(1) as f64;
    let bar = slot * 0.6;
    let mut svg = open(height, title);
    grid(&mut svg, max, step, &y);
    for (index, (label, value)) in rows.iter().enumerate() {
        let x = LEFT + slot * index as f64 + (slot - bar) / 2.0;
        let _ = write!(
            svg,
            r#"<rect x="{x:.1}" y="{:.1}" width="{bar:.1}" height="{:.1}" fill="{}" rx="2"><title>{}: {value}</title></rect><text x="{:.1}" y="{:.1}" class="value" text-anchor="middle">{value}</text><text x="{:.1}" y="{:.1}" class="tick" text-anchor="middle">{}</text>"#,
            y(*value),
            y(0) - y(*value),
            PALETTE[1],
            escape(label),
            x + bar / 2.0,
            y(*value) - 4.0,
            x + bar / 2.0,
            TOP + plot_height + 18.0,
            escape(label),
        );
    }
    svg.push_str("</svg>");
    svg
}

/// A small line of weekly counts for a table cell.
pub fn sparkline(values: &[usize]) -> String {
    let (width, height) = (96.0, 20.0);
    let max = values.iter().copied().max().unwrap_or(0).max(1) as f64;
    let step = width / (values.len().max(2) - 1) as f64;
    let points: Vec<String> = values
        .iter()
        .enumerate()
        .map(|(index, &value)| {
            format!(
                "{:.1},{:.1}",
                index as f64 * step,
                height - 2.0 - value as f64 / max * (height - 4.0)
            )
        })
        .collect();
    format!(
        r#"<svg class="spark" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" aria-label="weekly tickets"><polyline points="{}" fill="none" stroke="{}" stroke-width="1.5"/></svg>"#,
        points.join(" "),
        PALETTE[0]
    )
}

fn open(height: f64, title: &str) -> String {
    format!(
        r#"<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{0}"><title>{0}</title>"#,
        escape(title)
    )
}

fn grid(svg: &mut String, max: usize, step: usize, y: &dyn Fn(usize) -> f64) {
    let mut value = 0;
    while value <= max {
        let _ = write!(
            svg,
            r#"<line x1="{LEFT}" x2="{:.1}" y1="{:.1}" y2="{:.1}" class="grid"/><text x="{:.1}" y="{:.1}" class="tick" text-anchor="end">{value}</text>"#,
            WIDTH - RIGHT,
            y(value),
            y(value),
            LEFT - 6.0,
            y(value) + 4.0,
        );
        value += step;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axes_round_up() {
        assert_eq!(axis(0), (1, 1));
        assert_eq!(axis(7), (8, 2));
        assert_eq!(axis(230), (300, 100));
    }

    #[test]
    fn labels_are_escaped() {
        let svg = horizontal_bars(&[("<script>".to_owned(), 3, false)], "t & u");
        assert!(!svg.contains("<script>"), "{svg}");
        assert!(svg.contains("&lt;script&gt;"));
        assert!(svg.contains("t &amp; u"));
    }
}
