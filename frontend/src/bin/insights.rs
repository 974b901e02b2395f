//! The leader's reports bundle: only mounts.

fn main() {
    leptos::mount::mount_to_body(frontend::insights::InsightsApp);
}
