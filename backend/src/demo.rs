//! `skipcheck demo`: a small organisation to try everything with.

use serde::Serialize;
use shared::AnonymityThreshold;

use crate::auth::token::{hash_token, new_token, random_hex};
use crate::db::{Db, NewAccount, NewPerson, new_id};
use crate::templates;

/// The demo organisation's name; `--reset` replaces the organisation of this name.
pub const DEMO_ORG: &str = "Demo Co";

/// The leader's login.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Login {
    pub email: String,
    pub password: String,
}

/// A person's personal link.
#[derive(Debug, Clone, Serialize)]
pub struct PersonLink {
    pub name: String,
    pub email: String,
    pub url: String,
}

/// What `skipcheck demo` prints.
#[derive(Debug, Clone, Default, Serialize)]
pub struct DemoOutput {
    pub leader: Login,
    pub invites: Vec<PersonLink>,
    pub manager_links: Vec<PersonLink>,
}

/// Why the demo was not created.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("the demo organisation already exists; run `skipcheck demo --reset` to replace it")]
    Exists,
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

const TEAMS: [(&str, &str, &str); 4] = [
    (
        "Priya Natarajan",
        "Engineering Manager, Platform",
        "Platform",
    ),
    ("Tomás Herrera", "Engineering Manager, Product", "Product"),
    ("Grace Okafor", "Engineering Manager, Data", "Data"),
    ("Lukas Becker", "Engineering Manager, Mobile", "Mobile"),
];

const ENGINEERS: [&str; 24] = [
    "Amara Diallo",
    "Ben Carter",
    "Chen Wei",
    "Dana Kowalski",
    "Elif Yilmaz",
    "Felix Moreau",
    "Hana Sato",
    "Ivan Petrov",
    "Jade Thompson",
    "Kofi Mensah",
    "Lea Schmidt",
    "Mateo Rossi",
    "Nadia Haddad",
    "Oscar Lindqvist",
    "Paula Mendes",
    "Quinn Murphy",
    "Rhea Kapoor",
    "Sam O'Neill",
    "Tara Nguyen",
    "Umar Farooq",
    "Vera Novak",
    "Wes Jordan",
    "Xenia Ivanova",
    "Yusuf Demir",
];

fn email(name: &str) -> String {
    let local: String = name
        .to_lowercase()
        .chars()
        .map(|c| match c {
            ' ' => '.',
            'á' => 'a',
            _ => c,
        })
        .filter(|c| c.is_ascii_alphanumeric() || *c == '.')
        .collect();
    format!("{local}@demo.skipcheck.test")
}

fn person(name: &str, title: &str, team: &str, manager_id: Option<&str>) -> NewPerson {
    NewPerson {
        id: new_id(),
        name: name.to_owned(),
        email: email(name),
        title: title.to_owned(),
        team: team.to_owned(),
        manager_id: manager_id.map(str::to_owned),
    }
}

/// Creates the demo organisation and returns its login and links.
pub async fn create(
    db: &Db,
    public_url: &str,
    reset: bool,
    now: i64,
) -> Result<DemoOutput, DemoError> {
    if let Some(existing) = db
        .organisation_by_name(DEMO_ORG)
        .await
        .map_err(anyhow::Error::from)?
    {
        if !reset {
            return Err(DemoError::Exists);
        }
        db.delete_organisation(&existing)
            .await
            .map_err(anyhow::Error::from)?;
    }
    Ok(build(db, public_url, now).await?)
}

async fn build(db: &Db, public_url: &str, now: i64) -> anyhow::Result<DemoOutput> {
    let k = AnonymityThreshold::default();
    let org_id = new_id();
    db.insert_organisation(&org_id, DEMO_ORG, k.get(), now)
        .await?;

    // The reporting tree: a CTO, four managers, six engineers each, and a tech
    // lead on the platform team with two reports of their own (three levels down).
    let cto = person("Alex Rivera", "CTO", "Engineering", None);
    let mut people = vec![cto.clone()];
    let mut managers = Vec::new();
    let mut engineers = Vec::new();
    for (i, (name, title, team)) in TEAMS.iter().enumerate() {
        let manager = person(name, title, team, Some(&cto.id));
        for name in &ENGINEERS[i * 6..i * 6 + 6] {
            engineers.push(person(name, "Software Engineer", team, Some(&manager.id)));
        }
        managers.push(manager);
    }
    let lead = engineers[0].clone();
    engineers[0].title = "Tech Lead, Platform".to_owned();
    let deep = [
        person(
            "Zoe Laurent",
            "Software Engineer",
            "Platform",
            Some(&lead.id),
        ),
        person(
            "Ravi Shah",
            "Site Reliability Engineer",
            "Platform",
            Some(&lead.id),
        ),
    ];
    people.extend(managers.iter().cloned());
    people.extend(engineers.iter().cloned());
    people.extend(deep.iter().cloned());
    db.insert_people(&org_id, &people).await?;

    let password = random_hex(8);
    let account_id = new_id();
    let hash = crate::auth::password::hash(password.clone()).await?;
    db.add_account(
        &NewAccount {
            id: &account_id,
            org_id: &org_id,
            name: &cto.name,
            email: &cto.email,
            password_hash: &hash,
            is_admin: true,
            is_leader: true,
        },
        now,
    )
    .await?;

    let template_id = new_id();
    db.insert_template(
        &template_id,
        &org_id,
        templates::SKIP_LEVEL_KEY,
        &templates::skip_level(),
        now,
    )
    .await?;
    db.insert_template(
        &new_id(),
        &org_id,
        templates::PEER_KEY,
        &templates::peer(),
        now,
    )
    .await?;

    let round_id = new_id();
    db.insert_round(
        &round_id,
        &org_id,
        &account_id,
        &template_id,
        "Q4 skip-levels",
        "quarterly",
        k.get(),
        now,
    )
    .await?;

    // Ten people two or three levels below the CTO, a meeting a weekday apart
    // from tomorrow at 10:00 UTC; links stay valid a week past the meeting.
    const DAY: i64 = 86_400;
    let first = (now / DAY + 1) * DAY + 10 * 3600;
    let participants: Vec<&NewPerson> = engineers
        .iter()
        .step_by(3)
        .chain(deep.iter())
        .take(10)
        .collect();
    let mut invites = Vec::new();
    for (i, p) in participants.into_iter().enumerate() {
        let token = new_token();
        let at = first + i64::try_from(i)? * DAY;
        db.schedule(
            &new_id(),
            &round_id,
            &p.id,
            at,
            30,
            &hash_token(&token),
            at + 7 * DAY,
        )
        .await?;
        invites.push(PersonLink {
            name: p.name.clone(),
            email: p.email.clone(),
            url: format!("{public_url}/checkin/#i={token}"),
        });
    }

    let mut manager_links = Vec::new();
    for m in &managers {
        let token = new_token();
        db.insert_manager_link(&round_id, &m.id, &hash_token(&token), now + 60 * DAY)
            .await?;
        manager_links.push(PersonLink {
            name: m.name.clone(),
            email: m.email.clone(),
            url: format!("{public_url}/estimate#m={token}"),
        });
    }

    Ok(DemoOutput {
        leader: Login {
            email: cto.email,
            password,
        },
        invites,
        manager_links,
    })
}

impl DemoOutput {
    /// The human-readable form.
    pub fn to_text(&self, public_url: &str) -> String {
        use std::fmt::Write;
        let mut out = String::new();
        let _ = writeln!(out, "Demo organisation \"{DEMO_ORG}\" is ready.\n");
        let _ = writeln!(out, "Leader login ({public_url}/):");
        let _ = writeln!(out, "  email:    {}", self.leader.email);
        let _ = writeln!(out, "  password: {}\n", self.leader.password);
        let _ = writeln!(out, "Check-in links (one per employee):");
        for l in &self.invites {
            let _ = writeln!(out, "  {:<18} {}", l.name, l.url);
        }
        let _ = writeln!(out, "\nManager perception links:");
        for l in &self.manager_links {
            let _ = writeln!(out, "  {:<18} {}", l.name, l.url);
        }
        out
    }
}
