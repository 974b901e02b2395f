//! The leader's reports bundle (and the manager's page): one round's report (response, anonymous
//! figures as charts with their tables, the breakdown by manager beside each
//! manager's estimate, downloads) and the trend across the leader's rounds.
//! The server decides what may be shown; these pages only draw it.

use leptos::prelude::*;
use leptos_router::components::{Route, Routes};
use leptos_router::path;
use shared::api::{
    Aggregate, AnonymousResult, Bucket, GroupReport, GroupStatus, ManagerEstimate, RoundReport,
    TrendPoint,
};

use crate::api;
use crate::charts::{self, Point};
use crate::components::{figure_summary, format_decimal, format_time};
use crate::i18n::{t, template_text, tf, tn};
use crate::leader::param_id;
use crate::shell::{Bundle, Shell, loaded, set_title};

/// The bundle's root. `/insights/estimate` is the manager's page for a
/// round (`/estimate#m=…` redirects here), opened by their personal link.
#[component]
pub fn InsightsApp() -> impl IntoView {
    if window().location().pathname().as_deref() == Ok("/insights/estimate") {
        let fragment = window().location().hash().unwrap_or_default();
        let page = match crate::checkin::parse_fragment(&fragment) {
            crate::checkin::Link::Manager(token) => {
                view! { <crate::estimate::EstimatePage token /> }.into_any()
            }
            _ => view! { <crate::components::IncompleteLink /> }.into_any(),
        };
        return view! { <main id="main">{page}</main> }.into_any();
    }
    view! {
        <Shell bundle=Bundle::Insights>
            <Routes fallback=|| view! { <h1>{t("insights.not_found")}</h1><p><a href="/" rel="external">{t("insights.back_to_rounds")}</a></p> }>
                <Route path=path!("/insights/rounds/:id") view=ReportPage />
                <Route path=path!("/insights/trends") view=TrendsPage />
                <Route path=path!("/insights/meetings/:id") view=crate::meeting::MeetingPage />
                <Route path=path!("/insights/meetings/:id/history") view=crate::meeting::HistoryPage />
                <Route path=path!("/insights/rounds/:id/themes") view=crate::themes::ThemesPage />
            </Routes>
        </Shell>
    }
    .into_any()
}

#[component]
fn ReportPage() -> impl IntoView {
    let id = param_id();
    let report = LocalResource::new(move || {
        let id = id();
        async move { api::report(&id).await }
    });
    view! { {loaded(report, report_view)} }
}

fn percent(part: u32, whole: u32) -> String {
    if whole == 0 {
        "–".to_owned()
    } else {
        format!("{}%", (f64::from(part) * 100.0 / f64::from(whole)).round())
    }
}

fn report_view(r: RoundReport) -> impl IntoView {
    set_title(&tf("insights.report_title", &[("round", &r.round_name)]));
    let RoundReport {
        round_id,
        round_name,
        k,
        response,
        results,
        groups,
        manager_estimates,
    } = r;
    let waiting = response.respondents.saturating_sub(response.counted);
    let questions: Vec<(String, String)> = results
        .iter()
        .map(|r| (r.question_id.clone(), template_text(&r.prompt)))
        .collect();
    let figures = results.into_iter().map(|r| figure(r, "all")).collect_view();
    let estimates = estimates_view(&manager_estimates, &groups);
    let k = k.to_string();
    view! {
        <p><a href=format!("/rounds/{round_id}") rel="external">{format!("← {round_name}")}</a></p>
        <h1>{tf("insights.report_title", &[("round", &round_name)])}</h1>
        <p class="meta">{tf("insights.report_meta", &[("k", &k)])}</p>
        <section aria-labelledby="response">
            <h2 id="response">{t("insights.response")}</h2>
            <dl class="stats">
                <div><dt>{t("insights.meetings_planned")}</dt><dd>{response.planned}</dd></div>
                <div><dt>{t("insights.checkins_sent")}</dt><dd>{format!("{} ({})", response.submitted, percent(response.submitted, response.planned))}</dd></div>
                <div><dt>{t("insights.anonymous_answers")}</dt><dd>{format!("{} ({})", response.respondents, percent(response.respondents, response.planned))}</dd></div>
                <div><dt>{t("insights.counted_in_figures")}</dt><dd>{response.counted}</dd></div>
            </dl>
            {(waiting > 0).then(|| view! {
                <p class="muted">{tn("insights.waiting", waiting as usize, &[("k", &k)])}</p>
            })}
            <p class="downloads">
                {t("insights.download_report")}
                <a href=format!("/api/rounds/{round_id}/report.csv") download="">"CSV"</a>
                " · "
                <a href=format!("/api/rounds/{round_id}/report.json") download="">"JSON"</a>
            </p>
        </section>
        <section aria-labelledby="whole">
            <h2 id="whole">{t("insights.whole_round")}</h2>
            {figures}
        </section>
        <section aria-labelledby="by-manager">
            <h2 id="by-manager">{t("insights.by_manager")}</h2>
            {breakdown(&groups, &questions, &k)}
        </section>
        <section aria-labelledby="beliefs">
            <h2 id="beliefs">{t("insights.beliefs")}</h2>
            {estimates}
            <p><a href=format!("/insights/rounds/{round_id}/themes")>{t("insights.share_themes")}</a></p>
        </section>
    }
}

fn figure(r: AnonymousResult, scope: &str) -> impl IntoView + use<> {
    let summary = figure_summary(&r.result);
    let prompt = template_text(&r.prompt);
    let table_id = format!("t-{scope}-{}", r.question_id);
    let body = match r.result {
        Aggregate::Released { buckets, .. } if !buckets.is_empty() => {
            let chart = charts::histogram(&buckets, format!("{prompt}: {summary}"));
            view! {
                <p>{summary}</p>
                <div class="chart-and-table">
                    {chart}
                    <div class="table-wrap">{bucket_table(buckets, &prompt, table_id)}</div>
                </div>
            }
            .into_any()
        }
        _ => view! { <p class="notice">{summary}</p> }.into_any(),
    };
    view! {
        <section class="figure">
            <h3>{prompt}</h3>
            {body}
        </section>
    }
}

fn bucket_table(buckets: Vec<Bucket>, prompt: &str, id: String) -> impl IntoView + use<> {
    let rows = buckets
        .into_iter()
        .map(
            |b| view! { <tr><th scope="row">{charts::label(&b.label)}</th><td>{b.count}</td></tr> },
        )
        .collect_view();
    view! {
        <table class="distribution" id=id>
            <caption>{tf("insights.people_per_answer", &[("prompt", prompt)])}</caption>
            <thead><tr><th scope="col">{t("insights.answer")}</th><th scope="col">{t("insights.people")}</th></tr></thead>
            <tbody>{rows}</tbody>
        </table>
    }
}

fn status_text(g: &GroupReport, k: &str) -> String {
    match g.status {
        GroupStatus::Shown => String::new(),
        GroupStatus::TooSmall => tf("insights.too_small", &[("k", k)]),
        GroupStatus::Waiting => tf("insights.group_waiting", &[("k", k)]),
        GroupStatus::Hidden => t("insights.hidden"),
    }
}

fn mean_text(results: &[AnonymousResult], id: &str) -> String {
    results
        .iter()
        .find(|r| r.question_id == id)
        .map(|r| match &r.result {
            Aggregate::Released {
                mean: Some(m),
                median,
                ..
            } => match median {
                Some(d) => {
                    let (m, d) = (format_decimal(*m), format_decimal(*d));
                    tf("insights.mean_median", &[("mean", &m), ("median", &d)])
                }
                None => format_decimal(*m),
            },
            Aggregate::Released { .. } => t("insights.too_few_values"),
            Aggregate::Suppressed { .. } => t("insights.not_shown"),
        })
        .unwrap_or_default()
}

/// A manager's estimate against the team's mean, in words.
pub fn gap_text(gap: Option<f64>) -> String {
    match gap {
        None => "–".to_owned(),
        Some(g) if g.abs() < 0.05 => t("insights.gap_same"),
        Some(g) if g > 0.0 => tf("insights.gap_higher", &[("gap", &format_decimal(g))]),
        Some(g) => tf("insights.gap_lower", &[("gap", &format_decimal(-g))]),
    }
}

fn breakdown(
    groups: &[GroupReport],
    questions: &[(String, String)],
    k: &str,
) -> impl IntoView + use<> {
    if groups.is_empty() {
        return view! {
            <p>{t("insights.no_breakdown")}</p>
        }
        .into_any();
    }
    let heads = questions
        .iter()
        .map(|(_, prompt)| view! { <th scope="col">{prompt.clone()}</th> })
        .collect_view();
    let span = questions.len() + 1;
    let rows = groups
        .iter()
        .map(|g| {
            let name = tf("insights.team_of", &[("name", &g.manager_name)]);
            let name = if g.level > 1 {
                format!("↳ {name}")
            } else {
                name
            };
            let estimate = g
                .estimate
                .map_or_else(|| "–".to_owned(), |e| e.get().to_string());
            let cells = if g.status == GroupStatus::Shown {
                let means = questions
                    .iter()
                    .map(|(id, _)| view! { <td>{mean_text(&g.results, id)}</td> })
                    .collect_view();
                view! { <td>{g.n}</td>{means} }.into_any()
            } else {
                view! { <td colspan=span class="suppressed">{status_text(g, k)}</td> }.into_any()
            };
            view! {
                <tr class:sub={g.level > 1} class:suppressed-row={g.status != GroupStatus::Shown}>
                    <th scope="row">{name}</th>
                    <td>{g.planned}</td>
                    {cells}
                    <td>{estimate}</td>
                    <td>{gap_text(g.gap)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <p class="muted">{tf("insights.breakdown_note", &[("k", k)])}</p>
        <div class="table-wrap">
            <table class="breakdown">
                <caption>{t("insights.breakdown_caption")}</caption>
                <thead><tr>
                    <th scope="col">{t("insights.team")}</th>
                    <th scope="col">{t("insights.meetings")}</th>
                    <th scope="col">{t("insights.answers_counted")}</th>
                    {heads}
                    <th scope="col">{t("insights.manager_estimate")}</th>
                    <th scope="col">{t("insights.estimate_against_morale")}</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
    .into_any()
}

fn estimates_view(estimates: &[ManagerEstimate], groups: &[GroupReport]) -> impl IntoView + use<> {
    if estimates.is_empty() {
        return view! { <p>{t("insights.no_estimates")}</p> }.into_any();
    }
    let rows = estimates
        .iter()
        .map(|e| {
            let group = e
                .group_id
                .as_ref()
                .and_then(|id| groups.iter().find(|g| &g.id == id));
            let team = match group {
                Some(g) if g.status == GroupStatus::Shown => mean_text(&g.results, "morale"),
                Some(_) => t("insights.not_shown_see_above"),
                None => t("insights.no_figure_of_its_own"),
            };
            let thinks = e
                .morale
                .map_or_else(|| t("insights.no_estimate_yet"), |s| s.get().to_string());
            view! {
                <tr>
                    <th scope="row">{e.manager_name.clone()}</th>
                    <td>{thinks}</td>
                    <td>{team}</td>
                    <td>{gap_text(group.and_then(|g| g.gap))}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap">
            <table>
                <caption>{t("insights.estimates_caption")}</caption>
                <thead><tr>
                    <th scope="col">{t("insights.manager")}</th><th scope="col">{t("insights.estimate")}</th>
                    <th scope="col">{t("insights.their_team_morale")}</th><th scope="col">{t("insights.gap")}</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
    .into_any()
}

#[component]
fn TrendsPage() -> impl IntoView {
    set_title(&t("insights.trends_title"));
    let points = LocalResource::new(api::trends);
    view! {
        <p><a href="/" rel="external">{t("insights.your_rounds_back")}</a></p>
        <h1>{t("insights.trends_heading")}</h1>
        {loaded(points, trends_view)}
    }
}

fn trends_view(points: Vec<TrendPoint>) -> impl IntoView {
    if points.len() < 2 {
        return view! {
            <p>{t("insights.trend_needs_two")}</p>
        }
        .into_any();
    }
    let mut questions: Vec<(String, String)> = Vec::new();
    for p in &points {
        for f in &p.figures {
            if !questions.iter().any(|(id, _)| *id == f.question_id) {
                questions.push((f.question_id.clone(), template_text(&f.prompt)));
            }
        }
    }
    let charts = questions
        .into_iter()
        .map(|(id, prompt)| {
            let line: Vec<(Point, Option<f64>)> = points
                .iter()
                .map(|p| {
                    let f = p.figures.iter().find(|f| f.question_id == id);
                    (
                        Point {
                            label: p.round_name.clone(),
                            value: f.and_then(|f| f.mean),
                            n: f.map_or(0, |f| f.n),
                        },
                        f.and_then(|f| f.median),
                    )
                })
                .collect();
            let shown = line.iter().filter(|(p, _)| p.value.is_some()).count();
            let (shown, total) = (shown.to_string(), line.len().to_string());
            let args: [(&str, &str); 3] = [("prompt", &prompt), ("shown", &shown), ("total", &total)];
            let summary = tf("insights.trend_summary", &args);
            let rows = line
                .iter()
                .map(|(p, median)| {
                    let mean = p.value.map_or_else(|| t("insights.not_shown"), format_decimal);
                    let median = median.map_or_else(|| "–".to_owned(), format_decimal);
                    view! {
                        <tr><th scope="row">{p.label.clone()}</th><td>{mean}</td><td>{median}</td><td>{p.n}</td></tr>
                    }
                })
                .collect_view();
            let chart_points: Vec<Point> = line.iter().map(|(p, _)| p.clone()).collect();
            view! {
                <section class="figure">
                    <h2>{prompt.clone()}</h2>
                    <div class="chart-and-table">
                        {charts::line(&chart_points, 1.0, 10.0, summary)}
                        <div class="table-wrap">
                            <table class="distribution">
                                <caption>{tf("insights.per_round", &[("prompt", &prompt)])}</caption>
                                <thead><tr><th scope="col">{t("insights.round")}</th><th scope="col">{t("insights.mean")}</th><th scope="col">{t("insights.median")}</th><th scope="col">{t("insights.people")}</th></tr></thead>
                                <tbody>{rows}</tbody>
                            </table>
                        </div>
                    </div>
                </section>
            }
        })
        .collect_view();
    let mut managers: Vec<(String, String)> = Vec::new();
    for p in &points {
        for g in &p.groups {
            if !managers.iter().any(|(id, _)| *id == g.id) {
                managers.push((g.id.clone(), g.manager_name.clone()));
            }
        }
    }
    let round_heads = points
        .iter()
        .map(|p| view! { <th scope="col">{p.round_name.clone()}<br /><span class="muted">{format_time(p.at)}</span></th> })
        .collect_view();
    let team_rows = managers
        .iter()
        .map(|(id, name)| {
            let cells = points
                .iter()
                .map(|p| {
                    let cell = p.groups.iter().find(|g| g.id == *id).map_or_else(
                        || t("insights.not_shown"),
                        |g| {
                            g.mean
                                .map_or_else(|| "–".to_owned(), |m| format!("{} (n = {})", format_decimal(m), g.n))
                        },
                    );
                    view! { <td>{cell}</td> }
                })
                .collect_view();
            view! { <tr><th scope="row">{tf("insights.team_of", &[("name", name)])}</th>{cells}</tr> }
        })
        .collect_view();
    let teams = if managers.is_empty() {
        view! { <p>{t("insights.no_team_figures")}</p> }.into_any()
    } else {
        view! {
            <div class="table-wrap">
                <table>
                    <caption>{t("insights.teams_caption")}</caption>
                    <thead><tr><th scope="col">{t("insights.team")}</th>{round_heads}</tr></thead>
                    <tbody>{team_rows}</tbody>
                </table>
            </div>
        }
        .into_any()
    };
    let round_rows = points
        .iter()
        .map(|p| {
            let r = p.response;
            view! {
                <tr>
                    <th scope="row">{p.round_name.clone()}</th>
                    <td>{r.planned}</td>
                    <td>{format!("{} ({})", r.submitted, percent(r.submitted, r.planned))}</td>
                    <td>{format!("{} ({})", r.respondents, percent(r.respondents, r.planned))}</td>
                    <td>{r.counted}</td>
                    <td><a href=format!("/insights/rounds/{}", p.round_id)>{t("insights.report")}</a></td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section aria-labelledby="rounds">
            <h2 id="rounds">{t("insights.every_round")}</h2>
            <div class="table-wrap">
                <table>
                    <caption>{t("insights.response_per_round")}</caption>
                    <thead><tr>
                        <th scope="col">{t("insights.round")}</th><th scope="col">{t("insights.meetings")}</th><th scope="col">{t("insights.checkins_sent")}</th>
                        <th scope="col">{t("insights.anonymous_answers")}</th><th scope="col">{t("insights.counted")}</th><th scope="col">{t("insights.figures")}</th>
                    </tr></thead>
                    <tbody>{round_rows}</tbody>
                </table>
            </div>
        </section>
        <p class="downloads">
            {t("insights.download_trend")}
            <a href="/api/trends.csv" download="">"CSV"</a>
            " · "
            <a href="/api/trends" download="trend.json">"JSON"</a>
        </p>
        {charts}
        <section aria-labelledby="teams">
            <h2 id="teams">{t("insights.morale_by_team")}</h2>
            {teams}
        </section>
    }
    .into_any()
}
