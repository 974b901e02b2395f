//! The leader's reports bundle: loads the reader's strings (the manager's page
//! speaks their language), then mounts.

fn main() {
    frontend::i18n::start(frontend::i18n::Part::Pages, || {
        leptos::mount::mount_to_body(frontend::insights::InsightsApp);
    });
}
