//! Charts drawn as SVG by the page itself: a distribution as bars, and a
//! trend as a line with the n of each point. Each chart is one `role="img"`
//! with a sentence for screen readers, and the page puts a table with the
//! same numbers next to it (also what prints when colours do not).

use leptos::prelude::*;
use shared::api::Bucket;

const BAR: f64 = 28.0;
const GAP: f64 = 6.0;
const HEIGHT: f64 = 120.0;
const LABEL: f64 = 18.0;

/// The distribution of one question's answers as bars, tallest = most.
pub fn histogram(buckets: &[Bucket], summary: String) -> impl IntoView + use<> {
    let most = buckets.iter().map(|b| b.count).max().unwrap_or(0).max(1);
    let width = buckets.len() as f64 * (BAR + GAP) + GAP;
    let bars = buckets
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let x = GAP + i as f64 * (BAR + GAP);
            let h = f64::from(b.count) / f64::from(most) * (HEIGHT - LABEL);
            let y = HEIGHT - h;
            let centre = x + BAR / 2.0;
            view! {
                <rect class="col" x=x y=y width=BAR height=h></rect>
                <text class="count" x=centre y={y - 4.0} text-anchor="middle">{b.count}</text>
                <text class="axis" x=centre y={HEIGHT + LABEL - 4.0} text-anchor="middle">{label(&b.label)}</text>
            }
        })
        .collect_view();
    view! {
        <svg class="chart" viewBox=format!("0 0 {width} {}", HEIGHT + LABEL) role="img" aria-label=summary
            preserveAspectRatio="xMinYMin meet" style=format!("max-width: {}px", width * 1.4)>
            <line class="baseline" x1="0" y1=HEIGHT x2=width y2=HEIGHT></line>
            {bars}
        </svg>
    }
}

/// One point of a trend: its label, its value if shown, and its n.
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    pub label: String,
    pub value: Option<f64>,
    pub n: u32,
}

const STEP: f64 = 90.0;
const PLOT: f64 = 140.0;
const TOP: f64 = 18.0;
const LEFT: f64 = 30.0;

/// Values from `min` to `max` across points, joined where neighbours both
/// have a value; a point with no value leaves a gap and says so below.
pub fn line(points: &[Point], min: f64, max: f64, summary: String) -> impl IntoView + use<> {
    let width = LEFT + STEP * points.len().max(1) as f64;
    let span = (max - min).max(1.0);
    let y_of = |v: f64| TOP + (max - v) / span * PLOT;
    let x_of = |i: usize| LEFT + STEP / 2.0 + i as f64 * STEP;
    let segments = points
        .windows(2)
        .enumerate()
        .filter_map(|(i, w)| {
            let (a, b) = (w[0].value?, w[1].value?);
            Some(view! {
                <line class="trend" x1=x_of(i) y1=y_of(a) x2=x_of(i + 1) y2=y_of(b)></line>
            })
        })
        .collect_view();
    let marks = points
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let x = x_of(i);
            let below = TOP + PLOT + 16.0;
            let dot = p.value.map(|v| {
                view! {
                    <circle class="point" cx=x cy=y_of(v) r="4"></circle>
                    <text class="count" x=x y={y_of(v) - 8.0} text-anchor="middle">{crate::components::format_decimal(v)}</text>
                }
            });
            let n = if p.value.is_some() {
                format!("n = {}", p.n)
            } else {
                crate::i18n::t("charts.not_shown")
            };
            view! {
                {dot}
                <text class="axis" x=x y=below text-anchor="middle">{p.label.clone()}</text>
                <text class="axis muted" x=x y={below + 14.0} text-anchor="middle">{n}</text>
            }
        })
        .collect_view();
    let height = TOP + PLOT + 36.0;
    view! {
        <svg class="chart" viewBox=format!("0 0 {width} {height}") role="img" aria-label=summary
            preserveAspectRatio="xMinYMin meet" style=format!("max-width: {}px", width * 1.4)>
            <text class="axis" x="2" y={y_of(max) + 4.0}>{format!("{max}")}</text>
            <text class="axis" x="2" y={y_of(min) + 4.0}>{format!("{min}")}</text>
            <line class="baseline" x1=LEFT y1={TOP + PLOT} x2=width y2={TOP + PLOT}></line>
            {segments}
            {marks}
        </svg>
    }
}

/// A bucket's label from the server in the reader's language: the answers
/// every template shares, and the built-in templates' choices.
pub fn label(server: &str) -> String {
    match server {
        "yes" => crate::i18n::t("leader.answer_yes"),
        "no" => crate::i18n::t("leader.answer_no"),
        "prefer not to say" => crate::i18n::t("leader.answer_decline"),
        other => crate::i18n::template_text(other),
    }
}
