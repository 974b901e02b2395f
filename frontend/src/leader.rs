//! The leader's bundle: home (the week, who is next, what to circle back
//! on), series, the rounds, one round with its meetings, one meeting's
//! briefing.

use leptos::prelude::*;
use leptos_router::components::{Route, Routes};
use leptos_router::hooks::use_params_map;
use leptos_router::path;
use shared::api::{Briefing, CheckinStatus, MeetingSummary, RoundDetail, RoundReport};
use shared::{Answer, Visibility};

use crate::api;
use crate::components::{figure_summary, format_time};
use crate::series::{Home, NewSeriesPage, SeriesPage};
use crate::shell::{Bundle, Shell, loaded, set_title};

/// The bundle's root.
#[component]
pub fn LeaderApp() -> impl IntoView {
    view! { <LeaderRoutes /> }
}

/// The leader's pages behind the login. An account that only administers
/// is sent to the admin's pages; an empty server to its setup page.
#[component]
fn LeaderRoutes() -> impl IntoView {
    view! {
        <Shell bundle=Bundle::Leader>
            <Routes fallback=|| view! { <h1>"Not found"</h1><p><a href="/">"Back to the start"</a></p> }>
                <Route path=path!("/") view=Home />
                <Route path=path!("/series/new") view=NewSeriesPage />
                <Route path=path!("/series/:id") view=SeriesPage />
                <Route path=path!("/rounds/:id") view=Round />
                <Route path=path!("/meetings/:id") view=BriefingPage />
            </Routes>
        </Shell>
    }
}

/// The leader's rounds, on the home page.
#[component]
pub(crate) fn Rounds() -> impl IntoView {
    let rounds = LocalResource::new(api::rounds);
    view! {
        <h2>"Your rounds"</h2>
        {loaded(rounds, |rounds| {
            if rounds.is_empty() {
                return view! { <p>"You have no skip-level rounds yet."</p> }.into_any();
            }
            let items = rounds
                .into_iter()
                .map(|r| view! {
                    <li>
                        <a href=format!("/rounds/{}", r.id)>{r.name}</a>
                        <span class="muted">{format!(
                            " · {} · {} · {} of {} check-ins in",
                            r.cadence, r.template_name, r.submitted, r.meetings
                        )}</span>
                    </li>
                })
                .collect_view();
            view! {
                <ul class="rounds">{items}</ul>
                <p><a href="/insights/trends" rel="external">"Trends across your rounds"</a></p>
            }
            .into_any()
        })}
    }
}

pub(crate) fn status_label(status: CheckinStatus) -> &'static str {
    match status {
        CheckinStatus::NotStarted => "Not started",
        CheckinStatus::Draft => "Draft (not sent yet)",
        CheckinStatus::Submitted => "Sent",
    }
}

pub(crate) fn param_id() -> impl Fn() -> String + Copy {
    let params = use_params_map();
    move || params.read().get("id").unwrap_or_default()
}

#[component]
fn Round() -> impl IntoView {
    let id = param_id();
    let round = LocalResource::new(move || {
        let id = id();
        async move { api::round(&id).await }
    });
    let report = LocalResource::new(move || {
        let id = id();
        async move { api::report(&id).await }
    });
    view! {
        <p><a href="/">"← Your rounds"</a></p>
        {loaded(round, |r: RoundDetail| {
            set_title(&r.name);
            let rows = r.meetings.into_iter().map(meeting_row).collect_view();
            view! {
                <h1>{r.name}</h1>
                <p class="meta">{format!("{} · {} · anonymous figures need at least {} people", r.cadence, r.template_name, r.k)}</p>
                <h2>"Meetings"</h2>
                <div class="table-wrap">
                    <table>
                        <thead><tr><th scope="col">"Person"</th><th scope="col">"Manager"</th><th scope="col">"Meeting"</th><th scope="col">"Check-in"</th></tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            }
        })}
        <h2>"Anonymous figures"</h2>
        {loaded(report, |r: RoundReport| view! {
            <p>{format!(
                "{} of {} people have answered anonymously; {} are counted in the figures (at least {} people, in steps of {}).",
                r.response.respondents, r.response.planned, r.response.counted, r.k, r.k
            )}</p>
            <p><a href=format!("/insights/rounds/{}", r.round_id) rel="external" class="button">
                "Open the round report: figures, breakdown by manager, estimates, downloads"
            </a></p>
        })}
    }
}

fn meeting_row(m: MeetingSummary) -> impl IntoView {
    view! {
        <tr>
            <td><a href=format!("/meetings/{}", m.id)>{m.person_name}</a><br /><span class="muted">{m.person_title}</span></td>
            <td>{m.manager_name.unwrap_or_default()}</td>
            <td>{format_time(m.meeting_at)}</td>
            <td>{status_label(m.status)}</td>
        </tr>
    }
}

#[component]
fn BriefingPage() -> impl IntoView {
    let id = param_id();
    let briefing = LocalResource::new(move || {
        let id = id();
        async move { api::briefing(&id).await }
    });
    view! { {loaded(briefing, briefing_view)} }
}

fn answer_text(answer: Option<&Answer>) -> String {
    match answer {
        None => "No answer".to_owned(),
        Some(Answer::Text(t)) => t.clone(),
        Some(a) => a.label(),
    }
}

fn briefing_view(b: Briefing) -> impl IntoView {
    let Briefing {
        meeting,
        round_id,
        round_name,
        template,
        answers,
        submitted_at,
        follow_ups,
    } = b;
    let follow_ups = if follow_ups.is_empty() {
        view! { <p class="muted">"Nothing open from earlier meetings with them."</p> }.into_any()
    } else {
        let items = follow_ups
            .into_iter()
            .map(|i| view! { <li>{i.title.clone()}<span class="muted">{format!(" · {}", crate::meeting::item_meta(&i))}</span></li> })
            .collect_view();
        view! { <ul class="items">{items}</ul> }.into_any()
    };
    set_title(&format!("Briefing: {}", meeting.person_name));
    let morale = LocalResource::new({
        let round_id = round_id.clone();
        move || {
            let round_id = round_id.clone();
            async move { api::report(&round_id).await }
        }
    });
    let sent = submitted_at.map_or_else(
        || "Not sent yet: you will see the answers once they are submitted.".to_owned(),
        |at| format!("Sent {}.", format_time(at)),
    );
    let sections = template
        .sections
        .into_iter()
        .map(|s| {
            let items = s
                .questions
                .into_iter()
                .map(|q| {
                    let answer = if q.visibility == Visibility::Anonymous {
                        "Anonymous: see the round's combined figures.".to_owned()
                    } else {
                        answer_text(answers.get(&q.id))
                    };
                    view! {
                        <dt>{q.prompt}</dt>
                        <dd class="answer">{answer}</dd>
                    }
                })
                .collect_view();
            view! { <section><h2>{s.title}</h2><dl>{items}</dl></section> }
        })
        .collect_view();
    view! {
        <p><a href=format!("/rounds/{round_id}")>{format!("← {round_name}")}</a></p>
        <h1>{format!("Briefing: {}", meeting.person_name)}</h1>
        <p class="meta">{format!(
            "{} · manager: {} · meeting {} · {}",
            meeting.person_title,
            meeting.manager_name.unwrap_or_else(|| "none".to_owned()),
            format_time(meeting.meeting_at),
            status_label(meeting.status)
        )}</p>
        <p class="muted">{sent}</p>
        <p><a class="button" href=format!("/insights/meetings/{}", meeting.id) rel="external">"Open the meeting view: notes and action items"</a></p>
        <section aria-labelledby="open-follow-ups">
            <h2 id="open-follow-ups">"Open follow-ups"</h2>
            {follow_ups}
        </section>
        <div class="briefing">
            <div>{sections}</div>
            <aside class="round-figures" aria-labelledby="round-figures">
                <h2 id="round-figures">"The round, anonymously"</h2>
                {loaded(morale, round_figures)}
                <p><a href=format!("/insights/rounds/{round_id}") rel="external">"The round report: breakdown by manager and estimates"</a></p>
            </aside>
        </div>
    }
}

/// The round's anonymous figures in brief, beside one person's answers.
fn round_figures(report: RoundReport) -> impl IntoView {
    let items = report
        .results
        .into_iter()
        .map(|r| view! { <dt>{r.prompt}</dt><dd>{figure_summary(&r.result)}</dd> })
        .collect_view();
    view! { <dl>{items}</dl> }
}

/// The leader's open follow-ups due today or earlier, oldest first.
#[component]
pub(crate) fn CircleBack() -> impl IntoView {
    let today = crate::components::today();
    let due = LocalResource::new(move || api::circle_back(today.clone()));
    view! {
        <h2>"Circle back"</h2>
        {loaded(due, |items: Vec<shared::meeting::ActionItem>| {
            if items.is_empty() {
                return view! {
                    <p class="muted">"Nothing due. Action items you add in a meeting show here from their due day until closed."</p>
                }
                .into_any();
            }
            let rows = items
                .into_iter()
                .map(|i| view! {
                    <li>
                        <a href=format!("/insights/meetings/{}", i.meeting_id) rel="external">{i.title.clone()}</a>
                        <span class="muted">{format!(" · with {} · {}", i.person_name, crate::meeting::item_meta(&i))}</span>
                    </li>
                })
                .collect_view();
            view! { <ul class="items">{rows}</ul> }.into_any()
        })}
    }
}
