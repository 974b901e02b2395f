//! Who is asking: accounts (admins, leaders) by session cookie, employees and
//! managers by the token of their personal link, and someone setting a
//! password by the token of their one-time link.

pub mod limits;
pub mod link;
pub mod password;
pub mod session;
pub mod token;

pub use link::{
    InviteForm, InviteLink, InviteSubmission, ManagerLink, PasswordLink, bearer, invited_checkin,
};
pub use session::{AuthAccount, AuthAdmin, AuthLeader, SESSION_COOKIE};
