//! What a scheduled meeting sends: the transparent invitation (why
//! skip-levels happen, what to expect, who will see what, the personal link),
//! its calendar file, and the notice to the person's manager, which says that
//! the meeting happens and when, and nothing else.

use chrono::{DateTime, FixedOffset};
use icalendar::{Calendar, Component, Event, EventLike};

use crate::db::InvitationRow;

/// How long after the meeting its personal link keeps working, so the
/// person can read their answers back afterwards.
pub const LINK_GRACE_SECONDS: i64 = 7 * 86_400;

/// A time as the leader sees it: "Tuesday 1 December 2026, 10:00 (UTC+01:00)".
pub fn format_time(at: i64, utc_offset_minutes: i32) -> String {
    let offset = FixedOffset::east_opt(utc_offset_minutes.clamp(-18 * 60, 18 * 60) * 60)
        .or_else(|| FixedOffset::east_opt(0));
    match (DateTime::from_timestamp(at, 0), offset) {
        (Some(t), Some(offset)) => {
            let local = t.with_timezone(&offset);
            let zone = if utc_offset_minutes == 0 {
                "UTC".to_owned()
            } else {
                format!("UTC{}", local.format("%:z"))
            };
            format!("{} ({zone})", local.format("%A %-d %B %Y, %H:%M"))
        }
        _ => format!("{at} (Unix time)"),
    }
}

/// The subject and text of an invitation.
pub fn invitation(m: &InvitationRow, url: &str, utc_offset_minutes: i32) -> (String, String) {
    let when = format_time(m.scheduled_at, utc_offset_minutes);
    let leader = if m.leader_title.is_empty() {
        m.leader_name.clone()
    } else {
        format!("{} ({})", m.leader_name, m.leader_title)
    };
    let first = first_name(&m.person_name);
    if m.series_kind.as_deref() == Some("peer") {
        let subject = format!("Peer 1:1 with {} on {when}", m.leader_name);
        let text = format!(
            "Hi {first},\n\n\
             I'd like to catch up for {minutes} minutes on {when}: a peer 1:1, to hear what's going on in your world and to share what's going on in mine.\n\n\
             Before we meet, you can jot down a few notes here (a couple of minutes; only I will read them):\n{url}\n\n\
             What's going well? What issues are you seeing? Who has been particularly helpful or difficult? What should my team know about what your team is doing?\n\n\
             {leader}",
            minutes = m.duration_minutes,
        );
        return (subject, text);
    }
    let manager = m.manager_name.as_deref().map_or_else(
        || "your manager".to_owned(),
        |name| format!("your manager, {name},"),
    );
    let subject = format!("Skip-level 1:1 with {} on {when}", m.leader_name);
    let text = format!(
        "Hi {first},\n\n\
         I'd like to meet you for {minutes} minutes on {when}. It's a skip-level 1:1: I meet people across {org} regularly to hear directly how things are going, what gets in your way, and what you'd like from the company. It isn't a performance review, and day-to-day decisions stay with {manager} who knows we're meeting.\n\n\
         Before we meet, please fill in a short check-in (about ten minutes):\n{url}\n\n\
         Who sees what:\n\
         - Your written answers are confidential: only I read them, with your name. {manager_cap} does not see them. If I share anything with managers, it is broad themes, never what you said or who said it.\n\
         - A few questions, such as morale, are anonymous: they are only ever shown as a combined figure over at least {k} people, never with your name.\n\
         - Each question on the form says which kind it is. You can change your answers until the meeting starts.\n\n\
         The link is personal: please don't forward it. It stops working a week after the meeting.\n\n\
         See you then,\n{leader}",
        minutes = m.duration_minutes,
        org = m.org_name,
        manager_cap = shared::text::capitalised(&manager)
            .trim_end_matches(',')
            .to_owned(),
        k = m.k_threshold,
    );
    (subject, text)
}

/// A reminder with a new personal link, for a check-in not started.
pub fn reminder(m: &InvitationRow, url: &str, utc_offset_minutes: i32) -> (String, String) {
    let when = format_time(m.scheduled_at, utc_offset_minutes);
    let subject = format!("Reminder: your check-in before we meet on {when}");
    let text = format!(
        "Hi {first},\n\n\
         A reminder that we meet on {when}. If you have a few minutes before then, the check-in helps me make the most of our time:\n{url}\n\n\
         This link replaces the one in your invitation. Your written answers are only for me; a few questions are anonymous and only ever counted together with at least {k} people's.\n\n\
         {leader}",
        first = first_name(&m.person_name),
        k = m.k_threshold,
        leader = m.leader_name,
    );
    (subject, text)
}

/// What the person's manager is told: the meeting and its time, no content.
pub fn manager_notice(m: &InvitationRow, utc_offset_minutes: i32) -> (String, String) {
    let when = format_time(m.scheduled_at, utc_offset_minutes);
    let manager = m.manager_name.as_deref().map_or("", first_name);
    let subject = format!(
        "{} has a skip-level 1:1 with {}",
        m.person_name, m.leader_name
    );
    let text = format!(
        "Hi {manager},\n\n\
         A heads-up: {person} has a skip-level 1:1 with me on {when}.\n\n\
         It's part of my regular skip-levels, not a sign of a problem, and day-to-day decisions stay with you. What {first} says stays between us; if I see themes that need your help, I'll bring them to you myself.\n\n\
         {leader}",
        person = m.person_name,
        first = first_name(&m.person_name),
        leader = m.leader_name,
    );
    (subject, text)
}

/// The calendar file of a meeting (RFC 5545), with the invitation as its
/// description.
pub fn ics(m: &InvitationRow, subject: &str, text: &str, now: i64) -> String {
    let start = DateTime::from_timestamp(m.scheduled_at, 0).unwrap_or_default();
    let end =
        DateTime::from_timestamp(m.scheduled_at + m.duration_minutes * 60, 0).unwrap_or_default();
    let stamp = DateTime::from_timestamp(now, 0).unwrap_or_default();
    let event = Event::new()
        // Stable per meeting, so a calendar replaces rather than doubles it.
        .uid(&format!("{}@skipcheck", m.meeting_id))
        .summary(subject)
        .description(text)
        .starts(start)
        .ends(end)
        .timestamp(stamp)
        .add_property("ORGANIZER", format!("mailto:{}", m.leader_email))
        .add_property("ATTENDEE", format!("mailto:{}", m.person_email))
        .done();
    Calendar::new()
        .name("Skipcheck")
        .push(event)
        .done()
        .to_string()
}

fn first_name(name: &str) -> &str {
    name.split_whitespace().next().unwrap_or(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meeting() -> InvitationRow {
        InvitationRow {
            meeting_id: "m1".to_owned(),
            round_id: "r".to_owned(),
            person_id: "p".to_owned(),
            person_name: "Eve Engineer".to_owned(),
            person_email: "eve@acme.example".to_owned(),
            manager_id: Some("mo".to_owned()),
            manager_name: Some("Mo Manager".to_owned()),
            manager_email: Some("mo@acme.example".to_owned()),
            leader_name: "Lee Leader".to_owned(),
            leader_title: "VP Engineering".to_owned(),
            leader_email: "lee@acme.example".to_owned(),
            org_name: "Acme".to_owned(),
            series_kind: Some("skip_level".to_owned()),
            scheduled_at: 1_796_115_600, // Tuesday 2026-12-01 09:00 UTC
            duration_minutes: 45,
            k_threshold: 5,
        }
    }

    #[test]
    fn a_time_is_written_in_the_leaders_offset() {
        assert_eq!(
            format_time(1_796_115_600, 60),
            "Tuesday 1 December 2026, 10:00 (UTC+01:00)"
        );
        assert_eq!(
            format_time(1_796_115_600, 0),
            "Tuesday 1 December 2026, 09:00 (UTC)"
        );
    }

    #[test]
    fn the_invitation_says_why_what_to_expect_who_sees_what_and_the_link() {
        let (subject, text) = invitation(&meeting(), "https://x/checkin/#i=abc", 60);
        assert_eq!(
            subject,
            "Skip-level 1:1 with Lee Leader on Tuesday 1 December 2026, 10:00 (UTC+01:00)"
        );
        for needle in [
            "Hi Eve,",
            "45 minutes",
            "isn't a performance review",
            "https://x/checkin/#i=abc",
            "only I read them",
            "Your manager, Mo Manager does not see them",
            "at least 5 people",
            "Lee Leader (VP Engineering)",
        ] {
            assert!(text.contains(needle), "{needle:?} missing from:\n{text}");
        }
    }

    #[test]
    fn a_reminder_has_the_new_link_and_no_stray_indentation() {
        let (subject, text) = reminder(&meeting(), "https://x/checkin/#i=new", 0);
        assert!(subject.starts_with("Reminder: your check-in"));
        assert!(text.contains("https://x/checkin/#i=new"));
        assert!(text.lines().all(|l| !l.starts_with(' ')), "{text}");
    }

    #[test]
    fn the_manager_is_told_when_and_nothing_else() {
        let (subject, text) = manager_notice(&meeting(), 0);
        assert_eq!(subject, "Eve Engineer has a skip-level 1:1 with Lee Leader");
        assert!(text.starts_with("Hi Mo,"));
        assert!(text.contains("Tuesday 1 December 2026, 09:00 (UTC)"));
        assert!(!text.contains("checkin"), "no link to the check-in");
    }

    #[test]
    fn the_calendar_file_has_the_meeting_with_its_end_and_attendee() {
        let (subject, text) = invitation(&meeting(), "https://x/checkin/#i=abc", 0);
        let ics = ics(&meeting(), &subject, &text, 1_795_000_000);
        assert!(ics.starts_with("BEGIN:VCALENDAR"), "{ics}");
        for needle in [
            "DTSTART:20261201T090000Z",
            "DTEND:20261201T094500Z",
            "UID:m1@skipcheck",
            "ATTENDEE:mailto:eve@acme.example",
            "END:VEVENT",
        ] {
            assert!(ics.contains(needle), "{needle:?} missing from:\n{ics}");
        }
    }
}
