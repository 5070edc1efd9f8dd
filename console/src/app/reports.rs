//! The Reports page: period and slice pickers, the headline metrics, SVG charts
//! (escalation and deflection rates over time, volume, bars by slice, the funnel
//! from suggestion to deflection to a person), the tables with their CSV
//! downloads, the over-/under-triggering review and the replay of a proposed
//! matrix. Every number and every shape comes from `crate::reports` and
//! `crate::chart`; this file only renders them.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::Console;
use super::state::now_ms;
use crate::api;
use crate::chart::{BarChart, Funnel, LineChart, WIDTH};
use crate::reports::{
    self, Dimension, MetricsReport, PeriodPreset, ReplayComparison, ReviewReport, SliceMetric,
    csv_link, maybe_duration, mean, rate, report_query, timestamp,
};

/// The page.
#[component]
pub fn Reports(console: Console) -> impl IntoView {
    let preset = RwSignal::new(PeriodPreset::Month);
    let slice = RwSignal::new(Dimension::Tier);
    let metric = RwSignal::new(SliceMetric::EscalationRate);
    let range = RwSignal::new(PeriodPreset::Month.range(now_ms()));
    let metrics = RwSignal::new(None::<Result<MetricsReport, String>>);
    let review = RwSignal::new(None::<Result<ReviewReport, String>>);
    let generation = StoredValue::new(0u32);
    let base = console.site_path().unwrap_or_default();
    let load_base = base.clone();
    Effect::new(move |_| {
        let period = range.get();
        let dimension = slice.get();
        let base = load_base.clone();
        let this = generation.get_value() + 1;
        generation.set_value(this);
        metrics.set(None);
        spawn_local(async move {
            let answer = api::get::<MetricsReport>(&format!(
                "{base}/reports/metrics?{}",
                report_query(period, Some(dimension))
            ))
            .await
            .map_err(|e| e.message);
            if generation.get_value() == this {
                metrics.set(Some(answer));
            }
        });
    });
    let review_base = base.clone();
    Effect::new(move |_| {
        let period = range.get();
        let base = review_base.clone();
        review.set(None);
        spawn_local(async move {
            let answer = api::get::<ReviewReport>(&format!(
                "{base}/reports/review?{}",
                report_query(period, None)
            ))
            .await
            .map_err(|e| e.message);
            if range.get_untracked() == period {
                review.set(Some(answer));
            }
        });
    });
    let replays = console
        .user()
        .is_some_and(|u| u.role != crate::model::Role::Agent);
    let links_base = base.clone();
    let slices_csv = move || {
        csv_link(
            &links_base,
            "metrics",
            &report_query(range.get(), Some(slice.get())),
            "slices",
        )
    };
    let series_base = base.clone();
    let series_csv = move || {
        csv_link(
            &series_base,
            "metrics",
            &report_query(range.get(), None),
            "series",
        )
    };
    let review_links = base.clone();
    let triggers_csv = move || {
        csv_link(
            &review_links,
            "review",
            &report_query(range.get(), None),
            "triggers",
        )
    };
    let under_links = base.clone();
    let under_csv = move || {
        csv_link(
            &under_links,
            "review",
            &report_query(range.get(), None),
            "under",
        )
    };
    view! {
        <section class="reports" id="reports" aria-label="Reports">
            <div class="reports-head">
                <h1>"Reports"</h1>
                <div class="reports-pickers">
                    <label class="inline">"Period"
                        <select id="report-period" on:change=move |ev| {
                            if let Some(p) = PeriodPreset::from_key(&event_target_value(&ev)) {
                                preset.set(p);
                                range.set(p.range(now_ms()));
                            }
                        }>
                            {PeriodPreset::ALL.into_iter().map(|p| view! {
                                <option value=p.key() selected=move || preset.get() == p>{p.label()}</option>
                            }).collect_view()}
                        </select>
                    </label>
                    <label class="inline">"Slice by"
                        <select id="report-slice" on:change=move |ev| {
                            if let Some(d) = Dimension::from_key(&event_target_value(&ev)) {
                                slice.set(d);
                            }
                        }>
                            {Dimension::ALL.into_iter().map(|d| view! {
                                <option value=d.key() selected=move || slice.get() == d>{d.label()}</option>
                            }).collect_view()}
                        </select>
                    </label>
                </div>
            </div>
            {move || match metrics.get() {
                None => view! { <p class="muted" role="status">"Computing the metrics…"</p> }.into_any(),
                Some(Err(message)) => view! { <p class="form-error" role="alert">{message}</p> }.into_any(),
                Some(Ok(report)) => view! {
                    <MetricsView console report slice=slice.get_untracked() metric
                        slices_csv=slices_csv() series_csv=series_csv() />
                }.into_any(),
            }}
            <section class="report-card" aria-labelledby="review-title">
                <div class="card-head">
                    <h2 id="review-title">"Over- and under-triggering"</h2>
                </div>
                {move || match review.get() {
                    None => view! { <p class="muted">"Reviewing the rules…"</p> }.into_any(),
                    Some(Err(message)) => view! { <p class="form-error" role="alert">{message}</p> }.into_any(),
                    Some(Ok(report)) => view! {
                        <ReviewView report triggers_csv=triggers_csv() under_csv=under_csv() />
                    }.into_any(),
                }}
            </section>
            <Show when=move || replays>
                <ReplayView base=base.clone() range />
            </Show>
        </section>
    }
}

#[component]
fn MetricsView(
    console: Console,
    report: MetricsReport,
    slice: Dimension,
    metric: RwSignal<SliceMetric>,
    slices_csv: String,
    series_csv: String,
) -> impl IntoView {
    let headlines = report
        .headlines()
        .into_iter()
        .map(|(label, value, detail)| {
            view! {
                <div class="headline">
                    <div class="headline-label">{label}</div>
                    <div class="headline-value">{value}</div>
                    <div class="headline-detail">{detail}</div>
                </div>
            }
        })
        .collect_view();
    let rates = report.rate_chart();
    let volume = report.volume_chart();
    let funnel = report.funnel_chart();
    let name_of = move |key: &str| match slice {
        Dimension::Agent => console.name_of(key).unwrap_or_else(|| key.to_owned()),
        Dimension::Hour => format!("{key}:00"),
        _ => key.to_owned(),
    };
    let bar_report = report.clone();
    let bars = move || bar_report.slice_chart(metric.get(), name_of);
    let rows = report
        .slices
        .iter()
        .map(|s| {
            let m = &s.metrics;
            view! {
                <tr>
                    <th scope="row">{name_of(&s.key)}</th>
                    <td>{m.tickets}</td>
                    <td>{rate(m.escalation_rate)}</td>
                    <td>{maybe_duration(m.time_to_escalation_ms)}</td>
                    <td>{rate(m.ack_sla_met)}</td>
                    <td>{rate(m.resolution_sla_met)}</td>
                    <td>{maybe_duration(m.post_escalation_resolution_ms)}</td>
                    <td>{rate(m.first_contact_resolution)}</td>
                    <td>{mean(m.multi_turn_depth)}</td>
                    <td>{rate(m.deflection_rate)}</td>
                    <td>{mean(m.csat_escalated)}</td>
                    <td>{mean(m.csat_not_escalated)}</td>
                </tr>
            }
        })
        .collect_view();
    let truncated = report.truncated.then(|| {
        view! {
            <p class="flash error" role="status">
                {format!("This period holds more than a report reads: it covers up to {}.", timestamp(report.covered_until_ms))}
            </p>
        }
    });
    view! {
        {truncated}
        <div class="headlines">{headlines}</div>
        <div class="report-grid">
            <section class="report-card" aria-labelledby="rates-title">
                <div class="card-head">
                    <h2 id="rates-title">"Escalation and deflection rate"</h2>
                    <a class="csv" href={series_csv.clone()} download="metrics-series.csv">"CSV"</a>
                </div>
                <LineView chart=rates id="chart-rates" label="Escalation rate and deflection rate over the period" />
            </section>
            <section class="report-card" aria-labelledby="funnel-title">
                <div class="card-head"><h2 id="funnel-title">"From suggestion to a person"</h2></div>
                <FunnelView funnel />
            </section>
            <section class="report-card" aria-labelledby="volume-title">
                <div class="card-head">
                    <h2 id="volume-title">"Volume"</h2>
                    <a class="csv" href=series_csv download="metrics-series.csv">"CSV"</a>
                </div>
                <LineView chart=volume id="chart-volume" label="Tickets and suggestion sets over the period" />
            </section>
            <section class="report-card" aria-labelledby="slices-title">
                <div class="card-head">
                    <h2 id="slices-title">{format!("By {}", slice.label().to_lowercase())}</h2>
                    <select id="report-metric" aria-label="Metric of the bars" on:change=move |ev| {
                        if let Some(m) = SliceMetric::from_key(&event_target_value(&ev)) {
                            metric.set(m);
                        }
                    }>
                        {SliceMetric::ALL.into_iter().map(|m| view! {
                            <option value=m.key() selected=move || metric.get_untracked() == m>{m.label()}</option>
                        }).collect_view()}
                    </select>
                </div>
                {move || view! { <BarView chart=bars() label={format!("{} by {}", metric.get().label(), slice.label().to_lowercase())} /> }}
            </section>
        </div>
        <section class="report-card" aria-labelledby="table-title">
            <div class="card-head">
                <h2 id="table-title">{format!("Every metric by {}", slice.label().to_lowercase())}</h2>
                <a class="csv" id="csv-slices" href=slices_csv download="metrics.csv">"Download CSV"</a>
            </div>
            <div class="table-scroll">
                <table class="report-table" id="slice-table">
                    <thead><tr>
                        <th scope="col">{slice.label()}</th><th scope="col">"Tickets"</th>
                        <th scope="col">"Escalation rate"</th><th scope="col">"Time to escalation"</th>
                        <th scope="col">"Ack SLA met"</th><th scope="col">"Resolution SLA met"</th>
                        <th scope="col">"Resolution after escalation"</th><th scope="col">"First-contact resolution"</th>
                        <th scope="col">"Turns"</th><th scope="col">"Deflection"</th>
                        <th scope="col">"CSAT escalated"</th><th scope="col">"CSAT not escalated"</th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </section>
    }
}

#[component]
fn LineView(chart: LineChart, id: &'static str, label: &'static str) -> impl IntoView {
    let right = chart.right();
    let bottom = chart.bottom();
    let left = chart.margins.left;
    let legend = chart
        .lines
        .iter()
        .map(|line| {
            view! { <span class="legend-item"><span class={format!("swatch {}", line.class)}></span>{line.name.clone()}</span> }
        })
        .collect_view();
    let y_ticks = chart
        .y_ticks
        .iter()
        .map(|tick| {
            view! {
                <g class="tick">
                    <line x1=left x2=right y1=tick.at y2=tick.at class="grid" />
                    <text x={left - 6.0} y={tick.at + 4.0} text-anchor="end">{tick.label.clone()}</text>
                </g>
            }
        })
        .collect_view();
    let x_ticks = chart
        .x_ticks
        .iter()
        .map(|tick| {
            view! { <text class="tick" x=tick.at y={bottom + 18.0} text-anchor="middle">{tick.label.clone()}</text> }
        })
        .collect_view();
    let lines = chart
        .lines
        .iter()
        .map(|line| {
            let points = line
                .points
                .iter()
                .map(|p| {
                    view! { <circle cx=p.x cy=p.y r="3.5" class={format!("dot {}", line.class)}><title>{p.title.clone()}</title></circle> }
                })
                .collect_view();
            view! {
                <g>
                    <path d=line.path.clone() class={format!("line {}", line.class)} fill="none" />
                    {points}
                </g>
            }
        })
        .collect_view();
    view! {
        <div class="legend">{legend}</div>
        <svg class="chart" id=id viewBox={format!("0 0 {WIDTH} {}", chart.height)} role="img" aria-label=label>
            {y_ticks}
            <line x1=left x2=right y1=bottom y2=bottom class="axis" />
            {x_ticks}
            {lines}
        </svg>
    }
}

#[component]
fn BarView(chart: BarChart, label: String) -> impl IntoView {
    let bottom = chart.bottom();
    let left = chart.margins.left;
    let ticks = chart
        .x_ticks
        .iter()
        .map(|tick| {
            view! {
                <g class="tick">
                    <line x1=tick.at x2=tick.at y1=chart.margins.top y2=bottom class="grid" />
                    <text x=tick.at y={bottom + 16.0} text-anchor="middle">{tick.label.clone()}</text>
                </g>
            }
        })
        .collect_view();
    let bars = chart
        .bars
        .iter()
        .map(|bar| {
            view! {
                <g class="bar-row">
                    <title>{bar.title.clone()}</title>
                    <text class="bar-label" x={left - 8.0} y={bar.y + bar.thickness * 0.7} text-anchor="end">{bar.label.clone()}</text>
                    <rect class="bar" x=bar.x y=bar.y width=bar.width height=bar.thickness rx="3" />
                    <text class="bar-value" x={bar.x + bar.width + 6.0} y={bar.y + bar.thickness * 0.7}>{bar.value.clone()}</text>
                </g>
            }
        })
        .collect_view();
    let empty = chart
        .bars
        .is_empty()
        .then(|| view! { <p class="muted">"Nothing in this period."</p> });
    view! {
        {empty}
        <svg class="chart" id="chart-slices" viewBox={format!("0 0 {WIDTH} {}", chart.height)} role="img" aria-label=label>
            {ticks}
            <line x1=left x2=left y1=chart.margins.top y2=bottom class="axis" />
            {bars}
        </svg>
    }
}

#[component]
fn FunnelView(funnel: Funnel) -> impl IntoView {
    let stages = funnel
        .stages
        .iter()
        .map(|stage| {
            view! {
                <g class="funnel-stage">
                    <title>{stage.title.clone()}</title>
                    <rect class={format!("funnel-bar {}", stage.class)} x=stage.x y=stage.y
                        width=stage.width height=stage.thickness rx="4" />
                    <text class="funnel-label" x="8" y={stage.y + stage.thickness * 0.62}>{stage.label.clone()}</text>
                    <text class="funnel-count" x={WIDTH - 8.0} y={stage.y + stage.thickness * 0.62} text-anchor="end">
                        {format!("{} · {}", stage.count, stage.share)}
                    </text>
                </g>
            }
        })
        .collect_view();
    view! {
        <svg class="chart" id="chart-funnel" viewBox={format!("0 0 {WIDTH} {}", funnel.height)} role="img"
            aria-label="Suggestion sets shown, those that solved it, and those after which a person was needed">
            {stages}
        </svg>
    }
}

#[component]
fn ReviewView(report: ReviewReport, triggers_csv: String, under_csv: String) -> impl IntoView {
    let triggers = report
        .triggers
        .iter()
        .map(|t| {
            let examples = t
                .examples
                .iter()
                .map(|e| view! { <li><code>{e.ticket_id.clone()}</code>" " {e.what.clone()}</li> })
                .collect_view();
            view! {
                <tr>
                    <th scope="row"><span class="source">{t.source.clone()}</span>" "{t.trigger.clone()}</th>
                    <td>{t.fired}</td>
                    <td>{t.rerouted}</td>
                    <td>{t.dismissed}</td>
                    <td>{rate(t.over_rate)}</td>
                    <td><ul class="examples">{examples}</ul></td>
                </tr>
            }
        })
        .collect_view();
    let under = report
        .under_examples
        .iter()
        .map(|u| {
            view! {
                <tr>
                    <td>{u.kind.replace('_', " ")}</td>
                    <td><code>{u.ticket_id.clone()}</code></td>
                    <td>{u.subject.clone()}</td>
                    <td>{u.tier.clone()}</td>
                    <td>{timestamp(u.at_ms)}</td>
                    <td>{u.what.clone()}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <p class="muted review-summary">
            {format!(
                "{} tickets reviewed: {} escalated by hand before any rule, {} breached an SLA before any rule fired ({} under-triggered).",
                report.tickets, report.escalated_by_hand, report.breached_without_rule, rate(report.under_rate)
            )}
        </p>
        <div class="card-head">
            <h2>"Rules and early warnings (over-triggering)"</h2>
            <a class="csv" href=triggers_csv download="review-triggers.csv">"Download CSV"</a>
        </div>
        <div class="table-scroll">
            <table class="report-table" id="review-triggers">
                <thead><tr>
                    <th scope="col">"Trigger"</th><th scope="col">"Fired"</th><th scope="col">"Re-routed"</th>
                    <th scope="col">"Dismissed"</th><th scope="col">"Over-triggered"</th><th scope="col">"Examples"</th>
                </tr></thead>
                <tbody>{triggers}</tbody>
            </table>
        </div>
        <div class="card-head">
            <h2>"Tickets no rule caught (under-triggering)"</h2>
            <a class="csv" href=under_csv download="review-under.csv">"Download CSV"</a>
        </div>
        <div class="table-scroll">
            <table class="report-table" id="review-under">
                <thead><tr>
                    <th scope="col">"Why"</th><th scope="col">"Ticket"</th><th scope="col">"Subject"</th>
                    <th scope="col">"Tier"</th><th scope="col">"When (UTC)"</th><th scope="col">"What happened"</th>
                </tr></thead>
                <tbody>{under}</tbody>
            </table>
        </div>
    }
}

#[component]
fn ReplayView(base: String, range: RwSignal<(i64, i64)>) -> impl IntoView {
    let source = RwSignal::new(String::new());
    let result = RwSignal::new(None::<Result<ReplayComparison, String>>);
    let busy = RwSignal::new(false);
    let matrix_base = base.clone();
    spawn_local(async move {
        if let Ok(value) = api::get::<serde_json::Value>(&format!("{matrix_base}/matrix")).await {
            let text = value
                .get("source")
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_owned();
            source.set(text);
        }
    });
    let run = move |_| {
        let (from_ms, to_ms) = range.get_untracked();
        let body = serde_json::json!({"matrix": source.get_untracked(), "from_ms": from_ms, "to_ms": to_ms});
        let base = base.clone();
        busy.set(true);
        spawn_local(async move {
            let answer = api::send::<ReplayComparison>(
                "POST",
                &format!("{base}/reports/replay"),
                Some(&body),
            )
            .await
            .map_err(|e| e.message);
            result.set(Some(answer));
            busy.set(false);
        });
    };
    view! {
        <section class="report-card" aria-labelledby="replay-title">
            <div class="card-head"><h2 id="replay-title">"Replay a proposed matrix over this period"</h2></div>
            <p class="muted">"Edit the site's matrix below and replay the period's tickets through both: each ticket is evaluated as it stood while still at the first tier, and compared with what agents did."</p>
            <textarea id="replay-matrix" class="matrix-source" rows="12" aria-label="Proposed matrix (TOML)"
                placeholder="Paste the proposed escalation matrix (TOML) here."
                prop:value=move || source.get()
                on:input=move |ev| source.set(event_target_value(&ev))></textarea>
            <button class="primary" id="replay-run" on:click=run disabled=move || busy.get()>
                {move || if busy.get() { "Replaying…" } else { "Replay" }}
            </button>
            {move || result.get().map(|answer| match answer {
                Err(message) => view! { <p class="form-error" role="alert">{message}</p> }.into_any(),
                Ok(comparison) => view! { <ReplayResult comparison /> }.into_any(),
            })}
        </section>
    }
}

#[component]
fn ReplayResult(comparison: ReplayComparison) -> impl IntoView {
    let csv = reports::replay_csv(&comparison);
    let href = format!(
        "data:text/csv;charset=utf-8,{}",
        String::from(js_sys::encode_uri_component(&csv))
    );
    let summary = |name: &'static str, s: &reports::ReplaySummary| {
        view! {
            <tr>
                <th scope="row">{name}</th>
                <td>{s.escalations}</td>
                <td>{s.agrees}</td>
                <td>{s.over_triggered}</td>
                <td>{s.under_triggered}</td>
                <td>{s.without_decision}</td>
            </tr>
        }
    };
    let changes = comparison
        .changes
        .iter()
        .map(|c| {
            view! {
                <tr>
                    <td><code>{c.ticket_id.clone()}</code></td>
                    <td>{c.subject.clone()}</td>
                    <td>{c.actual_tier.clone().unwrap_or_else(|| "not escalated".into())}</td>
                    <td>{c.current_action.clone()}" "<span class="muted">{c.current_rule.clone().unwrap_or_default()}</span></td>
                    <td>{c.proposed_action.clone()}" "<span class="muted">{c.proposed_rule.clone().unwrap_or_default()}</span></td>
                    <td>{c.proposed_verdict.clone().unwrap_or_default().replace('_', " ")}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <p class="muted">{format!("{} tickets replayed{}.", comparison.tickets,
            if comparison.truncated { " (the period's newest)" } else { "" })}</p>
        <table class="report-table" id="replay-summary">
            <thead><tr><th scope="col">"Matrix"</th><th scope="col">"Escalates"</th><th scope="col">"Agrees with agents"</th>
                <th scope="col">"Over"</th><th scope="col">"Under"</th><th scope="col">"Nothing fires"</th></tr></thead>
            <tbody>{summary("Site's matrix", &comparison.current)}{summary("Proposed", &comparison.proposed)}</tbody>
        </table>
        <div class="card-head">
            <h2>{format!("{} tickets would change", comparison.changes.len())}</h2>
            <a class="csv" href=href download="replay-changes.csv">"Download CSV"</a>
        </div>
        <div class="table-scroll">
            <table class="report-table" id="replay-changes">
                <thead><tr><th scope="col">"Ticket"</th><th scope="col">"Subject"</th><th scope="col">"Agents ended at"</th>
                    <th scope="col">"Site's matrix"</th><th scope="col">"Proposed"</th><th scope="col">"Proposed vs agents"</th></tr></thead>
                <tbody>{changes}</tbody>
            </table>
        </div>
    }
}
