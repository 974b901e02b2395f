//! What both bundles show: a question with its answer field and its
//! who-sees-this note, error and status lines, times.

use leptos::either::{Either, EitherOf3};
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::validate::{LONG_TEXT_MAX, SHORT_TEXT_MAX};
use shared::{Answer, Question, QuestionKind, Visibility};
use wasm_bindgen::JsCast;

use crate::api::ApiError;
use crate::i18n::{t, template_text, tf, tn};

/// A Unix time as the reader's locale writes a date and time, to the minute.
pub fn format_time(secs: i64) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(secs as f64 * 1000.0));
    String::from(date.to_locale_string(
        &locale(),
        &styles(&[("dateStyle", "medium"), ("timeStyle", "short")]),
    ))
}

/// A day (`YYYY-MM-DD`) as the reader's locale writes it; the text as
/// given if it is not a day.
pub fn format_day(day: &str) -> String {
    let mut parts = day.splitn(3, '-').map(|p| p.parse::<u32>().ok());
    let (Some(Some(y)), Some(Some(m)), Some(Some(d))) = (parts.next(), parts.next(), parts.next())
    else {
        return day.to_owned();
    };
    // Noon, so no time zone moves it to another day.
    let date =
        js_sys::Date::new_with_year_month_day_hr_min_sec(y, m as i32 - 1, d as i32, 12, 0, 0);
    String::from(date.to_locale_date_string(&locale(), &styles(&[("dateStyle", "medium")])))
}

/// A whole number as the reader's locale writes it (4,000 or 4.000).
pub fn format_number(n: usize) -> String {
    let number = js_sys::Number::from(n as f64);
    number
        .to_locale_string(&locale())
        .as_string()
        .unwrap_or_else(|| n.to_string())
}

/// A figure with one decimal as the reader's locale writes it (3.5 or 3,5).
pub fn format_decimal(x: f64) -> String {
    let options = js_sys::Object::new();
    for key in ["minimumFractionDigits", "maximumFractionDigits"] {
        let _ = js_sys::Reflect::set(&options, &key.into(), &1.into());
    }
    let locales = js_sys::Array::of1(&locale().into());
    js_sys::Intl::NumberFormat::new(&locales, &options)
        .format()
        .call1(&wasm_bindgen::JsValue::NULL, &x.into())
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_else(|| format!("{x:.1}"))
}

/// The reader's date today, `YYYY-MM-DD`, in their own time zone.
pub fn today() -> String {
    let now = js_sys::Date::new_0();
    format!(
        "{:04}-{:02}-{:02}",
        now.get_full_year(),
        now.get_month() + 1,
        now.get_date()
    )
}

/// The time now, as the reader's locale writes a time of day.
pub fn time_now() -> String {
    String::from(
        js_sys::Date::new_0()
            .to_locale_time_string_with_options(&locale(), &styles(&[("timeStyle", "short")])),
    )
}

/// An `Intl.DateTimeFormat` options object.
fn styles(pairs: &[(&str, &str)]) -> wasm_bindgen::JsValue {
    let options = js_sys::Object::new();
    for (key, value) in pairs {
        let _ = js_sys::Reflect::set(&options, &(*key).into(), &(*value).into());
    }
    options.into()
}

fn locale() -> String {
    crate::i18n::locale()
}

/// Moves the keyboard focus to the first field of question `id`.
pub fn focus_question(id: &str) {
    let found = document()
        .query_selector(&format!("#q-{id} input, #q-{id} textarea"))
        .ok()
        .flatten()
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(element) = found {
        let _ = element.focus();
    }
}

/// What a personal link without its token shows.
#[component]
pub fn IncompleteLink() -> impl IntoView {
    view! {
        <h1>{t("link.incomplete_title")}</h1>
        <p>{t("link.incomplete")}</p>
    }
}

/// A failed request, said plainly.
#[component]
pub fn Failure(
    /// What went wrong.
    error: ApiError,
) -> impl IntoView {
    view! {
        <div class="notice error" role="alert">
            <p>{error.message()}</p>
        </div>
    }
}

/// An option of a question: its label, what a screen reader reads when not
/// the label, and its answer.
type Choice = (String, Option<String>, Answer);

/// One question: its prompt, its field, who will see the answer, and any error.
///
/// One component for every kind of question: a field per kind would make the
/// check-in bundle carry several copies of the same reactive plumbing.
#[component]
pub fn QuestionField(
    /// The question to ask.
    question: Question,
    /// Who will read the answer, in a sentence. A signal, because it changes
    /// once anonymous answers are sealed.
    #[prop(into)]
    note: Signal<String>,
    /// The current answer.
    #[prop(into)]
    value: Signal<Option<Answer>>,
    /// The error to show next to the field, if any.
    #[prop(into)]
    error: Signal<Option<String>>,
    /// Whether the field is read-only.
    #[prop(into)]
    disabled: Signal<bool>,
    /// Called with the new answer (`None` when cleared).
    on_change: Callback<Option<Answer>>,
    /// Called when the field loses focus.
    on_blur: Callback<()>,
) -> impl IntoView {
    let id = question.id.clone();
    let invalid = move || error.with(Option::is_some).to_string();
    let required = question
        .required
        .then(|| view! { <span class="req">{t("q.required")}</span> });
    let field = match &question.kind {
        QuestionKind::ShortText | QuestionKind::LongText => {
            let long = question.kind == QuestionKind::LongText;
            let max = if long { LONG_TEXT_MAX } else { SHORT_TEXT_MAX };
            let described = format!("{id}-who {id}-count {id}-err");
            let text = move || match value.get() {
                Some(Answer::Text(t)) => t,
                _ => String::new(),
            };
            let chars = move || {
                value.with(|v| match v {
                    Some(Answer::Text(t)) => t.chars().count(),
                    _ => 0,
                })
            };
            // Shown only near the limit, where it helps; not a live region,
            // which would read the count out at every keystroke.
            let count = move || {
                let n = chars();
                (n * 5 > max * 4).then(|| {
                    let (n, max) = (n.to_string(), max.to_string());
                    tf("q.count", &[("n", &n), ("max", &max)])
                })
            };
            let input = move |ev: leptos::ev::Event| {
                let v = event_target_value(&ev);
                on_change.run((!v.is_empty()).then_some(Answer::Text(v)));
            };
            let blur = move |_| on_blur.run(());
            // Maxlength is left off on purpose: pasted text over the limit is
            // kept and flagged, never silently cut.
            let control = if long {
                Either::Left(view! {
                    <textarea id=id.clone() rows="5" aria-describedby=described aria-invalid=invalid
                        prop:value=text disabled=disabled on:input=input on:blur=blur></textarea>
                })
            } else {
                Either::Right(view! {
                    <input type="text" id=id.clone() aria-describedby=described aria-invalid=invalid
                        prop:value=text disabled=disabled on:input=input on:blur=blur />
                })
            };
            Either::Left(view! {
                <label for=id.clone() class="prompt">{template_text(&question.prompt)}{required}</label>
                {control}
                <p class="count" id=format!("{id}-count") class:over=move || { chars() > max }>{count}</p>
            })
        }
        kind => {
            let (mut options, ends): (Vec<Choice>, Option<String>) = match kind {
                QuestionKind::Scale {
                    min,
                    max,
                    min_label,
                    max_label,
                } => {
                    let (min_label, max_label) =
                        (template_text(min_label), template_text(max_label));
                    let (min_text, max_text) = (min.to_string(), max.to_string());
                    let ends: [(&str, &str); 4] = [
                        ("min", &min_text),
                        ("min_label", &min_label),
                        ("max", &max_text),
                        ("max_label", &max_label),
                    ];
                    let ends = tf("q.ends", &ends);
                    (
                        (*min..=*max)
                            .map(|n| {
                                let n_text = n.to_string();
                                let args = [("n", n_text.as_str()), ("max", max_text.as_str())];
                                // "7 of 10", and at the ends what they mean.
                                let label = if n == *min { &min_label } else { &max_label };
                                let spoken = if n == *min || n == *max {
                                    tf("q.point_label", &[args[0], args[1], ("label", label)])
                                } else {
                                    tf("q.point", &args)
                                };
                                (n_text, Some(spoken), Answer::Scale(n))
                            })
                            .collect(),
                        Some(ends),
                    )
                }
                QuestionKind::SingleChoice { options } => (
                    options
                        .iter()
                        .map(|o| (template_text(o), None, Answer::Choice(o.clone())))
                        .collect(),
                    None,
                ),
                _ => (
                    vec![
                        (t("q.yes"), None, Answer::YesNo(true)),
                        (t("q.no"), None, Answer::YesNo(false)),
                    ],
                    None,
                ),
            };
            // An anonymous question can be declined: that is counted too.
            if question.visibility == Visibility::Anonymous {
                options.push((t("q.decline"), None, Answer::PreferNotToSay));
            }
            let scale = matches!(kind, QuestionKind::Scale { .. });
            // What the ends of a scale mean is read out with every option.
            let described = if scale {
                format!("{id}-ends {id}-who {id}-err")
            } else {
                format!("{id}-who {id}-err")
            };
            let choices = options
                .into_iter()
                .enumerate()
                .map(|(i, (label, spoken, answer))| {
                    let input_id = format!("{id}-{i}");
                    let checked_answer = answer.clone();
                    let decline = answer == Answer::PreferNotToSay;
                    view! {
                        <span class="choice" class:decline=decline>
                            <input type="radio" id=input_id.clone() name=id.clone() aria-label=spoken aria-describedby=described.clone()
                                aria-invalid=invalid disabled=disabled
                                prop:checked=move || value.with(|v| v.as_ref() == Some(&checked_answer))
                                on:change=move |_| on_change.run(Some(answer.clone()))
                                on:blur=move |_| on_blur.run(()) />
                            <label for=input_id>{label}</label>
                        </span>
                    }
                })
                .collect_view();
            Either::Right(view! {
                <fieldset>
                    <legend class="prompt">{template_text(&question.prompt)}{required}</legend>
                    <div class="choices" class:scale=scale>{choices}</div>
                    {ends.map(|e| view! { <p class="ends" id=format!("{id}-ends")>{e}</p> })}
                </fieldset>
            })
        }
    };
    view! {
        <div class="question" id=format!("q-{id}")>
            {field}
            <p class="who" id=format!("{id}-who")>{note}</p>
            <p class="field-error" id=format!("{id}-err") aria-live="polite">{move || error.get()}</p>
        </div>
    }
}

/// Loads something once with `fetch` and shows it with `render`, a loading
/// line before, or the error. (A plain signal: the async resource machinery
/// costs the check-in bundle kilobytes it does not need.)
pub fn load_once<T, F, V>(
    fetch: F,
    title: &'static str,
    render: impl Fn(T) -> V + Send + Sync + 'static,
) -> impl IntoView
where
    T: Clone + Send + Sync + 'static,
    F: std::future::Future<Output = Result<T, ApiError>> + 'static,
    V: IntoView + 'static,
{
    let loaded = RwSignal::new(None::<Result<T, ApiError>>);
    spawn_local(async move { loaded.set(Some(fetch.await)) });
    move || match loaded.get() {
        None => EitherOf3::A(view! { <p class="muted" role="status">{t("loading")}</p> }),
        Some(Ok(value)) => EitherOf3::B(render(value)),
        Some(Err(error)) => EitherOf3::C(view! {
            <h1>{t(title)}</h1>
            <Failure error />
        }),
    }
}

/// One anonymous figure in a sentence: its mean and median, or why it is not shown.
pub fn figure_summary(result: &shared::api::Aggregate) -> String {
    use shared::api::Aggregate;
    match result {
        Aggregate::Released {
            n,
            buckets,
            mean,
            median,
            declined,
        } => {
            let declined = if *declined > 0 {
                format!(" {}", tn("components.declined", *declined as usize, &[]))
            } else {
                String::new()
            };
            let n = *n as usize;
            let figure = match (mean, median) {
                _ if buckets.is_empty() => tn("components.too_few_values", n, &[]),
                (Some(m), Some(d)) => {
                    let (m, d) = (format_decimal(*m), format_decimal(*d));
                    tn("components.mean_median", n, &[("mean", &m), ("median", &d)])
                }
                _ => tn("components.answered", n, &[]),
            };
            format!("{figure}{declined}")
        }
        Aggregate::Suppressed { n, k } => {
            let (k, n) = (k.to_string(), format_number(*n as usize));
            tf("components.not_shown_until", &[("k", &k), ("n", &n)])
        }
    }
}
