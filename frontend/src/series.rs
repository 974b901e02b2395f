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
use crate::components::{Failure, format_time};
use crate::forms::{CopyText, ErrorSummary, FormErrors, TextField, focus_id};
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
        (SeriesKind::Peer, _) => "peers at your level".to_owned(),
        (_, Some(2)) => "two levels down".to_owned(),
        (_, Some(d)) => format!("down to {d} levels"),
        (_, None) => "all the way down".to_owned(),
    };
    let teams = if s.teams.is_empty() {
        String::new()
    } else {
        format!(" in {}", s.teams.join(", "))
    };
    let cadence = match s.cadence {
        Cadence::Weekly => format!("{} a week", s.per_week),
        Cadence::Quarterly => "everyone once a quarter".to_owned(),
        Cadence::Peer => format!("one every {} weeks", s.interval_weeks),
    };
    format!(
        "{}{scope}{teams} · {cadence} · {} of {} people met or planned · {} upcoming",
        if s.stopped { "stopped · " } else { "" },
        s.met,
        s.people,
        s.upcoming
    )
}

/// The leader's home: this week, check-ins not started, who is next, the
/// series and the rounds.
#[component]
pub fn Home() -> impl IntoView {
    set_title("Home");
    let dashboard = LocalResource::new(api::dashboard);
    let series = LocalResource::new(api::series_list);
    view! {
        <h1>"This week"</h1>
        {loaded(dashboard, dashboard_view)}
        <crate::leader::CircleBack />
        <h2>"Your series"</h2>
        {loaded(series, |list: Vec<SeriesSummary>| {
            let empty = list.is_empty().then(|| view! {
                <p class="notice">"No series yet. A series picks who to meet next, week after week or quarter after quarter, and writes the invitations."</p>
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
        <p><a href="/series/new">"Start a series"</a></p>
        <crate::leader::Rounds />
    }
}

fn meeting_list(list: Vec<DashboardMeeting>, empty: &'static str) -> AnyView {
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
        "They have not opened their check-in and meet you within a day. A reminder emails them a new link."
    } else {
        "They have not opened their check-in and meet you within a day. Send them a nudge, or a new link from the series page."
    };
    let not_started = if d.email_enabled && !d.not_started.is_empty() {
        let items = d
            .not_started
            .into_iter()
            .map(|m| view! { <RemindItem meeting=m /> })
            .collect_view();
        view! { <ul class="rounds">{items}</ul> }.into_any()
    } else {
        meeting_list(
            d.not_started,
            "None: everyone meeting you in the next day has started.",
        )
    };
    view! {
        {meeting_list(d.this_week, "No meetings this week.")}
        <h2>"Check-ins not started"</h2>
        <p class="muted">{reminder}</p>
        {not_started}
        <h2>"Next to meet"</h2>
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
                Ok(o) if o.sent => format!("Reminder {}.", o.outcome),
                Ok(o) => format!("The reminder failed: {}", o.outcome),
                Err(e) => e.message(),
            }));
        });
    };
    let who = meeting.meeting.person_name.clone();
    view! {
        <li>
            <a href=format!("/meetings/{}", meeting.meeting.id)>{meeting.meeting.person_name.clone()}</a>
            {format!(" · {} · {} ", format_time(meeting.meeting.meeting_at), meeting.series_name)}
            <button type="button" class="small secondary" aria-label=format!("Send {who} a reminder") on:click=remind>"Send a reminder"</button>
            <span role="status">{move || outcome.get()}</span>
        </li>
    }
}

fn series_label(field: &str) -> Option<&'static str> {
    Some(match field {
        "name" => "Name",
        "cadence" => "How often",
        "depth" => "How far down",
        "teams" => "Teams",
        "per_week" => "People a week",
        "interval_weeks" => "Weeks between peer 1:1s",
        "template_key" => "Template",
        _ => return None,
    })
}

/// Starts a series.
#[component]
pub fn NewSeriesPage() -> impl IntoView {
    set_title("Start a series");
    let options = LocalResource::new(api::series_options);
    view! {
        <p><a href="/">"← Home"</a></p>
        <h1>"Start a series"</h1>
        {loaded(options, |o: SeriesOptions| view! { <NewSeriesForm options=o /> })}
    }
}

#[component]
fn NewSeriesForm(options: SeriesOptions) -> impl IntoView {
    if !options.in_directory {
        return view! {
            <p class="notice">"Your account has no place in the directory, so Skipcheck can't tell who is below you. Ask an admin to import you with your login email, then come back."</p>
        }
        .into_any();
    }
    let peer = RwSignal::new(false);
    let name = RwSignal::new("Skip-levels".to_owned());
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
            0 => format!("{n} direct reports"),
            1 => format!("{n} two levels down"),
            i => format!("{n} at level {}", i + 1),
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
        <p class="muted">{format!("Below you: {levels}. People at your level elsewhere: {}.", options.peers)}</p>
        <ErrorSummary errors label=series_label />
        <form class="stack" on:submit=submit novalidate>
            <fieldset>
                <legend>"What kind"</legend>
                <div class="check">
                    <input type="radio" id="kind-skip" name="kind" prop:checked=move || !peer.get() on:change=move |_| { peer.set(false); name.set("Skip-levels".to_owned()); } />
                    <label for="kind-skip">"Skip-levels"</label>
                    <p class="hint">"People two or more levels below you, with the skip-level template."</p>
                </div>
                <div class="check">
                    <input type="radio" id="kind-peer" name="kind" prop:checked=move || peer.get() on:change=move |_| { peer.set(true); name.set("Peer 1:1s".to_owned()); } />
                    <label for="kind-peer">"Peer 1:1s"</label>
                    <p class="hint">"People at your level in other groups, every 3 to 5 weeks, with the peer template."</p>
                </div>
            </fieldset>
            <TextField name="name" label="Name" value=name errors />
            <div class="field">
                <label for="f-template_key">"Template"</label>
                <p class="hint" id="f-template_key-hint">"Your own templates are made on the "<a href="/templates/" rel="external">"templates page"</a>"."</p>
                <p class="field-error" id="f-template_key-err">{move || errors.with(|e| e.of("template_key"))}</p>
                <select id="f-template_key" aria-describedby="f-template_key-hint f-template_key-err" bind:value=template>
                    <option value="">"The built-in template for this kind"</option>
                    {move || own_templates.get().and_then(Result::ok).map(|list| list
                        .into_iter()
                        .filter(|t| !t.built_in)
                        .map(|t| view! { <option value=t.key>{t.name}</option> })
                        .collect_view())}
                </select>
            </div>
            <Show when=move || !peer.get() fallback=move || view! {
                <div class="field">
                    <label for="f-interval_weeks">"Weeks between peer 1:1s"</label>
                    <select id="f-interval_weeks" bind:value=interval>
                        <option value="3">"3 weeks"</option>
                        <option value="4">"4 weeks"</option>
                        <option value="5">"5 weeks"</option>
                    </select>
                </div>
            }>
                <fieldset>
                    <legend>"How often"</legend>
                    <div class="check">
                        <input type="radio" id="cadence-quarterly" name="cadence" prop:checked=move || !weekly.get() on:change=move |_| weekly.set(false) />
                        <label for="cadence-quarterly">"Quarterly: everyone in a batch"</label>
                        <p class="hint">"Often the right balance: frequent enough to catch problems, rare enough not to overshadow your managers."</p>
                    </div>
                    <div class="check">
                        <input type="radio" id="cadence-weekly" name="cadence" prop:checked=move || weekly.get() on:change=move |_| weekly.set(true) />
                        <label for="cadence-weekly">"Weekly: a few people each week"</label>
                    </div>
                </fieldset>
                <Show when=move || weekly.get()>
                    <div class="field">
                        <label for="f-per_week">"People a week"</label>
                        <input id="f-per_week" type="number" min="1" max="10" inputmode="numeric" bind:value=per_week />
                    </div>
                </Show>
                <div class="field">
                    <label for="f-depth">"How far down"</label>
                    <select id="f-depth" bind:value=depth>
                        <option value="2">"Two levels down (your managers' reports)"</option>
                        <option value="3">"Three levels down"</option>
                        <option value="all">"All the way down"</option>
                    </select>
                </div>
            </Show>
            <fieldset id="f-teams" tabindex="-1">
                <legend>"Teams"</legend>
                <p class="hint">"Tick none to include every team."</p>
                {team_boxes}
            </fieldset>
            <button type="submit">"Start the series"</button>
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
        <p><a href="/">"← Home"</a></p>
        {loaded(detail, |d: SeriesDetail| {
            set_title(&d.series.name);
            view! {
                <h1>{d.series.name.clone()}</h1>
                <p class="meta">{format!("{} · template: {}", cadence_words(&d.series), d.series.template_name)}</p>
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
        view! { <p class="notice">{format!(
            "This turn is planned: the next proposals come from {}. You can still meet someone from the list below.",
            format_time(at)
        )}</p> }
    });
    let mut proposals = detail.proposals;
    let others = proposals.split_off(due.min(proposals.len()));
    let row = {
        let series_id = series_id.clone();
        move |p: Proposal| view! { <ProposalRow proposal=p series_id=series_id.clone() version invitation failure /> }
    };
    let empty = detail
        .empty_reason
        .map(|r| view! { <p class="notice">{r}</p> });
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
        <h2>"Next to meet"</h2>
        {empty}
        {turn}
        <ul class="proposals">{next}</ul>
        {(others_count > 0).then(|| view! {
            <details open=due == 0>
                <summary>{format!("Someone else instead ({others_count}, in order)")}</summary>
                <ul class="proposals">{rest}</ul>
            </details>
        })}
        <h2>"Meetings"</h2>
        {(!detail.series.stopped).then(|| {
            let id = series_id.clone();
            let stop = move |_| {
                if !window()
                    .confirm_with_message("Stop this series? It will propose no one and schedule nothing more; its meetings stay.")
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
            view! { <p class="stop"><button type="button" class="small secondary" on:click=stop>"Stop this series"</button></p> }
        })}
        <div class="table-wrap">
            <table>
                <thead><tr><th scope="col">"Person"</th><th scope="col">"Meeting"</th><th scope="col">"Check-in"</th><th scope="col">"Actions"</th></tr></thead>
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
                message: Some("Choose a date and time.".to_owned()),
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
                {format!(" · {} · {} · level {}", proposal.title, if proposal.team.is_empty() { "no team" } else { proposal.team.as_str() }, proposal.level)}</p>
            <p class="muted">{proposal.reason.clone()}</p>
            <div class="button-row">
                <button type="button" class="small" aria-expanded=move || open.get().to_string() aria-controls=form_id.clone()
                    aria-label=format!("Schedule {who}")
                    on:click=move |_| { open.update(|o| *o = !*o); if open.get_untracked() { focus_id(&focus_time); } }>"Schedule"</button>
                <button type="button" class="small secondary" aria-label=format!("Skip {} this quarter", proposal.name) on:click=skip>"Skip this quarter"</button>
            </div>
            <Show when=move || open.get()>
                <form class="stack schedule" id=form_id.clone() on:submit=schedule.clone() novalidate>
                    <ErrorSummary errors label=|f| match f { "at" => Some("When"), "duration_minutes" => Some("How long"), _ => None } />
                    <div class="field">
                        <label for=time_id.clone()>"When"</label>
                        <input id=time_id.clone() type="datetime-local" bind:value=when />
                    </div>
                    <div class="field">
                        <label for=format!("{time_id}-len")>"How long"</label>
                        <select id=format!("{time_id}-len") bind:value=minutes>
                            <option value="30">"30 minutes"</option>
                            <option value="45">"45 minutes"</option>
                            <option value="60">"1 hour"</option>
                        </select>
                    </div>
                    <button type="submit">"Schedule and write the invitation"</button>
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
        let question = format!(
            "Cancel the skip-level with {who_cancel}? Their link stops working and their written answers are deleted."
        );
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
                <button type="button" class="small secondary" aria-label=format!("New link for {who}") on:click=reissue>"New link"</button>
                <button type="button" class="small secondary" aria-label=format!("Move the meeting with {who}") aria-expanded=move || moving.get().to_string()
                    on:click=move |_| moving.update(|m| *m = !*m)>"Move"</button>
                <a class="small-link" href=format!("/api/meetings/{}/calendar.ics", meeting.id) download="meeting.ics">"Calendar file"</a>
                {upcoming.then(|| view! {
                    <button type="button" class="small secondary" aria-label=format!("Cancel the meeting with {}", meeting.person_name) on:click=cancel.clone()>"Cancel"</button>
                })}
                <Show when=move || moving.get()>
                    <form class="inline-form" on:submit=save_move.clone()>
                        <label for=move_id.clone()>"New time"</label>
                        <input id=move_id.clone() type="datetime-local" bind:value=when />
                        <button type="submit" class="small">"Save"</button>
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
            <h3>{format!("For {}, their manager", m.name)}</h3>
            <p class="muted">{match &m.email_outcome {
                Some(outcome) => format!("Emailed: {outcome}. It says when, and nothing from the check-in."),
                None => format!("To {} · {}. It says when, and nothing from the check-in.", m.email, m.subject),
            }}</p>
            <CopyText id="manager-text".to_owned() label="Message to the manager".to_owned() text=m.text multiline=true />
        }
    });
    view! {
        <section id="invitation" class="panel notice ok" tabindex="-1" aria-labelledby="invitation-title">
            <h2 id="invitation-title">{format!("Invitation for {}", invitation.meeting.person_name)}</h2>
            <p>{match &invitation.email_outcome {
                Some(outcome) => format!("Emailed: {outcome}. The personal link works until {}; a new link from the meetings list replaces it.", format_time(invitation.expires_at)),
                None => format!(
                    "Send it to {} yourself. The personal link is shown only now; it works until {}. A new link from the meetings list replaces it.",
                    invitation.person_email,
                    format_time(invitation.expires_at)
                ),
            }}</p>
            <CopyText id="invitation-subject".to_owned() label="Subject".to_owned() text=invitation.subject.clone() />
            <CopyText id="invitation-text".to_owned() label="Invitation".to_owned() text=invitation.text multiline=true />
            {match invitation.url {
                Some(url) => view! { <CopyText id="invitation-link".to_owned() label="Personal link".to_owned() text=url /> }.into_any(),
                None => view! { <p class="muted">"The personal link went only to them, by email: whoever holds it can answer in their name, so nobody else sees it."</p> }.into_any(),
            }}
            <p><a href=ics_href download="skip-level.ics">"Download the calendar file (.ics)"</a></p>
            {manager}
        </section>
    }
}
