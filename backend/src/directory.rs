//! The directory: reading a people CSV, checking it whole, working out what
//! an import changes, and the reporting tree's levels.
//!
//! `parse` and `plan` touch no database: `plan` takes the directory as it is
//! and returns what to write, so the preview and the import are the same
//! code; [`import`] runs them against the database, for the API and the shell.

use std::collections::{HashMap, HashSet};

use shared::admin::{ImportChange, ImportRemoval, ImportReport};
use shared::people::{check_name, check_optional};
use shared::{Email, FieldError};

use crate::db::PersonRow;

/// Largest file accepted, in bytes.
pub const MAX_BYTES: usize = 10 * 1024 * 1024;
/// Most data rows accepted.
pub const MAX_ROWS: usize = 50_000;
/// Most problems listed for one file: past that the list stops with a count.
const MAX_PROBLEMS: usize = 500;

/// Columns a file must have; `title` and `team` may be left out.
const REQUIRED: [&str; 3] = ["email", "name", "manager_email"];

/// One valid row of a people file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportRow {
    /// Line of the file where the row starts (the header is line 1).
    pub line: u32,
    pub email: Email,
    pub name: String,
    pub title: String,
    pub team: String,
    pub manager: Option<Email>,
}

/// Problems, each tied to a line (`field` is "line 7", or "file").
#[derive(Debug, Default)]
struct Problems(Vec<FieldError>);

impl Problems {
    fn file(&mut self, message: impl Into<String>) {
        self.0.push(FieldError {
            field: "file".to_owned(),
            message: message.into(),
        });
    }

    fn line(&mut self, line: u32, message: impl Into<String>) {
        self.0.push(FieldError {
            field: format!("line {line}"),
            message: message.into(),
        });
    }

    fn finish(mut self) -> Vec<FieldError> {
        if self.0.len() > MAX_PROBLEMS {
            let more = self.0.len() - MAX_PROBLEMS;
            self.0.truncate(MAX_PROBLEMS);
            self.file(format!("… and {more} more problems."));
        }
        self.0
    }
}

/// `email`, `Manager Email`, `manager-email` all name the same column.
fn column_key(header: &str) -> String {
    header
        .trim()
        .to_lowercase()
        .chars()
        .map(|c| if c == ' ' || c == '-' { '_' } else { c })
        .collect()
}

/// Comma or semicolon: whichever the header line has more of, outside quotes.
fn delimiter(text: &str) -> u8 {
    let header = text.lines().next().unwrap_or_default();
    let (mut commas, mut semicolons, mut quoted) = (0, 0, false);
    for c in header.chars() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => commas += 1,
            ';' if !quoted => semicolons += 1,
            _ => {}
        }
    }
    if semicolons > commas { b';' } else { b',' }
}

/// Reads and checks a whole people file. Either every row is valid and the
/// reporting lines form a tree, or every problem comes back, by line.
pub fn parse(bytes: &[u8]) -> Result<Vec<ImportRow>, Vec<FieldError>> {
    let mut problems = Problems::default();
    if bytes.len() > MAX_BYTES {
        problems.file(format!(
            "The file is larger than {} MB. Split it, or leave out columns Skipcheck does not use.",
            MAX_BYTES / 1024 / 1024
        ));
        return Err(problems.finish());
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            let line = bytes[..e.valid_up_to()]
                .iter()
                .filter(|b| **b == b'\n')
                .count()
                + 1;
            problems.line(
                u32::try_from(line).unwrap_or(u32::MAX),
                "This line is not UTF-8 text. Save the file as \"CSV UTF-8\" and try again.",
            );
            return Err(problems.finish());
        }
    };
    if let Some(at) = text.find('\0') {
        let line = text[..at].matches('\n').count() + 1;
        problems.line(
            u32::try_from(line).unwrap_or(u32::MAX),
            "This line holds a NUL character. Save the file as \"CSV UTF-8\" and try again.",
        );
        return Err(problems.finish());
    }
    if text.trim().is_empty() {
        problems.file("The file is empty. The first line must name the columns: email,name,title,manager_email,team.");
        return Err(problems.finish());
    }
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter(text))
        .flexible(true)
        .has_headers(true)
        .from_reader(text.as_bytes());

    let headers = match reader.headers() {
        Ok(h) => h.iter().map(column_key).collect::<Vec<_>>(),
        Err(e) => {
            problems.line(1, format!("The header line could not be read: {e}."));
            return Err(problems.finish());
        }
    };
    let mut columns: HashMap<&str, usize> = HashMap::new();
    for (i, h) in headers.iter().enumerate() {
        if !h.is_empty() && columns.insert(h.as_str(), i).is_some() {
            problems.line(1, format!("The column \"{h}\" appears twice."));
        }
    }
    let missing: Vec<&str> = REQUIRED
        .iter()
        .copied()
        .filter(|c| !columns.contains_key(c))
        .collect();
    if !missing.is_empty() {
        problems.line(
            1,
            format!(
                "Missing columns: {}. The first line must name the columns, for example: email,name,title,manager_email,team.",
                missing.join(", "),
            ),
        );
    }
    if !problems.0.is_empty() {
        return Err(problems.finish());
    }
    let get = |record: &csv::StringRecord, column: &str| -> String {
        columns
            .get(column)
            .and_then(|&i| record.get(i))
            .unwrap_or_default()
            .to_owned()
    };

    let mut rows = Vec::new();
    let mut first_line: HashMap<Email, u32> = HashMap::new();
    // (line, own email, manager's email) of every row naming a manager, bad
    // rows too, so each problem of a row is listed at once.
    let mut manager_refs: Vec<(u32, Option<Email>, Email)> = Vec::new();
    for (count, record) in reader.records().enumerate() {
        if count >= MAX_ROWS {
            problems.file(format!(
                "The file has more than {} rows; Skipcheck takes at most {MAX_ROWS} people per import.",
                "50 000"
            ));
            return Err(problems.finish());
        }
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                problems.line(
                    u32::try_from(line).unwrap_or(u32::MAX),
                    format!("This line could not be read: {e}."),
                );
                continue;
            }
        };
        let line = u32::try_from(record.position().map_or(0, |p| p.line())).unwrap_or(u32::MAX);
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let email = Email::parse(&get(&record, "email"));
        let name = check_name(&get(&record, "name"));
        let title = check_optional(&get(&record, "title"));
        let team = check_optional(&get(&record, "team"));
        let manager_raw = get(&record, "manager_email");
        let manager = if manager_raw.trim().is_empty() {
            Ok(None)
        } else {
            Email::parse(&manager_raw).map(Some)
        };
        for (column, result) in [
            ("email", email.as_ref().err()),
            ("name", name.as_ref().err()),
            ("title", title.as_ref().err()),
            ("team", team.as_ref().err()),
            ("manager_email", manager.as_ref().err()),
        ] {
            if let Some(message) = result {
                problems.line(line, format!("{column}: {message}"));
            }
        }
        if let Ok(Some(m)) = &manager {
            manager_refs.push((line, email.as_ref().ok().cloned(), m.clone()));
        }
        // A valid email counts as in the file even when the rest of its row is
        // wrong, so that its reports are not also told their manager is missing.
        if let Ok(email) = &email {
            if let Some(first) = first_line.get(email) {
                problems.line(
                    line,
                    format!("email: {email} is already on line {first}; each person once."),
                );
                continue;
            }
            first_line.insert(email.clone(), line);
        }
        if let (Ok(email), Ok(name), Ok(title), Ok(team), Ok(manager)) =
            (email, name, title, team, manager)
        {
            rows.push(ImportRow {
                line,
                email,
                name,
                title,
                team,
                manager,
            });
        }
    }
    if rows.is_empty() && problems.0.is_empty() {
        problems.file("The file has a header but no people.");
    }

    // Every manager must be in the file: the file is the whole directory.
    for (line, own, manager) in &manager_refs {
        if own.as_ref() == Some(manager) {
            problems.line(
                *line,
                format!("manager_email: {manager} cannot manage themself."),
            );
        } else if !first_line.contains_key(manager) {
            problems.line(
                *line,
                format!("manager_email: nobody in the file has the email {manager}. Add them, or leave the manager blank."),
            );
        }
    }
    // Problems in file order, whichever check found them.
    problems.0.sort_by_key(|p| line_number(&p.field));
    if problems.0.is_empty() {
        for cycle in cycles(&rows) {
            let first = cycle.first().map_or(0, |r| r.line);
            let path: Vec<String> = cycle
                .iter()
                .map(|r| format!("{} (line {})", r.email, r.line))
                .chain(cycle.first().map(|r| r.email.to_string()))
                .collect();
            problems.line(
                first,
                format!(
                    "Reporting lines go round in a circle: {}.",
                    path.join(" → ")
                ),
            );
        }
    }
    if problems.0.is_empty() {
        Ok(rows)
    } else {
        Err(problems.finish())
    }
}

/// The line a problem is about, for sorting ("file" comes last).
fn line_number(field: &str) -> u32 {
    field
        .strip_prefix("line ")
        .and_then(|n| n.parse().ok())
        .unwrap_or(u32::MAX)
}

/// Each circle in the reporting lines, once, in the order people report.
fn cycles(rows: &[ImportRow]) -> Vec<Vec<&ImportRow>> {
    let by_email: HashMap<&Email, &ImportRow> = rows.iter().map(|r| (&r.email, r)).collect();
    // 0 = not seen, 1 = on the current path, 2 = known to reach the top.
    let mut state: HashMap<&Email, u8> = HashMap::new();
    let mut found = Vec::new();
    for start in rows {
        let mut path: Vec<&ImportRow> = Vec::new();
        let mut at = Some(start);
        while let Some(row) = at {
            match state.get(&row.email).copied().unwrap_or(0) {
                2 => break,
                1 => {
                    if let Some(i) = path.iter().position(|r| r.email == row.email) {
                        found.push(path[i..].to_vec());
                    }
                    break;
                }
                _ => {
                    state.insert(&row.email, 1);
                    path.push(row);
                    at = row.manager.as_ref().and_then(|m| by_email.get(m).copied());
                }
            }
        }
        for row in path {
            state.insert(&row.email, 2);
        }
    }
    found
}

/// What to write for one row of an import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Write {
    /// A new person, with this new id.
    Insert { id: String },
    /// An existing person whose fields or manager change.
    Update { id: String },
    /// An existing person exactly as in the file.
    Keep { id: String },
}

impl Write {
    pub fn id(&self) -> &str {
        match self {
            Self::Insert { id } | Self::Update { id } | Self::Keep { id } => id,
        }
    }
}

/// An import worked out against the directory as it is.
#[derive(Debug, Clone)]
pub struct Plan {
    pub report: ImportReport,
    /// One per row, in file order.
    pub writes: Vec<Write>,
    /// Ids of active people not in the file.
    pub deactivate: Vec<String>,
}

/// Compares the file with the directory: who is added, changed, moved to
/// another manager, brought back, or no longer in the file.
pub fn plan(rows: &[ImportRow], current: &[PersonRow], new_id: impl Fn() -> String) -> Plan {
    let by_email: HashMap<&str, &PersonRow> =
        current.iter().map(|p| (p.email.as_str(), p)).collect();
    let email_of: HashMap<&str, &str> = current
        .iter()
        .map(|p| (p.id.as_str(), p.email.as_str()))
        .collect();
    let name_of = |email: Option<&str>| -> String {
        email.map_or_else(
            || "nobody".to_owned(),
            |e| {
                rows.iter()
                    .find(|r| r.email.as_str() == e)
                    .map(|r| r.name.clone())
                    .or_else(|| by_email.get(e).map(|p| p.name.clone()))
                    .unwrap_or_else(|| e.to_owned())
            },
        )
    };
    let mut report = ImportReport {
        rows: u32::try_from(rows.len()).unwrap_or(u32::MAX),
        ..ImportReport::default()
    };
    let mut writes = Vec::with_capacity(rows.len());
    for row in rows {
        let change = |details: Vec<String>| ImportChange {
            line: row.line,
            email: row.email.to_string(),
            name: row.name.clone(),
            details,
        };
        let Some(person) = by_email.get(row.email.as_str()) else {
            let mut details = Vec::new();
            if let Some(m) = &row.manager {
                details.push(format!("reports to {}", name_of(Some(m.as_str()))));
            }
            report.added.push(change(details));
            writes.push(Write::Insert { id: new_id() });
            continue;
        };
        let mut details = Vec::new();
        for (what, old, new) in [
            ("name", &person.name, &row.name),
            ("title", &person.title, &row.title),
            ("team", &person.team, &row.team),
        ] {
            if old != new {
                details.push(format!("{what}: {} → {}", shown(old), shown(new)));
            }
        }
        let old_manager = person
            .manager_id
            .as_deref()
            .and_then(|id| email_of.get(id).copied());
        let new_manager = row.manager.as_ref().map(Email::as_str);
        let moved = old_manager != new_manager;
        if moved {
            details.push(format!(
                "manager: {} → {}",
                name_of(old_manager),
                name_of(new_manager)
            ));
        }
        let id = person.id.clone();
        if person.active == 0 {
            report.reactivated.push(change(details));
            writes.push(Write::Update { id });
        } else if moved {
            report.moved.push(change(details));
            writes.push(Write::Update { id });
        } else if !details.is_empty() {
            report.changed.push(change(details));
            writes.push(Write::Update { id });
        } else {
            report.unchanged += 1;
            writes.push(Write::Keep { id });
        }
    }
    let in_file: HashSet<&str> = rows.iter().map(|r| r.email.as_str()).collect();
    let mut deactivate = Vec::new();
    for p in current {
        if p.active != 0 && !in_file.contains(p.email.as_str()) {
            deactivate.push(p.id.clone());
            report.deactivated.push(ImportRemoval {
                email: p.email.clone(),
                name: p.name.clone(),
            });
        }
    }
    Plan {
        report,
        writes,
        deactivate,
    }
}

fn shown(value: &str) -> String {
    if value.is_empty() {
        "(blank)".to_owned()
    } else {
        format!("\"{value}\"")
    }
}

/// Why an import did not happen.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("the file has {} problem(s)", .0.len())]
    Invalid(Vec<FieldError>),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

/// Checks a people file against the organisation's directory and, unless
/// `dry_run`, writes it, all or nothing. Returns what changes (or changed).
pub async fn import(
    db: &crate::Db,
    org_id: &str,
    bytes: &[u8],
    dry_run: bool,
) -> Result<ImportReport, ImportError> {
    let rows = parse(bytes).map_err(ImportError::Invalid)?;
    let current = db.people(org_id).await?;
    let mut plan = plan(&rows, &current, crate::db::new_id);
    if !dry_run {
        // The first import brings in everyone who is already there: none of
        // them is a new joiner. Later imports date who is new.
        let joined_at = if current.is_empty() { 0 } else { crate::now() };
        db.apply_import(org_id, &rows, &plan, joined_at).await?;
        plan.report.applied = true;
    }
    Ok(plan.report)
}

/// Where each active person stands in the reporting tree.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Place {
    /// Levels below the top (0 = reports to no active person).
    pub level: u32,
    /// People below, at any depth.
    pub reports: u32,
}

/// The level and number of reports of every active person. Inactive people
/// are left out: they no longer stand in anyone's line.
pub fn places(people: &[PersonRow]) -> HashMap<String, Place> {
    let active: HashMap<&str, &PersonRow> = people
        .iter()
        .filter(|p| p.active != 0)
        .map(|p| (p.id.as_str(), p))
        .collect();
    fn manager_of<'a>(p: &'a PersonRow, active: &HashMap<&str, &PersonRow>) -> Option<&'a str> {
        p.manager_id.as_deref().filter(|m| active.contains_key(m))
    }
    let mut places: HashMap<String, Place> = HashMap::new();
    for person in active.values() {
        // Walk up; the guard stops a circle that the checks should never let in.
        let mut chain = Vec::new();
        let mut at = manager_of(person, &active);
        while let Some(m) = at {
            if chain.len() > active.len() || chain.contains(&m) {
                break;
            }
            chain.push(m);
            at = active.get(m).and_then(|p| manager_of(p, &active));
        }
        places.entry(person.id.clone()).or_default().level =
            u32::try_from(chain.len()).unwrap_or(u32::MAX);
        for m in chain {
            places.entry(m.to_owned()).or_default().reports += 1;
        }
    }
    places
}

/// Everyone below `top` in the reporting tree, with how many levels below
/// (1 = direct report), nearest first, then by name.
pub fn below<'a>(people: &'a [PersonRow], top: &str) -> Vec<(&'a PersonRow, u32)> {
    let mut children: HashMap<&str, Vec<&PersonRow>> = HashMap::new();
    for p in people.iter().filter(|p| p.active != 0) {
        if let Some(m) = p.manager_id.as_deref() {
            children.entry(m).or_default().push(p);
        }
    }
    let mut out = Vec::new();
    let mut seen: HashSet<&str> = HashSet::from([top]);
    let mut level_now: Vec<&str> = vec![top];
    let mut depth = 0;
    while !level_now.is_empty() {
        depth += 1;
        let mut next = Vec::new();
        for id in level_now {
            for child in children.get(id).map(Vec::as_slice).unwrap_or_default() {
                if seen.insert(child.id.as_str()) {
                    out.push((*child, depth));
                    next.push(child.id.as_str());
                }
            }
        }
        level_now = next;
    }
    out.sort_by(|(a, da), (b, db)| da.cmp(db).then_with(|| a.name.cmp(&b.name)));
    out
}

/// Whether `candidate` is `person` or stands below them, so that making
/// `candidate` their manager would close a circle.
pub fn would_cycle(people: &[PersonRow], person: &str, candidate: &str) -> bool {
    candidate == person || below(people, person).iter().any(|(p, _)| p.id == candidate)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(csv: &str) -> Vec<String> {
        parse(csv.as_bytes())
            .expect_err("the file should be refused")
            .into_iter()
            .map(|e| format!("{}: {}", e.field, e.message))
            .collect()
    }

    fn person(id: &str, email: &str, manager: Option<&str>, active: bool) -> PersonRow {
        PersonRow {
            id: id.to_owned(),
            name: id.to_uppercase(),
            email: email.to_owned(),
            title: String::new(),
            team: String::new(),
            manager_id: manager.map(str::to_owned),
            active: i64::from(active),
            joined_at: 0,
        }
    }

    #[test]
    fn columns_come_in_any_order_with_extra_ones_a_bom_and_semicolons() {
        let csv = "\u{feff}Team;Name;Shoe size;Manager Email;EMAIL;title\n\
                   Core;Ada;42;;Ada@Example.com;CTO\n\
                   Core;\"Bob; Jr\";43;ada@example.com;bob@example.com;\n";
        let rows = parse(csv.as_bytes()).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].email.as_str(), "ada@example.com");
        assert_eq!(rows[0].title, "CTO");
        assert_eq!(rows[1].name, "Bob; Jr");
        assert_eq!(
            rows[1].manager.as_ref().unwrap().as_str(),
            "ada@example.com"
        );
        assert_eq!(rows[1].line, 3);
    }

    #[test]
    fn a_missing_column_is_named() {
        let p = problems("email,title\na@example.com,x\n");
        assert_eq!(p.len(), 1);
        assert!(
            p[0].starts_with("line 1: Missing columns: name, manager_email."),
            "{p:?}"
        );
    }

    #[test]
    fn every_bad_row_is_listed_by_line() {
        let p = problems(
            "email,name,manager_email\n\
             a@example.com,Ada,\n\
             not-an-email,Bob,a@example.com\n\
             c@example.com,  ,a@example.com\n\
             A@example.com,Ada again,\n\
             d@example.com,Dee,ghost@example.com\n",
        );
        assert!(p.iter().any(|m| m.starts_with("line 3: email:")), "{p:?}");
        assert!(p.iter().any(|m| m.starts_with("line 4: name:")), "{p:?}");
        assert!(
            p.iter()
                .any(|m| m.starts_with("line 5: email: a@example.com is already on line 2")),
            "{p:?}"
        );
        assert!(
            p.iter().any(|m| m.starts_with(
                "line 6: manager_email: nobody in the file has the email ghost@example.com"
            )),
            "{p:?}"
        );
    }

    #[test]
    fn a_circle_in_reporting_lines_is_refused_once() {
        let p = problems(
            "email,name,manager_email\n\
             top@example.com,Top,\n\
             a@example.com,A,c@example.com\n\
             b@example.com,B,a@example.com\n\
             c@example.com,C,b@example.com\n\
             self@example.com,Self,self@example.com\n",
        );
        assert_eq!(
            p.iter()
                .filter(|m| m.contains("cannot manage themself"))
                .count(),
            1,
            "{p:?}"
        );
        let p = problems(
            "email,name,manager_email\n\
             a@example.com,A,c@example.com\n\
             b@example.com,B,a@example.com\n\
             c@example.com,C,b@example.com\n",
        );
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(p[0].contains("go round in a circle"), "{p:?}");
    }

    #[test]
    fn an_empty_or_oversized_or_non_utf8_file_is_refused() {
        assert!(problems("")[0].contains("empty"));
        assert!(problems("email,name,manager_email\n")[0].contains("no people"));
        // Postgres can't hold a NUL; it is refused before any database sees it.
        assert_eq!(
            problems("email,name,manager_email\na@example.com,\u{0}x,\n"),
            [
                "line 2: This line holds a NUL character. Save the file as \"CSV UTF-8\" and try again."
            ]
        );
        let bad = b"email,name,manager_email\na@example.com,Ren\xe9,\n";
        let p = parse(bad).unwrap_err();
        assert_eq!(p[0].field, "line 2");
        let big = vec![b'a'; MAX_BYTES + 1];
        assert!(
            parse(&big).unwrap_err()[0]
                .message
                .contains("larger than 10 MB")
        );
    }

    #[test]
    fn more_than_fifty_thousand_rows_are_refused() {
        let mut csv = String::from("email,name,manager_email\n");
        for i in 0..=MAX_ROWS {
            csv.push_str(&format!("p{i}@example.com,P {i},\n"));
        }
        let p = problems(&csv);
        assert!(p[0].contains("more than 50 000 rows"), "{p:?}");
    }

    #[test]
    fn a_plan_names_who_is_added_changed_moved_back_and_gone() {
        let current = vec![
            person("ada", "ada@example.com", None, true),
            person("bob", "bob@example.com", Some("ada"), true),
            person("cy", "cy@example.com", Some("ada"), true),
            person("dee", "dee@example.com", Some("bob"), false),
            person("gone", "gone@example.com", Some("ada"), true),
        ];
        let rows = parse(
            "email,name,manager_email,title\n\
             ada@example.com,ADA,,\n\
             bob@example.com,BOB,ada@example.com,Lead\n\
             cy@example.com,CY,bob@example.com,\n\
             dee@example.com,DEE,ada@example.com,\n\
             new@example.com,New,ada@example.com,\n"
                .as_bytes(),
        )
        .unwrap();
        let plan = plan(&rows, &current, || "fresh".to_owned());
        let r = &plan.report;
        assert_eq!(r.unchanged, 1);
        assert_eq!(r.changed.len(), 1);
        assert_eq!(r.changed[0].details, vec!["title: (blank) → \"Lead\""]);
        assert_eq!(r.moved.len(), 1);
        assert_eq!(r.moved[0].details, vec!["manager: ADA → BOB"]);
        assert_eq!(r.reactivated.len(), 1);
        assert_eq!(r.added.len(), 1);
        assert_eq!(r.deactivated.len(), 1);
        assert_eq!(r.deactivated[0].email, "gone@example.com");
        assert_eq!(
            plan.writes[4],
            Write::Insert {
                id: "fresh".to_owned()
            }
        );
        assert_eq!(
            plan.writes[0],
            Write::Keep {
                id: "ada".to_owned()
            }
        );
    }

    #[test]
    fn levels_count_from_the_top_and_ignore_inactive_people() {
        let people = vec![
            person("ceo", "ceo@x.io", None, true),
            person("vp", "vp@x.io", Some("ceo"), true),
            person("mgr", "mgr@x.io", Some("vp"), true),
            person("eng", "eng@x.io", Some("mgr"), true),
            person("old", "old@x.io", Some("mgr"), false),
        ];
        let places = places(&people);
        assert_eq!(places["eng"].level, 3);
        assert_eq!(places["ceo"].reports, 3);
        assert!(!places.contains_key("old"));
        let under_vp: Vec<(&str, u32)> = below(&people, "vp")
            .into_iter()
            .map(|(p, d)| (p.id.as_str(), d))
            .collect();
        assert_eq!(under_vp, vec![("mgr", 1), ("eng", 2)]);
        assert!(would_cycle(&people, "vp", "eng"));
        assert!(!would_cycle(&people, "eng", "vp"));
    }
}
