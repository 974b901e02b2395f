//! The admin's bundle: loads its strings, then mounts. Its pages are
//! written in English so far; so are their strings.

fn main() {
    frontend::i18n::start(Some("en"), || {
        leptos::mount::mount_to_body(frontend::admin::AdminApp);
    });
}
