//! The employee's bundle: only starts the page.

fn main() {
    frontend::checkin::start();
}
