//! The leader's bundle: only mounts.

fn main() {
    leptos::mount::mount_to_body(frontend::leader::LeaderApp);
}
