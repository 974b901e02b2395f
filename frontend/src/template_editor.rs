//! The leader's templates: the list (built in and their own), copying, and
//! the editor with the check-in shown exactly as an employee will see it.
//! Part of the admin bundle (pages every account may open live there); the
//! server lets leaders only.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::templates::{CopyTemplate, SaveTemplate, TemplateEntry};
use shared::{Question, QuestionKind, Section, Template, Visibility};

use crate::api;
use crate::components::QuestionField;
use crate::forms::{ErrorSummary, FormErrors, focus_id};
use crate::i18n::{t, template_text, tf, tn};
use crate::leader::param_id;
use crate::shell::{go_to, loaded, set_title};

/// Every template the leader can use, and a way to copy one.
#[component]
pub fn TemplatesPage() -> impl IntoView {
    set_title(&t("editor.templates"));
    let list = LocalResource::new(api::templates);
    view! {
        <p><a href="/" rel="external">{t("editor.back_home")}</a></p>
        <h1>{t("editor.templates")}</h1>
        <p>{t("editor.intro")}</p>
        {loaded(list, |list: Vec<TemplateEntry>| {
            let rows = list
                .into_iter()
                .map(|entry| view! { <TemplateRow entry /> })
                .collect_view();
            view! { <ul class="items">{rows}</ul> }
        })}
    }
}

#[component]
fn TemplateRow(entry: TemplateEntry) -> impl IntoView {
    let errors = RwSignal::new(FormErrors::default());
    let from = entry.key.clone();
    // A built-in template's name in the reader's language.
    let shown_name = if entry.built_in {
        template_text(&entry.name)
    } else {
        entry.name.clone()
    };
    let default_name = tf("editor.copy_name", &[("name", &shown_name)]);
    let copy = move |_| {
        let body = CopyTemplate {
            from: from.clone(),
            name: default_name.clone(),
        };
        spawn_local(async move {
            match api::copy_template(&body).await {
                Ok(copy) => go_to(&format!("/templates/{}", copy.key)),
                Err(e) => errors.set(FormErrors::from_error(&e)),
            }
        });
    };
    let questions = entry.template.questions().count();
    let what = if entry.built_in {
        tn("editor.built_in", questions, &[])
    } else {
        tn(
            "editor.yours",
            questions,
            &[("version", &entry.version.to_string())],
        )
    };
    view! {
        <li class="item">
            <p class="item-title">
                {if entry.built_in {
                    view! { <span>{shown_name.clone()}</span> }.into_any()
                } else {
                    view! { <a href=format!("/templates/{}", entry.key)>{entry.name.clone()}</a> }.into_any()
                }}
            </p>
            <p class="muted">{what}</p>
            <ErrorSummary errors />
            <button type="button" class="secondary small" aria-label=tf("editor.copy_of", &[("name", &shown_name)]) on:click=copy>{t("editor.copy")}</button>
        </li>
    }
}

/// One question as the editor holds it.
#[derive(Clone, Copy)]
struct Draft {
    id: RwSignal<String>,
    prompt: RwSignal<String>,
    /// short_text, long_text, scale, single_choice, yes_no
    kind: RwSignal<String>,
    min: RwSignal<String>,
    max: RwSignal<String>,
    min_label: RwSignal<String>,
    max_label: RwSignal<String>,
    /// One option per line.
    options: RwSignal<String>,
    anonymous: RwSignal<bool>,
    required: RwSignal<bool>,
}

impl Draft {
    fn of(q: &Question) -> Self {
        let (kind, min, max, min_label, max_label, options) = match &q.kind {
            QuestionKind::ShortText => (
                "short_text",
                1,
                10,
                String::new(),
                String::new(),
                String::new(),
            ),
            QuestionKind::LongText => (
                "long_text",
                1,
                10,
                String::new(),
                String::new(),
                String::new(),
            ),
            QuestionKind::Scale {
                min,
                max,
                min_label,
                max_label,
            } => (
                "scale",
                *min,
                *max,
                min_label.clone(),
                max_label.clone(),
                String::new(),
            ),
            QuestionKind::SingleChoice { options } => (
                "single_choice",
                1,
                10,
                String::new(),
                String::new(),
                options.join("\n"),
            ),
            QuestionKind::YesNo => ("yes_no", 1, 10, String::new(), String::new(), String::new()),
        };
        Self {
            id: RwSignal::new(q.id.clone()),
            prompt: RwSignal::new(q.prompt.clone()),
            kind: RwSignal::new(kind.to_owned()),
            min: RwSignal::new(min.to_string()),
            max: RwSignal::new(max.to_string()),
            min_label: RwSignal::new(min_label),
            max_label: RwSignal::new(max_label),
            options: RwSignal::new(options),
            anonymous: RwSignal::new(q.visibility == Visibility::Anonymous),
            required: RwSignal::new(q.required),
        }
    }

    fn blank() -> Self {
        Self::of(&Question {
            id: format!("q{:x}", (js_sys::Math::random() * 4_294_967_295.0) as u64),
            prompt: String::new(),
            kind: QuestionKind::LongText,
            visibility: Visibility::Confidential,
            required: false,
        })
    }

    fn question(&self) -> Question {
        let kind = match self.kind.get().as_str() {
            "short_text" => QuestionKind::ShortText,
            "scale" => QuestionKind::Scale {
                min: self.min.get().trim().parse().unwrap_or(1),
                max: self.max.get().trim().parse().unwrap_or(10),
                min_label: self.min_label.get(),
                max_label: self.max_label.get(),
            },
            "single_choice" => QuestionKind::SingleChoice {
                options: self
                    .options
                    .get()
                    .lines()
                    .map(|l| l.trim().to_owned())
                    .filter(|l| !l.is_empty())
                    .collect(),
            },
            "yes_no" => QuestionKind::YesNo,
            _ => QuestionKind::LongText,
        };
        Question {
            id: self.id.get().trim().to_owned(),
            prompt: self.prompt.get(),
            kind,
            visibility: if self.anonymous.get() {
                Visibility::Anonymous
            } else {
                Visibility::Confidential
            },
            required: self.required.get(),
        }
    }
}

#[derive(Clone, Copy)]
struct SectionDraft {
    title: RwSignal<String>,
    questions: RwSignal<Vec<Draft>>,
}

/// Edits one of the leader's templates, with the check-in beside it.
#[component]
pub fn TemplateEditorPage() -> impl IntoView {
    let key = param_id();
    let entry = LocalResource::new(move || {
        let key = key();
        async move { api::template(&key).await }
    });
    view! {
        <p><a href="/templates/">{t("editor.back_templates")}</a></p>
        {loaded(entry, editor)}
    }
}

fn editor(entry: TemplateEntry) -> impl IntoView {
    set_title(&tf("editor.edit", &[("name", &entry.name)]));
    let key = StoredValue::new(entry.key.clone());
    let version = RwSignal::new(entry.version);
    let name = RwSignal::new(entry.template.name.clone());
    let sections = RwSignal::new(
        entry
            .template
            .sections
            .iter()
            .map(|s| SectionDraft {
                title: RwSignal::new(s.title.clone()),
                questions: RwSignal::new(s.questions.iter().map(Draft::of).collect()),
            })
            .collect::<Vec<_>>(),
    );
    let errors = RwSignal::new(FormErrors::default());
    let saved = RwSignal::new(None::<String>);
    let built = move || Template {
        name: name.get(),
        version: version.get(),
        sections: sections
            .get()
            .iter()
            .map(|s| Section {
                title: s.title.get(),
                questions: s.questions.get().iter().map(Draft::question).collect(),
            })
            .collect(),
    };
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let template = built();
        let problems = shared::templates::check_template_edit(&template);
        if !problems.is_empty() {
            errors.set(FormErrors::from_fields(problems));
            return;
        }
        spawn_local(async move {
            match api::save_template(&key.get_value(), &SaveTemplate { template }).await {
                Ok(e) => {
                    version.set(e.version);
                    errors.set(FormErrors::default());
                    saved.set(Some(tf(
                        "editor.saved",
                        &[("version", &e.version.to_string())],
                    )));
                    focus_id("template-saved");
                }
                Err(e) => errors.set(FormErrors::from_error(&e)),
            }
        });
    };
    let add_section = move |_| {
        sections.update(|list| {
            list.push(SectionDraft {
                title: RwSignal::new(t("editor.new_section")),
                questions: RwSignal::new(Vec::new()),
            });
        });
    };
    let section_views = move || {
        let count = sections.get().len();
        sections
            .get()
            .into_iter()
            .enumerate()
            .map(|(si, s)| {
                let title_id = format!("s-{si}-title");
                let add_question = move |_| s.questions.update(|q| q.push(Draft::blank()));
                view! {
                    <fieldset class="section-edit">
                        <legend>{tf("editor.section", &[("n", &(si + 1).to_string())])}</legend>
                        <div class="field">
                            <label for=title_id.clone()>{t("editor.title")}</label>
                            <input id=title_id type="text" bind:value=s.title />
                        </div>
                        {order_buttons(sections, si, count, true)}
                        {move || question_editors(s.questions)}
                        <button type="button" class="secondary" on:click=add_question>{t("editor.add_question")}</button>
                    </fieldset>
                }
            })
            .collect_view()
    };
    let preview = move || {
        let sections = built()
            .sections
            .into_iter()
            .map(|s| {
                let questions = s
                    .questions
                    .into_iter()
                    .map(|q| {
                        let note = match q.visibility {
                            Visibility::Confidential => t("editor.note_confidential"),
                            Visibility::Anonymous => t("editor.note_anonymous"),
                        };
                        view! {
                            <QuestionField question=q note value=Signal::derive(|| None::<shared::Answer>) error=Signal::derive(|| None::<String>)
                                disabled=true on_change=Callback::new(|_| {}) on_blur=Callback::new(|()| {}) />
                        }
                    })
                    .collect_view();
                view! { <section><h3>{template_text(&s.title)}</h3>{questions}</section> }
            })
            .collect_view();
        view! { <div class="preview" aria-label=t("editor.preview")>{sections}</div> }
    };
    view! {
        <h1>{move || tf("editor.edit", &[("name", &name.get())])}</h1>
        <p class="meta">{move || tf("editor.version", &[("version", &version.get().to_string())])}</p>
        <div class="editor">
            <form class="stack" on:submit=save novalidate>
                <ErrorSummary errors />
                <div class="field">
                    <label for="f-name">{t("editor.name")}</label>
                    <input id="f-name" type="text" bind:value=name />
                </div>
                {section_views}
                <div class="button-row">
                    <button type="button" class="secondary" on:click=add_section>{t("editor.add_section")}</button>
                    <button type="submit">{t("editor.save")}</button>
                </div>
                <p id="template-saved" tabindex="-1" role="status">{move || saved.get()}</p>
            </form>
            <aside aria-labelledby="preview-title">
                <h2 id="preview-title">{t("editor.employee_sees")}</h2>
                {preview}
            </aside>
        </div>
    }
}

fn question_editors(questions: RwSignal<Vec<Draft>>) -> impl IntoView {
    let list = questions.get();
    let count = list.len();
    list.into_iter()
        .enumerate()
        .map(|(qi, d)| {
            let base = d.id.get_untracked();
            let pid = format!("f-{base}");
            let kid = format!("{pid}-kind");
            let is = move |k: &'static str| move || d.kind.get() == k;
            view! {
                <div class="question-edit">
                    <div class="field">
                        <label for=pid.clone()>{tf("editor.question", &[("n", &(qi + 1).to_string())])}</label>
                        <input id=pid.clone() type="text" bind:value=d.prompt />
                    </div>
                    <div class="field">
                        <label for=kid.clone()>{t("editor.kind")}</label>
                        <select id=kid bind:value=d.kind>
                            <option value="long_text">{t("editor.long_text")}</option>
                            <option value="short_text">{t("editor.short_text")}</option>
                            <option value="scale">{t("editor.scale")}</option>
                            <option value="single_choice">{t("editor.single_choice")}</option>
                            <option value="yes_no">{t("editor.yes_no")}</option>
                        </select>
                    </div>
                    <Show when=is("scale")>
                        <div class="inline-form">
                            <label>{t("editor.from")}" "<input type="number" bind:value=d.min /></label>
                            <label>{t("editor.to")}" "<input type="number" bind:value=d.max /></label>
                            <label>{t("editor.low_end")}" "<input type="text" bind:value=d.min_label /></label>
                            <label>{t("editor.high_end")}" "<input type="text" bind:value=d.max_label /></label>
                        </div>
                    </Show>
                    <Show when=is("single_choice")>
                        <div class="field">
                            <label>{t("editor.options")}<textarea rows="4" bind:value=d.options></textarea></label>
                        </div>
                    </Show>
                    <div class="check">
                        <input type="checkbox" id=format!("{pid}-anon") bind:checked=d.anonymous />
                        <label for=format!("{pid}-anon")>{t("editor.anonymous")}</label>
                    </div>
                    <div class="check">
                        <input type="checkbox" id=format!("{pid}-req") bind:checked=d.required />
                        <label for=format!("{pid}-req")>{t("editor.required")}</label>
                    </div>
                    {order_buttons(questions, qi, count, false)}
                </div>
            }
        })
        .collect_view()
}

/// Up, down and remove for entry `at` of `count` in `list` (sections or
/// questions), named for screen readers as "Move section N up" and so on.
fn order_buttons<T: Send + Sync + 'static>(
    list: RwSignal<Vec<T>>,
    at: usize,
    count: usize,
    section: bool,
) -> impl IntoView {
    let n = at + 1;
    let number = n.to_string();
    let args = [("n", number.as_str())];
    let (up, down, remove, remove_text) = if section {
        (
            tf("editor.section_up", &args),
            tf("editor.section_down", &args),
            tf("editor.section_remove", &args),
            t("editor.remove_section"),
        )
    } else {
        (
            tf("editor.question_up", &args),
            tf("editor.question_down", &args),
            tf("editor.question_remove", &args),
            t("editor.remove"),
        )
    };
    view! {
        <div class="button-row">
            <button type="button" class="secondary small" disabled=at == 0
                on:click=move |_| list.update(|l| shift(l, at, -1))
                aria-label=up>{t("editor.up")}</button>
            <button type="button" class="secondary small" disabled=n == count
                on:click=move |_| list.update(|l| shift(l, at, 1))
                aria-label=down>{t("editor.down")}</button>
            <button type="button" class="secondary small"
                on:click=move |_| list.update(|l| {
                    l.remove(at);
                })
                aria-label=remove>{remove_text}</button>
        </div>
    }
}

/// Moves the entry at `at` one place up (`by` = -1) or down (1), if it can.
fn shift<T>(list: &mut [T], at: usize, by: isize) {
    if let Some(to) = at.checked_add_signed(by).filter(|to| *to < list.len()) {
        list.swap(at, to);
    }
}

/// The bundle's root: the leader's templates (`/templates/`) and the
/// editor of one (`/templates/{key}`).
#[component]
pub fn TemplatesApp() -> impl IntoView {
    use leptos_router::components::{Route, Routes};
    use leptos_router::path;
    view! {
        <crate::shell::Shell bundle=crate::shell::Bundle::Templates>
            <Routes fallback=|| view! { <h1>{t("editor.not_found")}</h1><p><a href="/templates/">{t("editor.back_to_templates")}</a></p> }>
                <Route path=path!("/templates") view=TemplatesPage />
                <Route path=path!("/templates/:id") view=TemplateEditorPage />
            </Routes>
        </crate::shell::Shell>
    }
}
