//! The employee's and manager's bundle: only mounts.

fn main() {
    leptos::mount::mount_to_body(frontend::checkin::CheckinApp);
}
