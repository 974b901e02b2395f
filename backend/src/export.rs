//! A leader's own records as Markdown: one meeting, or every meeting with a
//! person. Plain text that reads well as it is and renders as Markdown.

use shared::meeting::{ItemStatus, PastMeeting, PersonHistory};
use shared::{Answer, Visibility};

/// A time as a UTC date and time, for a file that may be read anywhere.
fn when(at: i64) -> String {
    chrono::DateTime::from_timestamp(at, 0).map_or_else(
        || at.to_string(),
        |t| t.format("%Y-%m-%d %H:%M UTC").to_string(),
    )
}

/// Every line of `text` as a quote, so nothing in it reads as a heading.
fn quoted(text: &str) -> String {
    text.lines()
        .map(|l| format!("> {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// One meeting: the check-in's confidential answers, the notes, the items.
pub fn meeting(m: &PastMeeting, out: &mut String) {
    let b = &m.briefing;
    out.push_str(&format!(
        "## {} · {}\n\n",
        when(b.meeting.meeting_at),
        b.round_name
    ));
    out.push_str("### Check-in\n\n");
    if b.submitted_at.is_none() {
        out.push_str("Not sent.\n\n");
    }
    for q in b
        .template
        .questions()
        .filter(|q| q.visibility == Visibility::Confidential)
    {
        let answer = match b.answers.get(&q.id) {
            Some(Answer::Text(t)) => t.clone(),
            Some(a) => a.label(),
            None => "(no answer)".to_owned(),
        };
        out.push_str(&format!("**{}**\n\n{}\n\n", q.prompt, quoted(&answer)));
    }
    out.push_str("### Notes\n\n");
    if m.notes.trim().is_empty() {
        out.push_str("(none)\n\n");
    } else {
        out.push_str(&format!("{}\n\n", quoted(&m.notes)));
    }
    out.push_str("### Action items\n\n");
    if m.items.is_empty() {
        out.push_str("(none)\n\n");
    }
    for i in &m.items {
        let mark = if i.status == ItemStatus::Open {
            " "
        } else {
            "x"
        };
        let due = i
            .due_on
            .as_ref()
            .map_or_else(String::new, |d| format!(", due {d}"));
        let status = match i.status {
            ItemStatus::Open => String::new(),
            ItemStatus::Done => " (done)".to_owned(),
            ItemStatus::Dropped => " (dropped)".to_owned(),
        };
        let outcome = if i.outcome.is_empty() {
            String::new()
        } else {
            format!(": {}", i.outcome)
        };
        out.push_str(&format!(
            "- [{mark}] {} (owner: {}{due}){status}{outcome}\n",
            i.title,
            i.owner.as_str()
        ));
    }
    out.push('\n');
}

/// A person's history with the leader, newest meeting first.
pub fn history(h: &PersonHistory) -> String {
    let mut out = format!("# Skip-levels with {}\n\n", h.person_name);
    if !h.person_title.is_empty() {
        out.push_str(&format!("{}\n\n", h.person_title));
    }
    for m in &h.meetings {
        meeting(m, &mut out);
    }
    out
}
