//! The admin's bundle: only mounts.

fn main() {
    leptos::mount::mount_to_body(frontend::admin::AdminApp);
}
