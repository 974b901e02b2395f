//! A round's report (the whole round, the breakdown by manager, the managers'
//! estimates), the trend across a leader's rounds, and their CSV exports.
//! Every route and export goes through `round_report`, so the rules of
//! `breakdown` hold for all of them alike.

use shared::Score;
use shared::api::{
    Aggregate, AnonymousResult, GroupStatus, ManagerEstimate, Response, RoundReport, TrendFigure,
    TrendGroup, TrendPoint,
};

use crate::breakdown::{self, Estimate, Inputs};
use crate::db::{Db, DbResult, RoundRow};
use crate::morale;

/// What every report of one leader needs from the directory besides each
/// round's own reporting lines: where the leader is in it.
pub struct Directory {
    pub leader_person: Option<String>,
}

impl Directory {
    pub async fn load(db: &Db, account_id: &str) -> DbResult<Self> {
        Ok(Self {
            leader_person: db.account_person(account_id).await?,
        })
    }
}

/// One round's report.
pub async fn round_report(db: &Db, round: &RoundRow, dir: &Directory) -> DbResult<RoundReport> {
    let template = round.template()?;
    let k = round.k();
    // Five reads that do not wait on each other, made at once.
    let (groups, tallies, planned_people, lines, estimate_rows) = tokio::try_join!(
        db.round_groups(&round.id),
        db.group_tallies(&round.id),
        db.planned_people(&round.id),
        db.lines_above_planned(&round.id),
        db.estimates_of_round(&round.id),
    )?;
    let planned = breakdown::planned_below(&lines, &planned_people);
    let teams = breakdown::teams(&lines, dir.leader_person.as_deref(), &planned);
    let score = |m: Option<i64>| {
        m.and_then(|n| i32::try_from(n).ok())
            .and_then(|n| Score::parse(n).ok())
    };
    let estimates: Vec<Estimate> = estimate_rows
        .iter()
        .map(|e| Estimate {
            manager_id: e.manager_id.clone(),
            morale: score(e.morale),
        })
        .collect();
    let (overall, counted, rows) = breakdown::build(&Inputs {
        template: &template,
        k,
        groups: &groups,
        tallies: &tallies,
        teams: &teams,
        estimates: &estimates,
        planned: &planned,
    });
    let respondents = crate::db::count(round.ballots);
    let results = if counted >= k {
        overall
    } else {
        // Nothing counted yet: say how many have answered.
        morale::results(&template, &[], respondents, k)
    };
    let manager_estimates = estimate_rows
        .into_iter()
        .map(|e| ManagerEstimate {
            team_size: planned.get(&e.manager_id).copied().unwrap_or(0),
            morale: score(e.morale),
            group_id: rows
                .iter()
                .find(|r| r.id == e.manager_id)
                .map(|r| r.id.clone()),
            manager_name: e.manager_name,
        })
        .collect();
    Ok(RoundReport {
        round_id: round.id.clone(),
        round_name: round.name.clone(),
        k,
        response: Response {
            planned: crate::db::count(round.meetings),
            submitted: crate::db::count(round.submitted),
            respondents,
            counted,
        },
        results,
        groups: rows,
        manager_estimates,
    })
}

/// The same figures across all of a leader's rounds, oldest first: each point
/// is that round's own report, so it shows only what the round shows.
pub async fn trend(db: &Db, account_id: &str, dir: &Directory) -> DbResult<Vec<TrendPoint>> {
    let mut rounds = db.rounds_of_leader(account_id).await?;
    rounds.sort_by(|a, b| a.opens_at.cmp(&b.opens_at).then(a.name.cmp(&b.name)));
    let mut points = Vec::with_capacity(rounds.len());
    for round in &rounds {
        let report = round_report(db, round, dir).await?;
        points.push(TrendPoint {
            round_id: report.round_id,
            round_name: report.round_name,
            at: round.opens_at,
            k: report.k,
            response: report.response,
            figures: report.results.iter().map(trend_figure).collect(),
            groups: report
                .groups
                .iter()
                .filter(|g| g.status == GroupStatus::Shown)
                .map(|g| TrendGroup {
                    id: g.id.clone(),
                    manager_name: g.manager_name.clone(),
                    mean: morale::mean_of(&g.results, morale::MORALE),
                    n: g.n,
                })
                .collect(),
        });
    }
    Ok(points)
}

fn trend_figure(r: &AnonymousResult) -> TrendFigure {
    let (mean, median, n) = match &r.result {
        Aggregate::Released {
            mean, median, n, ..
        } => (*mean, *median, *n),
        Aggregate::Suppressed { .. } => (None, None, 0),
    };
    TrendFigure {
        question_id: r.question_id.clone(),
        prompt: r.prompt.clone(),
        mean,
        median,
        n,
    }
}

/// A text cell a spreadsheet will not run as a formula.
fn text(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell.to_owned()
    }
}

fn number(x: Option<f64>) -> String {
    x.map(|x| format!("{x:.2}")).unwrap_or_default()
}

fn status(s: GroupStatus) -> &'static str {
    match s {
        GroupStatus::Shown => "shown",
        GroupStatus::TooSmall => "too_small",
        GroupStatus::Waiting => "waiting",
        GroupStatus::Hidden => "hidden",
    }
}

const REPORT_HEADER: [&str; 13] = [
    "group",
    "manager",
    "level",
    "status",
    "n",
    "question",
    "answer",
    "count",
    "mean",
    "median",
    "prefer_not_to_say",
    "estimate",
    "gap",
];

/// The rows of one group's (or the whole round's) figures.
fn figure_rows(out: &mut Vec<Vec<String>>, lead: &[String; 5], results: &[AnonymousResult]) {
    for r in results {
        let mut row = |answer: String, count: String, rest: [String; 3]| {
            let mut cells = lead.to_vec();
            cells.extend([text(&r.prompt), answer, count]);
            cells.extend(rest);
            cells.extend([String::new(), String::new()]);
            out.push(cells);
        };
        match &r.result {
            Aggregate::Suppressed { .. } => {
                row("(not shown)".to_owned(), String::new(), Default::default());
            }
            Aggregate::Released {
                buckets,
                mean,
                median,
                declined,
                ..
            } => {
                let summary = [number(*mean), number(*median), declined.to_string()];
                if buckets.is_empty() {
                    row(
                        "(too few values)".to_owned(),
                        String::new(),
                        summary.clone(),
                    );
                }
                for b in buckets {
                    row(text(&b.label), b.count.to_string(), summary.clone());
                }
            }
        }
    }
}

/// The report as CSV: exactly the figures the page shows, a row per value.
pub fn report_csv(report: &RoundReport) -> Result<String, csv::Error> {
    let mut rows: Vec<Vec<String>> = Vec::new();
    let response = report.response;
    for (label, value) in [
        ("planned", response.planned),
        ("submitted", response.submitted),
        ("respondents", response.respondents),
        ("counted", response.counted),
    ] {
        let mut cells = vec![
            "all".to_owned(),
            String::new(),
            "0".to_owned(),
            "response".to_owned(),
            String::new(),
            String::new(),
            label.to_owned(),
            value.to_string(),
        ];
        cells.resize(REPORT_HEADER.len(), String::new());
        rows.push(cells);
    }
    let whole = [
        "all".to_owned(),
        String::new(),
        "0".to_owned(),
        if response.counted >= report.k {
            "shown"
        } else {
            "waiting"
        }
        .to_owned(),
        response.counted.to_string(),
    ];
    figure_rows(&mut rows, &whole, &report.results);
    for g in &report.groups {
        let lead = [
            g.id.clone(),
            text(&g.manager_name),
            g.level.to_string(),
            status(g.status).to_owned(),
            g.n.to_string(),
        ];
        let first = rows.len();
        if g.status == GroupStatus::Shown {
            figure_rows(&mut rows, &lead, &g.results);
        } else {
            let mut cells = lead.to_vec();
            cells.resize(REPORT_HEADER.len(), String::new());
            rows.push(cells);
        }
        for cells in &mut rows[first..] {
            cells[11] = g.estimate.map(|e| e.get().to_string()).unwrap_or_default();
            cells[12] = number(g.gap);
        }
    }
    write(&REPORT_HEADER, &rows)
}

/// The trend as CSV: a row per round and question, then per round and group.
pub fn trend_csv(points: &[TrendPoint]) -> Result<String, csv::Error> {
    let header = [
        "round",
        "opened_at",
        "k",
        "planned",
        "respondents",
        "counted",
        "figure",
        "mean",
        "median",
        "n",
    ];
    let mut rows = Vec::new();
    for p in points {
        let lead = [
            text(&p.round_name),
            p.at.to_string(),
            p.k.to_string(),
            p.response.planned.to_string(),
            p.response.respondents.to_string(),
            p.response.counted.to_string(),
        ];
        for f in &p.figures {
            let mut cells = lead.to_vec();
            cells.extend([text(&f.prompt), number(f.mean), number(f.median)]);
            cells.push(f.n.to_string());
            rows.push(cells);
        }
        for g in &p.groups {
            let mut cells = lead.to_vec();
            cells.extend([
                text(&format!("Morale, team of {}", g.manager_name)),
                number(g.mean),
                String::new(),
                g.n.to_string(),
            ]);
            rows.push(cells);
        }
    }
    write(&header, &rows)
}

fn write(header: &[&str], rows: &[Vec<String>]) -> Result<String, csv::Error> {
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(header)?;
    for row in rows {
        out.write_record(row)?;
    }
    let bytes = out.into_inner().map_err(|e| e.into_error())?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cell_that_looks_like_a_formula_is_made_text() {
        assert_eq!(text("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(text("@cmd"), "'@cmd");
        assert_eq!(text("Dana Kim"), "Dana Kim");
    }
}
