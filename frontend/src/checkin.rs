//! The pages a personal link opens: an employee's check-in (`#i=TOKEN`) and a
//! manager's morale estimate (`#m=TOKEN`). The token sits in the URL fragment,
//! which browsers never send to a server, and goes to the API as a bearer token.

use leptos::either::EitherOf4;
use leptos::mount::mount_to_body;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::api::{CheckinView, DraftRequest, SubmitRequest};
use shared::meeting::ItemStatus;
use shared::validate::check_answer;
use shared::{Answer, Answers, FieldError, Mode, Question, Visibility};

use crate::api;
use crate::components::{
    Failure, IncompleteLink, QuestionField, focus_question, format_day, format_time, time_now,
};
use crate::i18n::{answer_error, t, template_text, tf};

/// Which page a link's fragment asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Link {
    Invite(String),
    Manager(String),
    Incomplete,
}

/// Reads `#i=TOKEN` or `#m=TOKEN`.
pub fn parse_fragment(fragment: &str) -> Link {
    let fragment = fragment.trim_start_matches('#');
    let token = |t: &str| t.trim().to_owned();
    match fragment.split_once('=') {
        Some(("i", t)) if !t.trim().is_empty() => Link::Invite(token(t)),
        Some(("m", t)) if !t.trim().is_empty() => Link::Manager(token(t)),
        _ => Link::Incomplete,
    }
}

/// The sentence under a question that says who will read its answer.
pub fn who_sees(visibility: Visibility, leader: &str, manager: Option<&str>, k: u32) -> String {
    match (visibility, manager) {
        (Visibility::Confidential, Some(manager)) => tf(
            "checkin.who_confidential",
            &[("leader", leader), ("manager", manager)],
        ),
        (Visibility::Confidential, None) => {
            tf("checkin.who_confidential_no_manager", &[("leader", leader)])
        }
        (Visibility::Anonymous, _) => tf(
            "checkin.who_anonymous",
            &[("leader", leader), ("k", &k.to_string())],
        ),
    }
}

/// Starts the bundle: loads the reader's strings, picks the page from the
/// fragment (or, in an intranet's frame, from the identity exchange), loads
/// the check-in, then mounts it.
///
/// The form is mounted once its data is in, rather than inside a reactive
/// "loading / loaded / failed" switch: such a switch makes Leptos generate
/// code to rebuild the whole form in place, which the check-in bundle can't
/// afford. The page's HTML shows the loading line until then.
pub fn start() {
    wasm_bindgen_futures::spawn_local(async {
        crate::i18n::load(crate::i18n::Part::Checkin).await;
        document().set_title(&format!("{} · Skipcheck", t("checkin.title")));
        let link = match parse_fragment(&window().location().hash().unwrap_or_default()) {
            Link::Incomplete => embedded().await.unwrap_or(Ok(Some(Link::Incomplete))),
            link => Ok(Some(link)),
        };
        let page = match link {
            Ok(Some(Link::Invite(token))) => match api::checkin(&token).await {
                Ok(view) => Ok(Some((view, token))),
                Err(error) => Err(Some(error)),
            },
            Ok(Some(Link::Manager(token))) => {
                // Manager forms live with the leader's pages, keeping this bundle small.
                let _ = window()
                    .location()
                    .replace(&format!("/insights/estimate#m={token}"));
                return;
            }
            Ok(Some(Link::Incomplete)) => Err(None),
            Ok(None) => Ok(None),
            Err(error) => Err(Some(error)),
        };
        if let Some(loading) = document().get_element_by_id("loading") {
            loading.remove();
        }
        // One mount for every outcome: each mount of its own costs the bundle.
        mount_to_body(move || {
            let content = match page {
                Ok(Some((view, token))) => EitherOf4::A(view! { <CheckinForm view token /> }),
                Ok(None) => EitherOf4::B(view! {
                    <h1>{t("embed.nothing_title")}</h1>
                    <p>{t("embed.nothing")}</p>
                }),
                Err(Some(error)) => EitherOf4::C(view! {
                    <h1>{t("checkin.title")}</h1>
                    <Failure error />
                }),
                Err(None) => EitherOf4::D(view! { <IncompleteLink /> }),
            };
            view! { <main id="main">{content}</main> }
        });
    });
}

/// In an intranet's frame (see `frontend/embed/frame.js`): the link the
/// identity exchange gave, none when there is nothing to fill in, or the
/// server's refusal. `None` outside a frame.
async fn embedded() -> Option<Result<Option<Link>, api::ApiError>> {
    use wasm_bindgen::JsCast;
    let promise: js_sys::Promise = js_sys::Reflect::get(&window(), &"skipcheckEmbed".into())
        .ok()?
        .dyn_into()
        .ok()?;
    Some(match wasm_bindgen_futures::JsFuture::from(promise).await {
        Ok(link) => Ok(link.as_string().map(Link::Invite)),
        // The server's error body, read field by field: a second
        // deserializer would cost the bundle more than this.
        Err(body) => {
            let field = |name: &str| {
                js_sys::Reflect::get(&body, &name.into())
                    .ok()
                    .and_then(|v| v.as_string())
                    .unwrap_or_default()
            };
            Err(api::ApiError::Server {
                status: 401,
                body: shared::api::ErrorBody {
                    error: field("error"),
                    message: field("message"),
                    fields: Vec::new(),
                },
            })
        }
    })
}

fn storage() -> Option<web_sys::Storage> {
    window().local_storage().ok().flatten()
}

/// Where this browser keeps the anonymous answers until they are submitted:
/// by meeting, so the emailed link and the intranet's widget find them alike.
fn anonymous_key(meeting: &str) -> String {
    format!("skipcheck.anon.{meeting}")
}

fn load_anonymous(meeting: &str) -> Answers {
    storage()
        .and_then(|s| s.get_item(&anonymous_key(meeting)).ok().flatten())
        .and_then(|json| api::from_json(&json))
        .unwrap_or_default()
}

fn store_anonymous(meeting: &str, answers: &Answers) {
    if let (Some(s), Some(json)) = (storage(), api::to_json(answers)) {
        let _ = s.set_item(&anonymous_key(meeting), &json);
    }
}

fn forget_anonymous(meeting: &str) {
    if let Some(s) = storage() {
        let _ = s.remove_item(&anonymous_key(meeting));
    }
}

/// The problem shown at a question, if any.
fn problem_at<'a>(problems: &'a [FieldError], field: &str) -> Option<&'a str> {
    problems
        .iter()
        .find(|p| p.field == field)
        .map(|p| p.message.as_str())
}

/// Shows `message` at a question, or clears it there.
fn set_problem(problems: &mut Vec<FieldError>, field: &str, message: Option<String>) {
    problems.retain(|p| p.field != field);
    if let Some(message) = message {
        problems.push(FieldError {
            field: field.to_owned(),
            message,
        });
    }
}

/// Where the autosave stands, for the status line.
#[derive(Debug, Clone, PartialEq)]
enum SaveState {
    Idle,
    Saving,
    /// Saved at this time; `true` when an answer with a problem was held back.
    Saved(String, bool),
    Failed(String),
}

/// The employee's check-in form, for a loaded [`CheckinView`].
///
/// Confidential answers are saved to the server as a draft shortly after each
/// change; anonymous ones stay in this browser only, until submitted.
#[component]
pub fn CheckinForm(
    /// What the invite link opened.
    view: CheckinView,
    /// The invite token, sent with every request.
    token: String,
) -> impl IntoView {
    let CheckinView {
        meeting_id,
        person_name,
        leader_name,
        leader_title,
        manager_name,
        round_name,
        meeting_at,
        editable: open,
        template,
        answers: saved,
        submitted_at,
        unsent_changes,
        anonymous_sealed,
        k,
        promised,
    } = view;
    let promised = (!promised.is_empty()).then(|| {
        let items = promised
            .into_iter()
            .map(|i| {
                let state = t(match i.status {
                    ItemStatus::Open => "checkin.item_open",
                    ItemStatus::Done => "checkin.item_done",
                    ItemStatus::Dropped => "checkin.item_dropped",
                });
                let due = i
                    .due_on
                    .map(|d| tf("checkin.item_due", &[("date", &format_day(&d))]))
                    .unwrap_or_default();
                view! { <li>{i.title}<span class="muted">{format!(" ({state}{due})")}</span></li> }
            })
            .collect_view();
        view! {
            <section class="promised">
                <h2>{tf("checkin.promised", &[("leader", &leader_name)])}</h2>
                <ul>{items}</ul>
            </section>
        }
    });
    let mut initial = saved;
    if anonymous_sealed {
        // Sent already (perhaps from another device): a copy left in this
        // browser could only give the answers away to the next person here.
        forget_anonymous(&meeting_id);
    } else {
        initial.extend(load_anonymous(&meeting_id));
        if !open {
            // Shown once more, but they can never be sent now.
            forget_anonymous(&meeting_id);
        }
    }
    let token = StoredValue::new(token);
    let meeting = StoredValue::new(meeting_id);
    let template = StoredValue::new(template);
    let answers = RwSignal::new(initial);
    // A list rather than a map: a second map type would cost the bundle a
    // second copy of the map code, and there are only a dozen questions.
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let editable = RwSignal::new(open);
    let sealed = RwSignal::new(anonymous_sealed);
    let submitted = RwSignal::new(submitted_at);
    let save_state = RwSignal::new(SaveState::Idle);
    let submitting = RwSignal::new(false);
    // Edits since the last submit: the leader reads only what was submitted.
    let unsent = RwSignal::new(unsent_changes);
    let form_error = RwSignal::new(None::<String>);
    let pending_save = StoredValue::new(None::<TimeoutHandle>);
    // Which draft save is the latest: an older answer arriving late must not
    // overwrite what the status line says about a newer one.
    let save_seq = StoredValue::new(0u32);

    // The answers to this template's questions (of one visibility, if given)
    // that pass the draft rules, and whether any was held back. A stale id
    // (say, from a template change) would make the server refuse them all.
    // (Inserting keeps the page free of the sorting code a `collect` into a
    // map brings.)
    let answers_of = move |visibility: Option<Visibility>| {
        let mut out = Answers::new();
        let mut held = false;
        answers.with_untracked(|all| {
            template.with_value(|t| {
                for (id, a) in all {
                    if let Some(q) = t.question(id) {
                        if visibility.is_some_and(|v| v != q.visibility) {
                            continue;
                        }
                        if check_answer(q, Some(a), Mode::Draft).is_ok() {
                            out.insert(id.clone(), a.clone());
                        } else {
                            held = true;
                        }
                    }
                }
            });
        });
        (out, held)
    };

    let show_field_errors = move |e: &api::ApiError| {
        let fields = e.fields();
        if !fields.is_empty() {
            errors.update(|list| {
                for f in fields {
                    set_problem(list, &f.field, Some(f.message.clone()));
                }
            });
        }
    };
    // The meeting has started: nothing can be changed any more.
    let lock = move || {
        if let Some(h) = pending_save.get_value() {
            h.clear();
        }
        pending_save.set_value(None);
        editable.set(false);
    };

    let save_draft = move || {
        if let Some(h) = pending_save.get_value() {
            h.clear();
        }
        pending_save.set_value(None);
        if !editable.get_untracked() {
            return;
        }
        let seq = save_seq.get_value().wrapping_add(1);
        save_seq.set_value(seq);
        save_state.set(SaveState::Saving);
        let (answers, held) = answers_of(Some(Visibility::Confidential));
        spawn_local(async move {
            let result = api::save_draft(&token.get_value(), &DraftRequest { answers }).await;
            if save_seq.get_value() != seq {
                return;
            }
            match result {
                Ok(_) => save_state.set(SaveState::Saved(time_now(), held)),
                Err(e) => {
                    show_field_errors(&e);
                    if e.code() == Some("locked") {
                        lock();
                    }
                    save_state.set(SaveState::Failed(e.message()));
                }
            }
        });
    };

    let on_change = move |question: Question, answer: Option<Answer>| {
        unsent.set(true);
        answers.update(|all| match &answer {
            Some(a) => {
                all.insert(question.id.clone(), a.clone());
            }
            None => {
                all.remove(&question.id);
            }
        });
        // A problem shows as soon as the answer breaks a rule (text over its
        // limit) and goes as soon as it is fixed; a missing answer is only
        // flagged on submit.
        let problem = check_answer(&question, answer.as_ref(), Mode::Draft)
            .err()
            .map(|e| answer_error(&e));
        if errors.with_untracked(|list| problem_at(list, &question.id) != problem.as_deref()) {
            errors.update(|list| set_problem(list, &question.id, problem));
        }
        match question.visibility {
            Visibility::Anonymous => {
                store_anonymous(
                    &meeting.get_value(),
                    &answers_of(Some(Visibility::Anonymous)).0,
                );
            }
            Visibility::Confidential => {
                if let Some(h) = pending_save.get_value() {
                    h.clear();
                }
                let handle =
                    set_timeout_with_handle(save_draft, std::time::Duration::from_millis(700)).ok();
                pending_save.set_value(handle);
            }
        }
    };

    let on_blur = move |question: Question| {
        let answer = answers.with_untracked(|all| all.get(&question.id).cloned());
        if let Err(e) = check_answer(&question, answer.as_ref(), Mode::Draft) {
            errors.update(|list| set_problem(list, &question.id, Some(answer_error(&e))));
        }
        // Leaving a field is a good moment to save: the person may be about
        // to close the page.
        if pending_save.with_value(Option::is_some) {
            save_draft();
        }
    };

    // Closing the page with a save pending or failed would lose what was
    // typed: save now, and let the browser ask whether to leave.
    let leaving = window_event_listener_untyped("beforeunload", move |ev| {
        if pending_save.try_with_value(Option::is_some) == Some(true) {
            save_draft();
        }
        // Once the meeting has started there is nothing left to save.
        if editable.try_get_untracked() == Some(true)
            && matches!(
                save_state.try_get_untracked(),
                Some(SaveState::Saving | SaveState::Failed(_))
            )
        {
            ev.prevent_default();
        }
    });
    on_cleanup(move || leaving.remove());

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if submitting.get_untracked() || !editable.get_untracked() {
            return;
        }
        let only_confidential = sealed.get_untracked();
        let mut found = Vec::new();
        let mut first = None;
        answers.with_untracked(|all| {
            template.with_value(|t| {
                for q in t.questions() {
                    if only_confidential && q.visibility == Visibility::Anonymous {
                        continue;
                    }
                    if let Err(e) = check_answer(q, all.get(&q.id), Mode::Submit) {
                        first.get_or_insert_with(|| q.id.clone());
                        set_problem(&mut found, &q.id, Some(answer_error(&e)));
                    }
                }
            });
        });
        errors.set(found);
        if let Some(id) = first {
            form_error.set(Some(t("checkin.need_look")));
            focus_question(&id);
            return;
        }
        // The submit carries the answers; a draft save would only race it.
        if let Some(h) = pending_save.get_value() {
            h.clear();
        }
        pending_save.set_value(None);
        save_seq.set_value(save_seq.get_value().wrapping_add(1));
        submitting.set(true);
        form_error.set(None);
        spawn_local(async move {
            let mut only_confidential = only_confidential;
            loop {
                let visibility = only_confidential.then_some(Visibility::Confidential);
                let body = SubmitRequest {
                    answers: answers_of(visibility).0,
                };
                match api::submit(&token.get_value(), &body).await {
                    // The anonymous part was sent already, from another tab or
                    // device: it stays as it was; send the rest.
                    Err(e) if e.code() == Some("sealed") && !only_confidential => {
                        sealed.set(true);
                        forget_anonymous(&meeting.get_value());
                        only_confidential = true;
                    }
                    Ok(saved) => {
                        if saved.anonymous_sealed {
                            forget_anonymous(&meeting.get_value());
                        }
                        sealed.set(saved.anonymous_sealed);
                        submitted.set(saved.submitted_at);
                        unsent.set(false);
                        save_state.set(SaveState::Idle);
                        break;
                    }
                    Err(e) => {
                        show_field_errors(&e);
                        if let Some(f) = e.fields().first() {
                            focus_question(&f.field);
                        }
                        if e.code() == Some("locked") {
                            lock();
                        }
                        form_error.set(Some(tf("checkin.send_failed", &[("why", &e.message())])));
                        break;
                    }
                }
            }
            submitting.set(false);
        });
    };

    let unsent_note = tf("checkin.unsent", &[("leader", &leader_name)]);
    let manager_label = manager_name
        .clone()
        .unwrap_or_else(|| t("checkin.your_manager"));
    let sections = template.with_value(|t| t.sections.clone());
    let sections = sections
        .into_iter()
        .map(|section| {
            let questions = section
                .questions
                .into_iter()
                .map(|q| {
                    let anonymous = q.visibility == Visibility::Anonymous;
                    let who = who_sees(q.visibility, &leader_name, manager_name.as_deref(), k);
                    let note = Signal::derive(move || {
                        if anonymous && sealed.get() {
                            t("checkin.sealed_note")
                        } else {
                            who.clone()
                        }
                    });
                    let id = q.id.clone();
                    let value_id = id.clone();
                    let (change_q, blur_q) = (q.clone(), q.clone());
                    view! {
                        <QuestionField
                            question=q
                            note
                            value=Signal::derive(move || answers.with(|a| a.get(&value_id).cloned()))
                            error=Signal::derive(move || errors.with(|list| problem_at(list, &id).map(str::to_owned)))
                            disabled=Signal::derive(move || !editable.get() || (anonymous && sealed.get()))
                            on_change=Callback::new(move |a| on_change(change_q.clone(), a))
                            on_blur=Callback::new(move |()| on_blur(blur_q.clone()))
                        />
                    }
                })
                .collect_view();
            view! {
                <section>
                    <h2>{template_text(&section.title)}</h2>
                    {questions}
                </section>
            }
        })
        .collect_view();

    let status = move || match save_state.get() {
        SaveState::Idle => String::new(),
        SaveState::Saving => t("checkin.saving"),
        SaveState::Saved(at, false) => tf("checkin.saved", &[("at", &at)]),
        SaveState::Saved(at, true) => tf("checkin.saved_held", &[("at", &at)]),
        SaveState::Failed(why) => tf("checkin.save_failed", &[("why", &why)]),
    };
    let submit_label = move || {
        t(if submitting.get() {
            "checkin.sending"
        } else if submitted.get().is_some() {
            "checkin.submit_changes"
        } else {
            "checkin.submit"
        })
    };
    let k_text = k.to_string();
    let intro = [
        tf(
            "checkin.intro1",
            &[("leader", &leader_name), ("manager", &manager_label)],
        ),
        t("checkin.intro2"),
        tf(
            "checkin.intro3",
            &[
                ("leader", &leader_name),
                ("manager", &manager_label),
                ("k", &k_text),
            ],
        ),
    ]
    .map(|p| view! { <p>{p}</p> });

    view! {
        <h1>{tf("checkin.heading", &[("leader", &leader_name)])}</h1>
        <p class="meta">
            {format!("{leader_name}, {leader_title} · {} · {round_name}", format_time(meeting_at))}
        </p>
        <p class="meta">{tf("checkin.hi", &[("name", &person_name)])}</p>
        <details class="intro" open=submitted_at.is_none()>
            <summary>{t("checkin.why")}</summary>
            {intro}
        </details>
        {promised}
        {move || (!editable.get()).then(|| view! {
            <p class="notice" role="status">{t("checkin.readonly")}</p>
        })}
        <form on:submit=submit novalidate>
            {sections}
            <div class="actions">
                <p class="status" role="status" aria-live="polite">{status}</p>
                {move || (unsent.get() && submitted.get().is_some()).then(|| view! {
                    <p class="notice">{unsent_note.clone()}</p>
                })}
                {move || form_error.get().map(|e| view! { <p class="notice error" role="alert">{e}</p> })}
                {move || submitted.get().map(|at| view! {
                    <p class="notice ok" role="status">
                        {tf("checkin.sent", &[("at", &format_time(at)), ("leader", &leader_name)])}
                        " "
                        {move || sealed.get().then(|| t("checkin.anonymous_in"))}
                    </p>
                })}
                <button type="submit" disabled=move || !editable.get() || submitting.get()>{submit_label}</button>
            </div>
        </form>
    }
}
