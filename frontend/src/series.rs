//! The leader's series: the dashboard at home, starting a series, and one
//! series with who to meet next (and why), scheduling, invitations to copy
//! or download, new links and moved meetings.

use leptos::prelude::*;
use leptos::task::spawn_local;

use shared::api::MeetingSummary;
use shared::series::{
    Cadence, Dashboard, DashboardMeeting, Invitation, NewSeries, Proposal, Reissue,
    RescheduleRequest, ScheduleRequest, SeriesDetail, SeriesKind, SeriesOptions, SeriesSummary,
    SkipRequest,
};

use crate::api::{self, ApiError};
use crate::components::{Failure, format_number, format_time};
use crate::forms::{CopyText, ErrorSummary, FormErrors, TextField, focus_id};
use crate::i18n::{server_text, t, template_text, tf, tn};
use crate::leader::status_label;
use crate::shell::{loaded, set_title};

/// The leader's offset from UTC, in minutes, as the browser knows it.
fn utc_offset() -> i32 {
    -(js_sys::Date::new_0().get_timezone_offset() as i32)
}

/// A `datetime-local` value ("2026-12-01T10:00", the reader's time) as Unix
/// seconds.
fn parse_local(value: &str) -> Option<i64> {
    let ms = js_sys::Date::new(&value.into()).get_time();
    (!ms.is_nan() && !value.is_empty()).then_some((ms / 1000.0) as i64)
}

/// Tomorrow at 10:00 in the reader's time, as a `datetime-local` value.
fn default_time() -> String {
    let d = js_sys::Date::new_0();
    d.set_date(d.get_date() + 1);
    format!(
        "{:04}-{:02}-{:02}T10:00",
        d.get_full_year(),
        d.get_month() + 1,
        d.get_date()
    )
}

fn cadence_words(s: &SeriesSummary) -> String {
    let scope = match (s.kind, s.depth) {
        (SeriesKind::Peer, _) => t("series.scope_peers"),
        (_, Some(2)) => t("series.scope_two_down"),
        (_, Some(d)) => tf("series.scope_down_to", &[("n", &d.to_string())]),
        (_, None) => t("series.scope_all"),
    };
    let scope = if s.teams.is_empty() {
        scope
    } else {
        tf(
            "series.scope_in_teams",
            &[("scope", &scope), ("teams", &s.teams.join(", "))],
        )
    };
    let cadence = match s.cadence {
        Cadence::Weekly => tf("series.per_week", &[("n", &s.per_week.to_string())]),
        Cadence::Quarterly => t("series.quarterly"),
        Cadence::Peer => tf(
            "series.every_weeks",
            &[("n", &s.interval_weeks.to_string())],
        ),
    };
    let words = [
        scope,
        cadence,
        tn(
            "series.met",
            s.people as usize,
            &[("met", &format_number(s.met as usize))],
        ),
        tf(
            "series.upcoming",
            &[("n", &format_number(s.upcoming as usize))],
        ),
    ]
    .join(" · ");
    if s.stopped {
        format!("{} · {words}", t("series.stopped"))
    } else {
        words
    }
}

/// The leader's home: this week, check-ins not started, who is next, the
/// series and the rounds.
#[component]
pub fn Home() -> impl IntoView {
    set_title(&t("series.home"));
    let dashboard = LocalResource::new(api::dashboard);
    let series = LocalResource::new(api::series_list);
    view! {
        <h1>{t("series.this_week")}</h1>
        {loaded(dashboard, dashboard_view)}
        <crate::leader::CircleBack />
        <h2>{t("series.your_series")}</h2>
        {loaded(series, |list: Vec<SeriesSummary>| {
            let empty = list.is_empty().then(|| view! {
                <p class="notice">{t("series.no_series")}</p>
            });
            let items = list
                .into_iter()
                .map(|s| {
                    let words = format!(" · {}", cadence_words(&s));
                    view! {
                        <li><a href=format!("/series/{}", s.id)>{s.name}</a>
                            <span class="muted">{words}</span></li>
                    }
                })
                .collect_view();
            view! { {empty}<ul class="rounds">{items}</ul> }
        })}
        <p><a href="/series/new">{t("series.start")}</a></p>
        <crate::leader::Rounds />
    }
}

fn meeting_list(list: Vec<DashboardMeeting>, empty: String) -> AnyView {
    if list.is_empty() {
        return view! { <p class="muted">{empty}</p> }.into_any();
    }
    let items = list
        .into_iter()
        .map(|m| {
            view! {
                <li>
                    <a href=format!("/meetings/{}", m.meeting.id)>{m.meeting.person_name.clone()}</a>
                    {format!(" · {} · {} · {}", format_time(m.meeting.meeting_at), m.series_name, status_label(m.meeting.status))}
                </li>
            }
        })
        .collect_view();
    view! { <ul class="rounds">{items}</ul> }.into_any()
}

fn dashboard_view(d: Dashboard) -> impl IntoView {
    let proposals = d
        .proposals
        .into_iter()
        .filter(|s| !s.proposals.is_empty())
        .map(|s| {
            let names = s
                .proposals
                .iter()
                .map(|p| p.name.clone())
                .collect::<Vec<_>>()
                .join(", ");
            view! { <li><a href=format!("/series/{}", s.series_id)>{s.series_name}</a>{format!(": {names}")}</li> }
        })
        .collect_view();
    let reminder = if d.email_enabled {
        t("series.reminder_email")
    } else {
        t("series.reminder_nudge")
    };
    let not_started = if d.email_enabled && !d.not_started.is_empty() {
        let items = d
            .not_started
            .into_iter()
            .map(|m| view! { <RemindItem meeting=m /> })
            .collect_view();
        view! { <ul class="rounds">{items}</ul> }.into_any()
    } else {
        meeting_list(d.not_started, t("series.all_started"))
    };
    view! {
        {meeting_list(d.this_week, t("series.no_meetings_this_week"))}
        <h2>{t("series.not_started")}</h2>
        <p class="muted">{reminder}</p>
        {not_started}
        <h2>{t("series.next_to_meet")}</h2>
        <ul class="rounds">{proposals}</ul>
    }
}

/// A meeting whose check-in is not started, with a one-click reminder.
#[component]
fn RemindItem(meeting: DashboardMeeting) -> impl IntoView {
    let outcome = RwSignal::new(None::<String>);
    let id = meeting.meeting.id.clone();
    let remind = move |_| {
        let id = id.clone();
        spawn_local(async move {
            let result = api::remind(
                &id,
                &Reissue {
                    utc_offset_minutes: utc_offset(),
                },
            )
            .await;
            outcome.set(Some(match result {
                Ok(o) if o.sent => tf(
                    "series.reminder_sent",
                    &[("outcome", &server_text(&o.outcome))],
                ),
                Ok(o) => tf(
                    "series.reminder_failed",
                    &[("outcome", &server_text(&o.outcome))],
                ),
                Err(e) => e.message(),
            }));
        });
    };
    let who = meeting.meeting.person_name.clone();
    view! {
        <li>
            <a href=format!("/meetings/{}", meeting.meeting.id)>{meeting.meeting.person_name.clone()}</a>
            {format!(" · {} · {} ", format_time(meeting.meeting.meeting_at), meeting.series_name)}
            <button type="button" class="small secondary" aria-label=tf("series.remind_who", &[("name", &who)]) on:click=remind>{t("series.remind")}</button>
            <span role="status">{move || outcome.get()}</span>
        </li>
    }
}

fn series_label(field: &str) -> Option<String> {
    Some(match field {
        "name" => t("series.name"),
        "cadence" => t("series.how_often"),
        "depth" => t("series.how_far_down"),
        "teams" => t("series.teams"),
        "per_week" => t("series.per_week_label"),
        "interval_weeks" => t("series.interval"),
        "template_key" => t("series.template"),
        _ => return None,
    })
}

/// Starts a series.
#[component]
pub fn NewSeriesPage() -> impl IntoView {
    set_title(&t("series.start"));
    let options = LocalResource::new(api::series_options);
    view! {
        <p><a href="/">{t("series.back_home")}</a></p>
        <h1>{t("series.start")}</h1>
        {loaded(options, |o: SeriesOptions| view! { <NewSeriesForm options=o /> })}
    }
}

#[component]
fn NewSeriesForm(options: SeriesOptions) -> impl IntoView {
    if !options.in_directory {
        return view! {
            <p class="notice">{t("series.not_in_directory")}</p>
        }
        .into_any();
    }
    let peer = RwSignal::new(false);
    let name = RwSignal::new(t("series.kind_skip"));
    let weekly = RwSignal::new(false);
    let per_week = RwSignal::new("1".to_owned());
    let depth = RwSignal::new("all".to_owned());
    let interval = RwSignal::new("4".to_owned());
    let template = RwSignal::new(String::new());
    let own_templates = LocalResource::new(api::templates);
    let teams: Vec<(String, RwSignal<bool>)> = options
        .teams
        .iter()
        .map(|t| (t.team.clone(), RwSignal::new(false)))
        .collect();
    let errors = RwSignal::new(FormErrors::default());
    let chosen_teams = teams.clone();
    let navigate = leptos_router::hooks::use_navigate();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let is_peer = peer.get_untracked();
        let body = NewSeries {
            kind: if is_peer {
                SeriesKind::Peer
            } else {
                SeriesKind::SkipLevel
            },
            name: name.get_untracked(),
            cadence: match (is_peer, weekly.get_untracked()) {
                (true, _) => Cadence::Peer,
                (false, true) => Cadence::Weekly,
                (false, false) => Cadence::Quarterly,
            },
            depth: depth.get_untracked().parse().ok(),
            teams: chosen_teams
                .iter()
                .filter(|(_, on)| on.get_untracked())
                .map(|(t, _)| t.clone())
                .collect(),
            per_week: per_week.get_untracked().parse().unwrap_or(0),
            interval_weeks: interval.get_untracked().parse().unwrap_or(0),
            template_key: Some(template.get_untracked()).filter(|t| !t.is_empty()),
        };
        let navigate = navigate.clone();
        spawn_local(async move {
            match api::new_series(&body).await {
                Ok(s) => navigate(&format!("/series/{}", s.id), Default::default()),
                Err(e) => errors.set(FormErrors::from_error(&e)),
            }
        });
    };
    let levels = options
        .levels
        .iter()
        .enumerate()
        .map(|(i, n)| match i {
            0 => tn("series.level_direct", *n as usize, &[]),
            1 => tn("series.level_two", *n as usize, &[]),
            i => tn(
                "series.level_n",
                *n as usize,
                &[("level", &(i + 1).to_string())],
            ),
        })
        .collect::<Vec<_>>()
        .join(", ");
    let team_boxes = teams
        .into_iter()
        .map(|(team, on)| {
            let id = format!("team-{}", team.replace(|c: char| !c.is_alphanumeric(), "-"));
            view! {
                <div class="check">
                    <input type="checkbox" id=id.clone() bind:checked=on />
                    <label for=id>{team}</label>
                </div>
            }
        })
        .collect_view();
    view! {
        <p class="muted">{tf("series.below_you", &[("levels", &levels), ("peers", &format_number(options.peers as usize))])}</p>
        <ErrorSummary errors label=series_label />
        <form class="stack" on:submit=submit novalidate>
            <fieldset>
                <legend>{t("series.what_kind")}</legend>
                <div class="check">
                    <input type="radio" id="kind-skip" name="kind" prop:checked=move || !peer.get() on:change=move |_| { peer.set(false); name.set(t("series.kind_skip")); } />
                    <label for="kind-skip">{t("series.kind_skip")}</label>
                    <p class="hint">{t("series.kind_skip_hint")}</p>
                </div>
                <div class="check">
                    <input type="radio" id="kind-peer" name="kind" prop:checked=move || peer.get() on:change=move |_| { peer.set(true); name.set(t("series.kind_peer")); } />
                    <label for="kind-peer">{t("series.kind_peer")}</label>
                    <p class="hint">{t("series.kind_peer_hint")}</p>
                </div>
            </fieldset>
            <TextField name="name" label=t("series.name") value=name errors />
            <div class="field">
                <label for="f-template_key">{t("series.template")}</label>
                <p class="hint" id="f-template_key-hint">{t("series.template_hint_before")}<a href="/templates/" rel="external">{t("series.template_hint_link")}</a>{t("series.template_hint_after")}</p>
                <p class="field-error" id="f-template_key-err">{move || errors.with(|e| e.of("template_key"))}</p>
                <select id="f-template_key" aria-describedby="f-template_key-hint f-template_key-err" bind:value=template>
                    <option value="">{t("series.built_in_template")}</option>
                    {move || own_templates.get().and_then(Result::ok).map(|list| list
                        .into_iter()
                        .filter(|t| !t.built_in)
                        .map(|t| view! { <option value=t.key>{t.name}</option> })
                        .collect_view())}
                </select>
            </div>
            <Show when=move || !peer.get() fallback=move || view! {
                <div class="field">
                    <label for="f-interval_weeks">{t("series.interval")}</label>
                    <select id="f-interval_weeks" bind:value=interval>
                        <option value="3">{tn("series.weeks", 3, &[])}</option>
                        <option value="4">{tn("series.weeks", 4, &[])}</option>
                        <option value="5">{tn("series.weeks", 5, &[])}</option>
                    </select>
                </div>
            }>
                <fieldset>
                    <legend>{t("series.how_often")}</legend>
                    <div class="check">
                        <input type="radio" id="cadence-quarterly" name="cadence" prop:checked=move || !weekly.get() on:change=move |_| weekly.set(false) />
                        <label for="cadence-quarterly">{t("series.quarterly_label")}</label>
                        <p class="hint">{t("series.quarterly_hint")}</p>
                    </div>
                    <div class="check">
                        <input type="radio" id="cadence-weekly" name="cadence" prop:checked=move || weekly.get() on:change=move |_| weekly.set(true) />
                        <label for="cadence-weekly">{t("series.weekly_label")}</label>
                    </div>
                </fieldset>
                <Show when=move || weekly.get()>
                    <div class="field">
                        <label for="f-per_week">{t("series.per_week_label")}</label>
                        <input id="f-per_week" type="number" min="1" max="10" inputmode="numeric" bind:value=per_week />
                    </div>
                </Show>
                <div class="field">
                    <label for="f-depth">{t("series.how_far_down")}</label>
                    <select id="f-depth" bind:value=depth>
                        <option value="2">{t("series.depth_two")}</option>
                        <option value="3">{t("series.depth_three")}</option>
                        <option value="all">{t("series.depth_all")}</option>
                    </select>
                </div>
            </Show>
            <fieldset id="f-teams" tabindex="-1">
                <legend>{t("series.teams")}</legend>
                <p class="hint">{t("series.teams_hint")}</p>
                {team_boxes}
            </fieldset>
            <button type="submit">{t("series.start_submit")}</button>
        </form>
    }
    .into_any()
}

/// One series: who to meet next, the invitations, the meetings.
#[component]
pub fn SeriesPage() -> impl IntoView {
    let id = crate::leader::param_id();
    let version = RwSignal::new(0u32);
    let detail = LocalResource::new(move || {
        version.track();
        let id = id();
        async move { api::series(&id).await }
    });
    let invitation = RwSignal::new(None::<Invitation>);
    view! {
        <p><a href="/">{t("series.back_home")}</a></p>
        {loaded(detail, |d: SeriesDetail| {
            set_title(&d.series.name);
            view! {
                <h1>{d.series.name.clone()}</h1>
                <p class="meta">{tf("series.meta", &[("words", &cadence_words(&d.series)), ("template", &template_text(&d.series.template_name))])}</p>
            }
        })}
        // Outside the part that reloads, so it keeps the focus it takes.
        {move || invitation.get().map(|i| view! { <InvitationPanel invitation=i /> })}
        {loaded(detail, move |d: SeriesDetail| view! { <SeriesView detail=d version invitation /> })}
    }
}

#[component]
fn SeriesView(
    detail: SeriesDetail,
    version: RwSignal<u32>,
    invitation: RwSignal<Option<Invitation>>,
) -> impl IntoView {
    let series_id = detail.series.id.clone();
    let failure = RwSignal::new(None::<ApiError>);
    let due = usize::try_from(detail.due).unwrap_or(0);
    let turn = detail.next_turn.filter(|_| due == 0).map(|at| {
        view! { <p class="notice">{tf("series.turn_planned", &[("at", &format_time(at))])}</p> }
    });
    let mut proposals = detail.proposals;
    let others = proposals.split_off(due.min(proposals.len()));
    let row = {
        let series_id = series_id.clone();
        move |p: Proposal| view! { <ProposalRow proposal=p series_id=series_id.clone() version invitation failure /> }
    };
    let empty = detail
        .empty_reason
        .map(|r| view! { <p class="notice">{server_text(&r)}</p> });
    let others_count = others.len();
    let next = proposals.into_iter().map(row.clone()).collect_view();
    let rest = others.into_iter().map(row).collect_view();
    let meetings = detail
        .meetings
        .into_iter()
        .map(|m| view! { <MeetingRow meeting=m version invitation failure /> })
        .collect_view();
    view! {
        {move || failure.get().map(|error| view! { <Failure error /> })}
        <h2>{t("series.next_to_meet")}</h2>
        {empty}
        {turn}
        <ul class="proposals">{next}</ul>
        {(others_count > 0).then(|| view! {
            <details open=due == 0>
                <summary>{tf("series.someone_else", &[("n", &format_number(others_count))])}</summary>
                <ul class="proposals">{rest}</ul>
            </details>
        })}
        <h2>{t("series.meetings")}</h2>
        {(!detail.series.stopped).then(|| {
            let id = series_id.clone();
            let stop = move |_| {
                if !window()
                    .confirm_with_message(&t("series.stop_confirm"))
                    .unwrap_or(false)
                {
                    return;
                }
                let id = id.clone();
                spawn_local(async move {
                    match api::stop_series(&id).await {
                        Ok(()) => version.update(|v| *v += 1),
                        Err(e) => failure.set(Some(e)),
                    }
                });
            };
            view! { <p class="stop"><button type="button" class="small secondary" on:click=stop>{t("series.stop")}</button></p> }
        })}
        <div class="table-wrap">
            <table>
                <thead><tr><th scope="col">{t("series.person")}</th><th scope="col">{t("series.meeting")}</th><th scope="col">{t("series.checkin")}</th><th scope="col">{t("series.actions")}</th></tr></thead>
                <tbody>{meetings}</tbody>
            </table>
        </div>
    }
}

#[component]
fn ProposalRow(
    proposal: Proposal,
    series_id: String,
    version: RwSignal<u32>,
    invitation: RwSignal<Option<Invitation>>,
    failure: RwSignal<Option<ApiError>>,
) -> impl IntoView {
    let open = RwSignal::new(false);
    let when = RwSignal::new(default_time());
    let minutes = RwSignal::new("30".to_owned());
    let errors = RwSignal::new(FormErrors::default());
    let person = proposal.person_id.clone();
    let person_skip = proposal.person_id.clone();
    let series_skip = series_id.clone();
    let form_id = format!("schedule-{}", proposal.person_id);
    let time_id = format!("when-{}", proposal.person_id);
    let focus_time = time_id.clone();
    let schedule = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(at) = parse_local(&when.get_untracked()) else {
            errors.set(FormErrors {
                fields: Vec::new(),
                message: Some(t("series.choose_time")),
            });
            return;
        };
        let body = ScheduleRequest {
            person_id: person.clone(),
            at,
            duration_minutes: minutes.get_untracked().parse().unwrap_or(30),
            utc_offset_minutes: utc_offset(),
        };
        let series_id = series_id.clone();
        spawn_local(async move {
            match api::schedule(&series_id, &body).await {
                Ok(i) => {
                    invitation.set(Some(i));
                    version.update(|v| *v += 1);
                    focus_id("invitation");
                }
                Err(e) => errors.set(FormErrors::from_error(&e)),
            }
        });
    };
    let skip = move |_| {
        let body = SkipRequest {
            person_id: person_skip.clone(),
        };
        let series_id = series_skip.clone();
        spawn_local(async move {
            match api::skip(&series_id, &body).await {
                Ok(()) => version.update(|v| *v += 1),
                Err(e) => failure.set(Some(e)),
            }
        });
    };
    let who = proposal.name.clone();
    view! {
        <li class="proposal">
            <p><strong>{proposal.name.clone()}</strong>
                {format!(
                    " · {} · {} · {}",
                    proposal.title,
                    if proposal.team.is_empty() { t("series.no_team") } else { proposal.team.clone() },
                    tf("series.level", &[("n", &proposal.level.to_string())])
                )}</p>
            <p class="muted">{why_text(&proposal.why)}</p>
            <div class="button-row">
                <button type="button" class="small" aria-expanded=move || open.get().to_string() aria-controls=form_id.clone()
                    aria-label=tf("series.schedule_who", &[("name", &who)])
                    on:click=move |_| { open.update(|o| *o = !*o); if open.get_untracked() { focus_id(&focus_time); } }>{t("series.schedule")}</button>
                <button type="button" class="small secondary" aria-label=tf("series.skip_who", &[("name", &proposal.name)]) on:click=skip>{t("series.skip")}</button>
            </div>
            <Show when=move || open.get()>
                <form class="stack schedule" id=form_id.clone() on:submit=schedule.clone() novalidate>
                    <ErrorSummary errors label=|f| match f { "at" => Some(t("series.when")), "duration_minutes" => Some(t("series.how_long")), _ => None } />
                    <div class="field">
                        <label for=time_id.clone()>{t("series.when")}</label>
                        <input id=time_id.clone() type="datetime-local" bind:value=when />
                    </div>
                    <div class="field">
                        <label for=format!("{time_id}-len")>{t("series.how_long")}</label>
                        <select id=format!("{time_id}-len") bind:value=minutes>
                            <option value="30">{t("series.minutes_30")}</option>
                            <option value="45">{t("series.minutes_45")}</option>
                            <option value="60">{t("series.hour")}</option>
                        </select>
                    </div>
                    <button type="submit">{t("series.schedule_submit")}</button>
                </form>
            </Show>
        </li>
    }
}

#[component]
fn MeetingRow(
    meeting: MeetingSummary,
    version: RwSignal<u32>,
    invitation: RwSignal<Option<Invitation>>,
    failure: RwSignal<Option<ApiError>>,
) -> impl IntoView {
    let id = meeting.id.clone();
    let id_move = meeting.id.clone();
    let moving = RwSignal::new(false);
    let when = RwSignal::new(default_time());
    let reissue = move |_| {
        let id = id.clone();
        spawn_local(async move {
            match api::reissue(
                &id,
                &Reissue {
                    utc_offset_minutes: utc_offset(),
                },
            )
            .await
            {
                Ok(i) => {
                    invitation.set(Some(i));
                    focus_id("invitation");
                }
                Err(e) => failure.set(Some(e)),
            }
        });
    };
    let save_move = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(at) = parse_local(&when.get_untracked()) else {
            return;
        };
        let id = id_move.clone();
        spawn_local(async move {
            let body = RescheduleRequest {
                at,
                duration_minutes: 30,
                utc_offset_minutes: utc_offset(),
            };
            match api::move_meeting(&id, &body).await {
                Ok(_) => {
                    failure.set(None);
                    moving.set(false);
                    version.update(|v| *v += 1);
                }
                Err(e) => failure.set(Some(e)),
            }
        });
    };
    let id_cancel = meeting.id.clone();
    let who_cancel = meeting.person_name.clone();
    let cancel = move |_| {
        let question = tf("series.cancel_confirm", &[("name", &who_cancel)]);
        if !window().confirm_with_message(&question).unwrap_or(false) {
            return;
        }
        let id = id_cancel.clone();
        spawn_local(async move {
            match api::cancel_meeting(&id).await {
                Ok(()) => {
                    failure.set(None);
                    version.update(|v| *v += 1);
                }
                Err(e) => failure.set(Some(e)),
            }
        });
    };
    let upcoming = meeting.meeting_at > (js_sys::Date::now() / 1000.0) as i64;
    let who = meeting.person_name.clone();
    let move_id = format!("move-{}", meeting.id);
    view! {
        <tr>
            <td><a href=format!("/meetings/{}", meeting.id)>{meeting.person_name.clone()}</a></td>
            <td>{format_time(meeting.meeting_at)}</td>
            <td>{status_label(meeting.status)}</td>
            <td class="actions-cell">
                <button type="button" class="small secondary" aria-label=tf("series.new_link_for", &[("name", &who)]) on:click=reissue>{t("series.new_link")}</button>
                <button type="button" class="small secondary" aria-label=tf("series.move_who", &[("name", &who)]) aria-expanded=move || moving.get().to_string()
                    on:click=move |_| moving.update(|m| *m = !*m)>{t("series.move")}</button>
                <a class="small-link" href=format!("/api/meetings/{}/calendar.ics", meeting.id) download="meeting.ics">{t("series.calendar_file")}</a>
                {upcoming.then(|| view! {
                    <button type="button" class="small secondary" aria-label=tf("series.cancel_who", &[("name", &meeting.person_name)]) on:click=cancel.clone()>{t("series.cancel")}</button>
                })}
                <Show when=move || moving.get()>
                    <form class="inline-form" on:submit=save_move.clone()>
                        <label for=move_id.clone()>{t("series.new_time")}</label>
                        <input id=move_id.clone() type="datetime-local" bind:value=when />
                        <button type="submit" class="small">{t("series.save")}</button>
                    </form>
                </Show>
            </td>
        </tr>
    }
}

/// A fresh invitation: the text and link to copy, the calendar file, and
/// the manager's notice.
#[component]
fn InvitationPanel(invitation: Invitation) -> impl IntoView {
    let ics_href = format!(
        "data:text/calendar;charset=utf-8,{}",
        String::from(js_sys::encode_uri_component(&invitation.ics))
    );
    let manager = invitation.manager.map(|m| {
        view! {
            <h3>{tf("series.for_manager", &[("name", &m.name)])}</h3>
            <p class="muted">{match &m.email_outcome {
                Some(outcome) => tf("series.manager_emailed", &[("outcome", &server_text(outcome))]),
                None => tf("series.manager_to", &[("email", &m.email), ("subject", &m.subject)]),
            }}</p>
            <CopyText id="manager-text".to_owned() label=t("series.manager_message") text=m.text multiline=true />
        }
    });
    view! {
        <section id="invitation" class="panel notice ok" tabindex="-1" aria-labelledby="invitation-title">
            <h2 id="invitation-title">{tf("series.invitation_for", &[("name", &invitation.meeting.person_name)])}</h2>
            <p>{match &invitation.email_outcome {
                Some(outcome) => tf("series.invitation_emailed", &[
                    ("outcome", &server_text(outcome)),
                    ("until", &format_time(invitation.expires_at)),
                ]),
                None => tf("series.invitation_send", &[
                    ("email", &invitation.person_email),
                    ("until", &format_time(invitation.expires_at)),
                ]),
            }}</p>
            <CopyText id="invitation-subject".to_owned() label=t("series.subject") text=invitation.subject.clone() />
            <CopyText id="invitation-text".to_owned() label=t("series.invitation") text=invitation.text multiline=true />
            {match invitation.url {
                Some(url) => view! { <CopyText id="invitation-link".to_owned() label=t("series.personal_link") text=url /> }.into_any(),
                None => view! { <p class="muted">{t("series.link_by_email")}</p> }.into_any(),
            }}
            <p><a href=ics_href download="skip-level.ics">{t("series.download_ics")}</a></p>
            {manager}
        </section>
    }
}

/// Why the rotation proposes someone, in the reader's language.
fn why_text(why: &shared::series::Why) -> String {
    let what = t(if why.peer {
        "series.what_peer"
    } else {
        "series.what_skip"
    });
    let what = [("what", what.as_str())];
    let first = match (why.planned, why.met_weeks_ago, why.joined_weeks_ago) {
        (true, _, _) if why.peer => t("series.why_planned_peer"),
        (true, _, _) => t("series.why_planned_skip"),
        (_, Some(0), _) => tf("series.why_last_this_week", &what),
        (_, Some(w), _) => tn("series.why_last", w as usize, &what),
        (_, None, Some(0)) => tf("series.why_new_this_week", &what),
        (_, None, Some(w)) => tn("series.why_new", w as usize, &what),
        (_, None, None) => tf("series.why_never", &what),
    };
    match &why.unmet_team {
        Some(team) => tf("series.why_and_team", &[("why", &first), ("team", team)]),
        None => first,
    }
}
