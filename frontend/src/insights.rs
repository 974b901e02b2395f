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
use crate::components::{figure_summary, format_time};
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
            <Routes fallback=|| view! { <h1>"Not found"</h1><p><a href="/" rel="external">"Back to your rounds"</a></p> }>
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
    set_title(&format!("Report: {}", r.round_name));
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
        .map(|r| (r.question_id.clone(), r.prompt.clone()))
        .collect();
    let figures = results.into_iter().map(|r| figure(r, "all")).collect_view();
    let estimates = estimates_view(&manager_estimates, &groups);
    view! {
        <p><a href=format!("/rounds/{round_id}") rel="external">{format!("← {round_name}")}</a></p>
        <h1>{format!("Report: {round_name}")}</h1>
        <p class="meta">{format!(
            "Anonymous figures need at least {k} people and move only in steps of {k}, so no one's answer can be singled out."
        )}</p>
        <section aria-labelledby="response">
            <h2 id="response">"Response"</h2>
            <dl class="stats">
                <div><dt>"Meetings planned"</dt><dd>{response.planned}</dd></div>
                <div><dt>"Check-ins sent"</dt><dd>{format!("{} ({})", response.submitted, percent(response.submitted, response.planned))}</dd></div>
                <div><dt>"Anonymous answers"</dt><dd>{format!("{} ({})", response.respondents, percent(response.respondents, response.planned))}</dd></div>
                <div><dt>"Counted in the figures"</dt><dd>{response.counted}</dd></div>
            </dl>
            {(waiting > 0).then(|| view! {
                <p class="muted">{format!(
                    "{waiting} answers wait, sealed, until their group has {k} to count at once."
                )}</p>
            })}
            <p class="downloads">
                "Download what this page shows: "
                <a href=format!("/api/rounds/{round_id}/report.csv") download="">"CSV"</a>
                " · "
                <a href=format!("/api/rounds/{round_id}/report.json") download="">"JSON"</a>
            </p>
        </section>
        <section aria-labelledby="whole">
            <h2 id="whole">"The whole round"</h2>
            {figures}
        </section>
        <section aria-labelledby="by-manager">
            <h2 id="by-manager">"By manager"</h2>
            {breakdown(&groups, &questions, k)}
        </section>
        <section aria-labelledby="beliefs">
            <h2 id="beliefs">"What managers believe"</h2>
            {estimates}
            <p><a href=format!("/insights/rounds/{round_id}/themes")>"Share the broad themes with the managers"</a></p>
        </section>
    }
}

fn figure(r: AnonymousResult, scope: &str) -> impl IntoView + use<> {
    let summary = figure_summary(&r.result);
    let table_id = format!("t-{scope}-{}", r.question_id);
    let body = match r.result {
        Aggregate::Released { buckets, .. } if !buckets.is_empty() => {
            let chart = charts::histogram(&buckets, format!("{}: {summary}", r.prompt));
            view! {
                <p>{summary}</p>
                <div class="chart-and-table">
                    {chart}
                    <div class="table-wrap">{bucket_table(buckets, &r.prompt, table_id)}</div>
                </div>
            }
            .into_any()
        }
        _ => view! { <p class="notice">{summary}</p> }.into_any(),
    };
    view! {
        <section class="figure">
            <h3>{r.prompt.clone()}</h3>
            {body}
        </section>
    }
}

fn bucket_table(buckets: Vec<Bucket>, prompt: &str, id: String) -> impl IntoView + use<> {
    let rows = buckets
        .into_iter()
        .map(|b| view! { <tr><th scope="row">{b.label}</th><td>{b.count}</td></tr> })
        .collect_view();
    view! {
        <table class="distribution" id=id>
            <caption>{format!("{prompt}: people per answer")}</caption>
            <thead><tr><th scope="col">"Answer"</th><th scope="col">"People"</th></tr></thead>
            <tbody>{rows}</tbody>
        </table>
    }
}

fn status_text(g: &GroupReport, k: u32) -> String {
    match g.status {
        GroupStatus::Shown => String::new(),
        GroupStatus::TooSmall => format!(
            "Fewer than {k} of this team meet you this round: their answers count with the whole round."
        ),
        GroupStatus::Waiting => format!("Not shown until {k} of this team's answers are counted."),
        GroupStatus::Hidden => {
            "Hidden: another team beside it is not shown, and this one would give it away."
                .to_owned()
        }
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
                Some(d) => format!("{m:.1} (median {d:.1})"),
                None => format!("{m:.1}"),
            },
            Aggregate::Released { .. } => "too few values".to_owned(),
            Aggregate::Suppressed { .. } => "not shown".to_owned(),
        })
        .unwrap_or_default()
}

/// A manager's estimate against the team's mean, in words.
pub fn gap_text(gap: Option<f64>) -> String {
    match gap {
        None => "–".to_owned(),
        Some(g) if g.abs() < 0.05 => "the same".to_owned(),
        Some(g) if g > 0.0 => format!("thinks {g:.1} higher"),
        Some(g) => format!("thinks {:.1} lower", -g),
    }
}

fn breakdown(
    groups: &[GroupReport],
    questions: &[(String, String)],
    k: u32,
) -> impl IntoView + use<> {
    if groups.is_empty() {
        return view! {
            <p>"No team below your direct reports has meetings in this round, so there is no breakdown."</p>
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
            let name = if g.level > 1 {
                format!("↳ Team of {}", g.manager_name)
            } else {
                format!("Team of {}", g.manager_name)
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
        <p class="muted">{format!(
            "Each answer counts in the smallest team that has at least {k} people meeting you this round, fixed when it is given. When a team is not shown, the next-smallest is hidden too, so the whole round minus the teams shown never singles anyone out."
        )}</p>
        <div class="table-wrap">
            <table class="breakdown">
                <caption>"Anonymous figures per team, beside each manager's own estimate of morale"</caption>
                <thead><tr>
                    <th scope="col">"Team"</th>
                    <th scope="col">"Meetings"</th>
                    <th scope="col">"Answers counted"</th>
                    {heads}
                    <th scope="col">"Manager's estimate (1-10)"</th>
                    <th scope="col">"Estimate against morale"</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
    .into_any()
}

fn estimates_view(estimates: &[ManagerEstimate], groups: &[GroupReport]) -> impl IntoView + use<> {
    if estimates.is_empty() {
        return view! { <p>"No manager was asked for an estimate in this round."</p> }.into_any();
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
                Some(_) => "not shown (see above)".to_owned(),
                None => "no figure of its own: counted with the whole round".to_owned(),
            };
            let thinks = e
                .morale
                .map_or_else(|| "no estimate yet".to_owned(), |s| s.get().to_string());
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
                <caption>"Each manager's estimate of their team's morale, against what the team said"</caption>
                <thead><tr>
                    <th scope="col">"Manager"</th><th scope="col">"Estimate"</th>
                    <th scope="col">"Their team's morale"</th><th scope="col">"Gap"</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
    .into_any()
}

#[component]
fn TrendsPage() -> impl IntoView {
    set_title("Trends");
    let points = LocalResource::new(api::trends);
    view! {
        <p><a href="/" rel="external">"← Your rounds"</a></p>
        <h1>"Trends across your rounds"</h1>
        {loaded(points, trends_view)}
    }
}

fn trends_view(points: Vec<TrendPoint>) -> impl IntoView {
    if points.len() < 2 {
        return view! {
            <p>"A trend needs two rounds with figures. Once a second round has answers from at least k people, its figures appear here beside the first."</p>
        }
        .into_any();
    }
    let mut questions: Vec<(String, String)> = Vec::new();
    for p in &points {
        for f in &p.figures {
            if !questions.iter().any(|(id, _)| *id == f.question_id) {
                questions.push((f.question_id.clone(), f.prompt.clone()));
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
            let summary = format!("{prompt}: mean per round, {shown} of {} rounds shown", line.len());
            let rows = line
                .iter()
                .map(|(p, median)| {
                    let mean = p.value.map_or_else(|| "not shown".to_owned(), |m| format!("{m:.1}"));
                    let median = median.map_or_else(|| "–".to_owned(), |m| format!("{m:.1}"));
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
                                <caption>{format!("{prompt}: per round")}</caption>
                                <thead><tr><th scope="col">"Round"</th><th scope="col">"Mean"</th><th scope="col">"Median"</th><th scope="col">"People"</th></tr></thead>
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
                        || "not shown".to_owned(),
                        |g| {
                            g.mean
                                .map_or_else(|| "–".to_owned(), |m| format!("{m:.1} (n = {})", g.n))
                        },
                    );
                    view! { <td>{cell}</td> }
                })
                .collect_view();
            view! { <tr><th scope="row">{format!("Team of {name}")}</th>{cells}</tr> }
        })
        .collect_view();
    let teams = if managers.is_empty() {
        view! { <p>"No team has had figures of its own yet."</p> }.into_any()
    } else {
        view! {
            <div class="table-wrap">
                <table>
                    <caption>"Morale per team and round, where that round shows the team"</caption>
                    <thead><tr><th scope="col">"Team"</th>{round_heads}</tr></thead>
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
                    <td><a href=format!("/insights/rounds/{}", p.round_id)>"Report"</a></td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section aria-labelledby="rounds">
            <h2 id="rounds">"Every round"</h2>
            <div class="table-wrap">
                <table>
                    <caption>"Response per round"</caption>
                    <thead><tr>
                        <th scope="col">"Round"</th><th scope="col">"Meetings"</th><th scope="col">"Check-ins sent"</th>
                        <th scope="col">"Anonymous answers"</th><th scope="col">"Counted"</th><th scope="col">"Figures"</th>
                    </tr></thead>
                    <tbody>{round_rows}</tbody>
                </table>
            </div>
        </section>
        <p class="downloads">
            "Download the trend: "
            <a href="/api/trends.csv" download="">"CSV"</a>
            " · "
            <a href="/api/trends" download="trend.json">"JSON"</a>
        </p>
        {charts}
        <section aria-labelledby="teams">
            <h2 id="teams">"Morale by team"</h2>
            {teams}
        </section>
    }
    .into_any()
}
