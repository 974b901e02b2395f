//! Form pieces for the leader's and admin's pages, after the GOV.UK Design
//! System: a label and a hint above each field, the error above the field it
//! concerns, and a summary at the top that links to each field.

use leptos::prelude::*;
use shared::FieldError;
use wasm_bindgen::JsCast;

use crate::api::ApiError;
use crate::i18n::{server_text, t, tf};

/// The element id of the field the server calls `field`.
pub fn field_id(field: &str) -> String {
    format!("f-{}", field.replace(' ', "-"))
}

/// Moves the keyboard focus to the element with this id, on the next frame:
/// after a signal change, the element may not be on the page yet.
pub fn focus_id(id: &str) {
    let id = id.to_owned();
    request_animation_frame(move || {
        if let Some(element) = document()
            .get_element_by_id(&id)
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let _ = element.focus();
        }
    });
}

/// What a failed form submission shows: the problems by field, or one
/// message for the whole form.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FormErrors {
    pub fields: Vec<FieldError>,
    pub message: Option<String>,
}

impl FormErrors {
    /// From a failed request.
    pub fn from_error(error: &ApiError) -> Self {
        let fields = error.fields().to_vec();
        let message = fields.is_empty().then(|| error.message());
        Self { fields, message }
    }

    /// Problems found in the page before sending.
    pub fn from_fields(fields: Vec<FieldError>) -> Self {
        Self {
            fields,
            message: None,
        }
    }

    /// The first problem with `field`, in the reader's language.
    pub fn of(&self, field: &str) -> Option<String> {
        self.fields
            .iter()
            .find(|f| f.field == field)
            .map(|f| server_text(&f.message))
    }

    pub fn is_empty(&self) -> bool {
        self.fields.is_empty() && self.message.is_none()
    }
}

/// The box at the top of a form that lists every problem and links to its
/// field. It takes the focus when it appears, so a screen reader reads it.
#[component]
pub fn ErrorSummary(
    /// The current problems.
    errors: RwSignal<FormErrors>,
    /// Turns a field's name into the words shown before its message, e.g.
    /// "email" into "Email" (in the reader's language). Unknown fields show
    /// their message only.
    #[prop(optional)]
    label: Option<fn(&str) -> Option<String>>,
) -> impl IntoView {
    let summary = NodeRef::<leptos::html::Div>::new();
    Effect::new(move || {
        if !errors.with(FormErrors::is_empty)
            && let Some(el) = summary.get()
        {
            let _ = el.focus();
        }
    });
    move || {
        let e = errors.get();
        (!e.is_empty()).then(|| {
            let items = e
                .fields
                .into_iter()
                .map(|f| {
                    let id = field_id(&f.field);
                    let message = server_text(&f.message);
                    let text = match label.and_then(|l| l(&f.field)) {
                        Some(name) => tf(
                            "forms.field_error",
                            &[("field", &name), ("message", &message)],
                        ),
                        None => match f.field.strip_prefix("line ") {
                            Some(line) => {
                                tf("forms.line_error", &[("line", line), ("message", &message)])
                            }
                            None if f.field == "file" => {
                                tf("forms.file_error", &[("message", &message)])
                            }
                            None => message,
                        },
                    };
                    let target = id.clone();
                    view! {
                        <li><a href=format!("#{id}") on:click=move |ev| {
                            if document().get_element_by_id(&target).is_some() {
                                ev.prevent_default();
                                focus_id(&target);
                            }
                        }>{text}</a></li>
                    }
                })
                .collect_view();
            view! {
                <div class="error-summary" role="alert" tabindex="-1" node_ref=summary>
                    <h2>{t("forms.problem")}</h2>
                    {e.message.map(|m| view! { <p>{m}</p> })}
                    <ul>{items}</ul>
                </div>
            }
        })
    }
}

/// A text field with its label, an optional hint and its error.
#[component]
pub fn TextField(
    /// The field's name as the server reports it in errors.
    name: &'static str,
    /// The label above the field.
    #[prop(into)]
    label: String,
    /// A hint under the label.
    #[prop(optional, into)]
    hint: Option<String>,
    /// The input type: text, email, password.
    #[prop(default = "text")]
    kind: &'static str,
    /// The browser's autofill hint.
    #[prop(default = "off")]
    autocomplete: &'static str,
    /// The field's value.
    value: RwSignal<String>,
    /// The form's problems.
    errors: RwSignal<FormErrors>,
) -> impl IntoView {
    let id = field_id(name);
    let error = move || errors.with(|e| e.of(name));
    let described = format!("{id}-hint {id}-err");
    view! {
        <div class="field" class:has-error=move || error().is_some()>
            <label for=id.clone()>{label}</label>
            {hint.map(|h| view! { <p class="hint" id=format!("{id}-hint")>{h}</p> })}
            <p class="field-error" id=format!("{id}-err")>{error}</p>
            <input id=id type=kind autocomplete=autocomplete spellcheck="false"
                aria-describedby=described aria-invalid=move || error().is_some().to_string()
                bind:value=value />
        </div>
    }
}

/// A checkbox with its label and an optional hint.
#[component]
pub fn CheckField(
    /// The field's name as the server reports it in errors.
    name: &'static str,
    /// The label beside the box.
    #[prop(into)]
    label: String,
    /// A hint under the label.
    #[prop(optional, into)]
    hint: Option<String>,
    /// Whether it is ticked.
    checked: RwSignal<bool>,
    /// The form's problems.
    errors: RwSignal<FormErrors>,
) -> impl IntoView {
    let id = field_id(name);
    let error = move || errors.with(|e| e.of(name));
    view! {
        <div class="check">
            <p class="field-error" id=format!("{id}-err")>{error}</p>
            <input type="checkbox" id=id.clone() aria-describedby=format!("{id}-hint {id}-err")
                bind:checked=checked />
            <label for=id.clone()>{label}</label>
            {hint.map(|h| view! { <p class="hint" id=format!("{id}-hint")>{h}</p> })}
        </div>
    }
}

/// Copies text to the clipboard; false where the browser won't.
pub fn copy_to_clipboard(text: &str) -> bool {
    let clipboard = js_sys::Reflect::get(&window().navigator(), &"clipboard".into()).ok();
    let write = clipboard
        .as_ref()
        .and_then(|c| js_sys::Reflect::get(c, &"writeText".into()).ok())
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
    match (clipboard, write) {
        (Some(c), Some(f)) => f.call1(&c, &text.into()).is_ok(),
        _ => false,
    }
}

/// Read-only text to copy: a label, the text (selected on focus) and a
/// Copy button.
#[component]
pub fn CopyText(
    /// The element id of the field.
    id: String,
    /// The label above it.
    label: String,
    /// The text.
    text: String,
    /// Several lines (a textarea) or one (an input).
    #[prop(optional)]
    multiline: bool,
) -> impl IntoView {
    let copied = RwSignal::new(false);
    let value = text.clone();
    let select = |ev: leptos::ev::FocusEvent| {
        if let Some(t) = ev.target() {
            if let Ok(i) = t.clone().dyn_into::<web_sys::HtmlInputElement>() {
                i.select();
            } else if let Ok(a) = t.dyn_into::<web_sys::HtmlTextAreaElement>() {
                a.select();
            }
        }
    };
    let field = if multiline {
        view! { <textarea id=id.clone() readonly rows="10" prop:value=value on:focus=select></textarea> }.into_any()
    } else {
        view! { <input id=id.clone() type="text" readonly prop:value=value on:focus=select /> }
            .into_any()
    };
    view! {
        <div class="copy">
            <label for=id>{label}</label>
            <div class="copy-row">
                {field}
                <button type="button" class="secondary" on:click=move |_| copied.set(copy_to_clipboard(&text))>
                    {move || if copied.get() { t("forms.copied") } else { t("forms.copy") }}
                </button>
            </div>
        </div>
    }
}

/// A one-time link to hand over, with a button that copies it.
#[component]
pub fn LinkToHand(
    /// Who the link is for, in words.
    who: String,
    /// The link.
    url: String,
    /// When it stops working.
    expires_at: i64,
) -> impl IntoView {
    view! {
        <div class="notice ok handover" role="status">
            <p>{tf("forms.handover", &[("who", &who), ("until", &crate::components::format_time(expires_at))])}</p>
            <CopyText id="handover-link".to_owned() label=t("forms.one_time_link") text=url />
        </div>
    }
}
