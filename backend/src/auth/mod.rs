//! Who is asking: leaders by session cookie, employees and managers by the
//! token of their personal link.

pub mod link;
pub mod password;
pub mod session;
pub mod token;

pub use link::{InviteLink, ManagerLink};
pub use session::{AuthLeader, SESSION_COOKIE};
