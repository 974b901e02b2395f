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
use crate::components::{figure_summary, format_number, format_time};
use crate::i18n::{t, template_text, tf, tn};
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
            <Routes fallback=|| view! { <h1>{t("leader.not_found")}</h1><p><a href="/">{t("leader.back_to_start")}</a></p> }>
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
        <h2>{t("leader.your_rounds")}</h2>
        {loaded(rounds, |rounds| {
            if rounds.is_empty() {
                return view! { <p>{t("leader.no_rounds")}</p> }.into_any();
            }
            let items = rounds
                .into_iter()
                .map(|r| view! {
                    <li>
                        <a href=format!("/rounds/{}", r.id)>{r.name}</a>
                        <span class="muted">{format!(
                            " · {} · {} · {}",
                            cadence_label(&r.cadence),
                            template_text(&r.template_name),
                            tn("leader.checkins_in", r.meetings as usize, &[("sent", &format_number(r.submitted as usize))])
                        )}</span>
                    </li>
                })
                .collect_view();
            view! {
                <ul class="rounds">{items}</ul>
                <p><a href="/insights/trends" rel="external">{t("leader.trends")}</a></p>
            }
            .into_any()
        })}
    }
}

pub(crate) fn status_label(status: CheckinStatus) -> String {
    match status {
        CheckinStatus::NotStarted => t("leader.status_not_started"),
        CheckinStatus::Draft => t("leader.status_draft"),
        CheckinStatus::Submitted => t("leader.status_sent"),
    }
}

/// A round's cadence as the server names it ("weekly", "quarterly"), in
/// the reader's language.
fn cadence_label(cadence: &str) -> String {
    match cadence {
        "weekly" => t("leader.cadence_weekly"),
        "quarterly" => t("leader.cadence_quarterly"),
        other => other.to_owned(),
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
        <p><a href="/">{t("leader.back_to_rounds")}</a></p>
        {loaded(round, |r: RoundDetail| {
            set_title(&r.name);
            let rows = r.meetings.into_iter().map(meeting_row).collect_view();
            view! {
                <h1>{r.name}</h1>
                <p class="meta">{tf("leader.round_meta", &[
                    ("cadence", &cadence_label(&r.cadence)),
                    ("template", &template_text(&r.template_name)),
                    ("k", &r.k.to_string()),
                ])}</p>
                <h2>{t("leader.meetings")}</h2>
                <div class="table-wrap">
                    <table>
                        <thead><tr><th scope="col">{t("leader.person")}</th><th scope="col">{t("leader.manager")}</th><th scope="col">{t("leader.meeting")}</th><th scope="col">{t("leader.checkin")}</th></tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            }
        })}
        <h2>{t("leader.anonymous_figures")}</h2>
        {loaded(report, |r: RoundReport| view! {
            <p>{tn("leader.answered", r.response.respondents as usize, &[
                ("planned", &format_number(r.response.planned as usize)),
                ("counted", &format_number(r.response.counted as usize)),
                ("k", &r.k.to_string()),
            ])}</p>
            <p><a href=format!("/insights/rounds/{}", r.round_id) rel="external" class="button">
                {t("leader.open_report")}
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
        None => t("leader.no_answer"),
        Some(Answer::Text(text)) => text.clone(),
        Some(Answer::Choice(choice)) => template_text(choice),
        Some(Answer::YesNo(true)) => t("leader.answer_yes"),
        Some(Answer::YesNo(false)) => t("leader.answer_no"),
        Some(Answer::PreferNotToSay) => t("leader.answer_decline"),
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
        view! { <p class="muted">{t("leader.no_follow_ups")}</p> }.into_any()
    } else {
        let items = follow_ups
            .into_iter()
            .map(|i| view! { <li>{i.title.clone()}<span class="muted">{format!(" · {}", crate::meeting::item_meta(&i))}</span></li> })
            .collect_view();
        view! { <ul class="items">{items}</ul> }.into_any()
    };
    let title = tf("leader.briefing", &[("name", &meeting.person_name)]);
    set_title(&title);
    let morale = LocalResource::new({
        let round_id = round_id.clone();
        move || {
            let round_id = round_id.clone();
            async move { api::report(&round_id).await }
        }
    });
    let sent = submitted_at.map_or_else(
        || t("leader.not_sent_yet"),
        |at| tf("leader.sent_at", &[("at", &format_time(at))]),
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
                        t("leader.anonymous_answer")
                    } else {
                        answer_text(answers.get(&q.id))
                    };
                    view! {
                        <dt>{template_text(&q.prompt)}</dt>
                        <dd class="answer">{answer}</dd>
                    }
                })
                .collect_view();
            view! { <section><h2>{template_text(&s.title)}</h2><dl>{items}</dl></section> }
        })
        .collect_view();
    view! {
        <p><a href=format!("/rounds/{round_id}")>{format!("← {round_name}")}</a></p>
        <h1>{title}</h1>
        <p class="meta">{tf("leader.briefing_meta", &[
            ("title", &meeting.person_title),
            ("manager", &meeting.manager_name.unwrap_or_else(|| t("leader.no_manager"))),
            ("at", &format_time(meeting.meeting_at)),
            ("status", &status_label(meeting.status)),
        ])}</p>
        <p class="muted">{sent}</p>
        <p><a class="button" href=format!("/insights/meetings/{}", meeting.id) rel="external">{t("leader.open_meeting")}</a></p>
        <section aria-labelledby="open-follow-ups">
            <h2 id="open-follow-ups">{t("leader.open_follow_ups")}</h2>
            {follow_ups}
        </section>
        <div class="briefing">
            <div>{sections}</div>
            <aside class="round-figures" aria-labelledby="round-figures">
                <h2 id="round-figures">{t("leader.round_anonymously")}</h2>
                {loaded(morale, round_figures)}
                <p><a href=format!("/insights/rounds/{round_id}") rel="external">{t("leader.round_report")}</a></p>
            </aside>
        </div>
    }
}

/// The round's anonymous figures in brief, beside one person's answers.
fn round_figures(report: RoundReport) -> impl IntoView {
    let items = report
        .results
        .into_iter()
        .map(|r| view! { <dt>{template_text(&r.prompt)}</dt><dd>{figure_summary(&r.result)}</dd> })
        .collect_view();
    view! { <dl>{items}</dl> }
}

/// The leader's open follow-ups due today or earlier, oldest first.
#[component]
pub(crate) fn CircleBack() -> impl IntoView {
    let today = crate::components::today();
    let due = LocalResource::new(move || api::circle_back(today.clone()));
    view! {
        <h2>{t("leader.circle_back")}</h2>
        {loaded(due, |items: Vec<shared::meeting::ActionItem>| {
            if items.is_empty() {
                return view! {
                    <p class="muted">{t("leader.nothing_due")}</p>
                }
                .into_any();
            }
            let rows = items
                .into_iter()
                .map(|i| view! {
                    <li>
                        <a href=format!("/insights/meetings/{}", i.meeting_id) rel="external">{i.title.clone()}</a>
                        <span class="muted">{format!(" · {} · {}", tf("leader.with", &[("name", &i.person_name)]), crate::meeting::item_meta(&i))}</span>
                    </li>
                })
                .collect_view();
            view! { <ul class="items">{rows}</ul> }.into_any()
        })}
    }
}
