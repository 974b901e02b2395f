//! The template editor's bundle (with its live preview of the check-in, too
//! large to share a bundle): loads its strings, then mounts. Its pages are
//! written in English so far.

fn main() {
    frontend::i18n::start(frontend::i18n::Part::Pages, || {
        leptos::mount::mount_to_body(frontend::template_editor::TemplatesApp);
    });
}
