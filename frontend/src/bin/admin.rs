//! The admin's bundle: loads its strings, then mounts. Its pages are
//! written in English so far; so are their strings.

fn main() {
    frontend::i18n::start(frontend::i18n::Part::Pages, || {
        leptos::mount::mount_to_body(frontend::admin::AdminApp);
    });
}
