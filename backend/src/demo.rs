//! `skipcheck demo`: a small organisation to try everything with.

use std::sync::Arc;

use serde::Serialize;
use shared::AnonymityThreshold;

use crate::auth::token::{hash_token, new_token, random_hex};
use crate::db::{Db, NewAccount, NewPerson, new_id};
use crate::sealed::ServerKey;
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
    pub embed: DemoEmbed,
}

/// What the example intranet (`scripts/intranet.sh`) needs to embed the
/// check-in: the organisation's id and a signing secret. The demo lets
/// `http://127.0.0.1:8090` and `http://localhost:8090` embed it.
#[derive(Debug, Clone, Default, Serialize)]
pub struct DemoEmbed {
    pub org_id: String,
    pub secret: String,
}

/// The origins the demo lets embed the check-in: the example intranet's.
pub const DEMO_ORIGINS: [&str; 2] = ["http://127.0.0.1:8090", "http://localhost:8090"];

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
    size: Size,
    key: &Arc<ServerKey>,
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
    Ok(build(db, public_url, size, key, now).await?)
}

async fn build(
    db: &Db,
    public_url: &str,
    size: Size,
    key: &Arc<ServerKey>,
    now: i64,
) -> anyhow::Result<DemoOutput> {
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
    let grown = grown_people(size.people.saturating_sub(people.len()), &cto.id);
    people.extend(grown.people.iter().cloned());
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

    past_round(
        db,
        &org_id,
        &account_id,
        &template_id,
        &managers,
        &engineers,
        &deep,
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
    let first = (now / DAY + 1) * DAY + 10 * 3600;
    let participants: Vec<&NewPerson> = engineers
        .iter()
        .step_by(3)
        .chain(deep.iter())
        .take(10)
        .collect();
    let mut invites = Vec::new();
    for (i, p) in participants.into_iter().enumerate() {
        let at = first + i64::try_from(i)? * DAY;
        invites.push(invite(db, &round_id, p, at, public_url).await?);
    }

    let scale = Scale {
        db,
        round_template: (&template_id, Arc::new(templates::skip_level())),
        key,
        per_round: grown.per_round(),
    };
    for r in 1..size.rounds {
        let start = now - (100 + 90 * i64::try_from(r)?) * DAY;
        let name = format!("Earlier round {}", size.rounds - r);
        scale
            .past_round(&org_id, &account_id, &name, &grown, r, start)
            .await?;
    }
    if !grown.engineers.is_empty() {
        let from = first + 10 * DAY;
        invites.extend(
            scale
                .invite(&round_id, &grown, size, from, public_url)
                .await?,
        );
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

    let secret = crate::auth::token::new_token();
    db.save_embed_settings(&org_id, &DEMO_ORIGINS.join("\n"), "{}", now)
        .await?;
    db.add_embed_secret(&org_id, &new_id(), &secret, shared::embed::SECRETS_MAX, now)
        .await?;
    Ok(DemoOutput {
        leader: Login {
            email: cto.email,
            password,
        },
        invites,
        manager_links,
        embed: DemoEmbed { org_id, secret },
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
        let _ = writeln!(
            out,
            "\nIntranet example (scripts/intranet.sh, on {}):",
            DEMO_ORIGINS[0]
        );
        let _ = writeln!(out, "  organisation: {}", self.embed.org_id);
        let _ = writeln!(out, "  secret:       {}", self.embed.secret);
        out
    }
}

/// Last quarter's round, over: 22 meetings, 15 check-ins in with their
/// anonymous answers, each manager's estimate. Platform, Product and Data
/// each have five answers counted in their own team; Mobile met too few
/// people to be a group of its own, so the breakdown shows one team
/// suppressed and the next-smallest hidden with it, and the trend has a
/// first point.
#[allow(clippy::too_many_arguments)]
async fn past_round(
    db: &Db,
    org_id: &str,
    account_id: &str,
    template_id: &str,
    managers: &[NewPerson],
    engineers: &[NewPerson],
    deep: &[NewPerson],
    now: i64,
) -> anyhow::Result<()> {
    let start = now - 100 * DAY;
    let round_id = new_id();
    let k = AnonymityThreshold::default().get();
    db.insert_round(
        &round_id,
        org_id,
        account_id,
        template_id,
        "Q3 skip-levels",
        "quarterly",
        k,
        start,
    )
    .await?;
    // Platform: all six and the two below its tech lead; Product: all six;
    // Data: five; Mobile: three. The first five of each of the first three answer.
    let mut met: Vec<(&NewPerson, bool)> = Vec::new();
    for (team, size) in [(0, 6), (1, 6), (2, 5), (3, 3)] {
        let people = &engineers[team * 6..team * 6 + size];
        for (i, p) in people.iter().enumerate() {
            met.push((p, team < 3 && i < 5));
        }
        if team == 0 {
            met.extend(deep.iter().map(|p| (p, false)));
        }
    }
    // The answers wait sealed until their team has k; this round's teams
    // each get exactly k, so nothing is left waiting under this one-off key.
    let key = Arc::new(ServerKey::random());
    let template = Arc::new(templates::skip_level());
    const MORALE: [i32; 15] = [7, 8, 6, 7, 9, 5, 6, 4, 6, 5, 8, 7, 7, 9, 6];
    const SUPPORT: [i32; 15] = [8, 8, 7, 6, 9, 6, 5, 5, 7, 6, 8, 8, 6, 9, 7];
    // Everyone is scheduled first: a team is a group of its own if k of its
    // people are planned when an answer comes in.
    let mut planned = Vec::new();
    for (i, (person, answers)) in met.into_iter().enumerate() {
        let meeting_id = new_id();
        let at = start + 7 * DAY + i64::try_from(i)? * DAY;
        let hash = hash_token(&new_token());
        db.schedule(&meeting_id, &round_id, &person.id, at, 30, &hash, at)
            .await?;
        if answers {
            planned.push((hash, at));
        }
    }
    for (answered, (hash, at)) in planned.into_iter().enumerate() {
        let target = scheduled(db, &hash).await?;
        let confidential = shared::Answers::from([
            (
                "personal".to_owned(),
                shared::Answer::Text("Busy but good.".to_owned()),
            ),
            (
                "workload".to_owned(),
                shared::Answer::Text("A lot of on-call this quarter.".to_owned()),
            ),
        ]);
        let anonymous = scores(SUPPORT[answered], MORALE[answered]);
        db.submit_checkin(
            &target,
            template.clone(),
            &confidential,
            &anonymous,
            key.clone(),
            at - DAY,
        )
        .await?;
    }
    for (m, estimate) in managers.iter().zip([8, 6, 7, 7]) {
        db.insert_manager_link(&round_id, &m.id, &hash_token(&new_token()), start)
            .await?;
        db.save_estimate(&round_id, &m.id, estimate, start + DAY)
            .await?;
    }
    Ok(())
}

/// How big `skipcheck demo` makes the organisation. The default is the
/// small demo; more people and rounds make an organisation to measure with
/// (`skipcheck demo --people 10000 --rounds 20`).
#[derive(Debug, Clone, Copy)]
pub struct Size {
    /// People in all, the small demo's 31 included.
    pub people: usize,
    /// Finished rounds, the small demo's one included.
    pub rounds: usize,
    /// Engineers of the grown organisation met in the current round, when
    /// not as many as in each finished round.
    pub invites: Option<usize>,
}

impl Default for Size {
    fn default() -> Self {
        Self {
            people: 31,
            rounds: 1,
            invites: None,
        }
    }
}

/// The people added beyond the small demo: directors under the CTO, eight
/// managers under each, eight engineers under each manager.
struct Grown {
    people: Vec<NewPerson>,
    /// Indices into `people` of the engineers, with their manager's index.
    engineers: Vec<(usize, usize)>,
}

impl Grown {
    /// How many people a round meets: a twentieth of the engineers, and
    /// never fewer than twice the smallest k.
    fn per_round(&self) -> usize {
        (self.engineers.len() / 20)
            .max(2 * AnonymityThreshold::MIN as usize)
            .min(self.engineers.len())
    }

    /// The `n`-th slice of `per` engineers, wrapping round.
    fn slice(&self, n: usize, per: usize) -> impl Iterator<Item = (&NewPerson, &NewPerson)> {
        let len = self.engineers.len().max(1);
        (0..per).map(move |i| {
            let (who, manager) = self.engineers[(n * per + i) % len];
            (&self.people[who], &self.people[manager])
        })
    }
}

fn grown_people(count: usize, cto_id: &str) -> Grown {
    let mut grown = Grown {
        people: Vec::with_capacity(count),
        engineers: Vec::new(),
    };
    let add = |people: &mut Vec<NewPerson>, title: &str, team: String, over: &str| {
        let n = people.len() + 1;
        people.push(NewPerson {
            id: new_id(),
            name: format!("Person {n}"),
            email: format!("person{n}@demo.skipcheck.test"),
            title: title.to_owned(),
            team,
            manager_id: Some(over.to_owned()),
        });
        people.len() - 1
    };
    let mut division = 0;
    while grown.people.len() < count {
        division += 1;
        let director = add(
            &mut grown.people,
            "Director",
            format!("Division {division}"),
            cto_id,
        );
        for m in 1..=8 {
            if grown.people.len() >= count {
                break;
            }
            let over = grown.people[director].id.clone();
            let team = format!("Team {division}.{m}");
            let manager = add(
                &mut grown.people,
                "Engineering Manager",
                team.clone(),
                &over,
            );
            for _ in 0..8 {
                if grown.people.len() >= count {
                    break;
                }
                let over = grown.people[manager].id.clone();
                let engineer = add(&mut grown.people, "Software Engineer", team.clone(), &over);
                grown.engineers.push((engineer, manager));
            }
        }
    }
    grown
}

/// Writes the grown organisation's rounds.
struct Scale<'a> {
    db: &'a Db,
    round_template: (&'a str, Arc<shared::Template>),
    key: &'a Arc<ServerKey>,
    per_round: usize,
}

const DAY: i64 = 86_400;

impl Scale<'_> {
    /// A finished round over the `n`-th slice of engineers: four in five
    /// answered (their anonymous answers counted k at a time, the rest left
    /// sealed under the server's key), and each of their managers' estimates.
    async fn past_round(
        &self,
        org_id: &str,
        account_id: &str,
        name: &str,
        grown: &Grown,
        n: usize,
        start: i64,
    ) -> anyhow::Result<()> {
        let (template_id, template) = (self.round_template.0, &self.round_template.1);
        let k = AnonymityThreshold::default().get();
        let round_id = new_id();
        self.db
            .insert_round(
                &round_id,
                org_id,
                account_id,
                template_id,
                name,
                "quarterly",
                k,
                start,
            )
            .await?;
        let mut meetings = Vec::new();
        for (i, (person, _)) in grown.slice(n, self.per_round).enumerate() {
            let meeting_id = new_id();
            let at = start + 7 * DAY + slot(i);
            let hash = hash_token(&new_token());
            self.db
                .schedule(&meeting_id, &round_id, &person.id, at, 30, &hash, at)
                .await?;
            meetings.push((hash, at));
        }
        for (i, (hash, at)) in meetings.into_iter().enumerate() {
            if i % 5 == 4 {
                continue;
            }
            let target = scheduled(self.db, &hash).await?;
            let score = |salt: usize| i32::try_from((i * 7 + n * 3 + salt) % 9 + 1).unwrap_or(5);
            let confidential = shared::Answers::from([(
                "personal".to_owned(),
                shared::Answer::Text(format!("Round {n}, answer {i}.")),
            )]);
            let anonymous = scores(score(1), score(4));
            self.db
                .submit_checkin(
                    &target,
                    template.clone(),
                    &confidential,
                    &anonymous,
                    self.key.clone(),
                    at - DAY,
                )
                .await?;
        }
        let mut managers: Vec<&str> = grown
            .slice(n, self.per_round)
            .map(|(_, m)| m.id.as_str())
            .collect();
        managers.sort_unstable();
        managers.dedup();
        for (i, manager) in managers.into_iter().enumerate() {
            self.db
                .insert_manager_link(&round_id, manager, &hash_token(&new_token()), start)
                .await?;
            let estimate = i64::try_from(i % 5 + 5)?;
            self.db
                .save_estimate(&round_id, manager, estimate, start + DAY)
                .await?;
        }
        Ok(())
    }

    /// The current round's meetings with the slice of engineers after the
    /// finished rounds' (or as many as `size` asks for, at most all of
    /// them), from `from` on: their check-in links.
    async fn invite(
        &self,
        round_id: &str,
        grown: &Grown,
        size: Size,
        from: i64,
        public_url: &str,
    ) -> anyhow::Result<Vec<PersonLink>> {
        let (n, per) = match size.invites {
            Some(invites) => (0, invites.min(grown.engineers.len())),
            None => (size.rounds, self.per_round),
        };
        let mut links = Vec::new();
        for (i, (person, _)) in grown.slice(n, per).enumerate() {
            links.push(invite(self.db, round_id, person, from + slot(i), public_url).await?);
        }
        Ok(links)
    }
}

/// Schedules a meeting at `at` in the round, its check-in link valid until
/// a week after: the link.
async fn invite(
    db: &Db,
    round_id: &str,
    person: &NewPerson,
    at: i64,
    public_url: &str,
) -> anyhow::Result<PersonLink> {
    let token = new_token();
    db.schedule(
        &new_id(),
        round_id,
        &person.id,
        at,
        30,
        &hash_token(&token),
        at + 7 * DAY,
    )
    .await?;
    Ok(PersonLink {
        name: person.name.clone(),
        email: person.email.clone(),
        url: format!("{public_url}/checkin/#i={token}"),
    })
}

/// The check-in a meeting just scheduled opens, as a submission through its invite reads it.
async fn scheduled(db: &Db, token_hash: &str) -> anyhow::Result<crate::db::LinkedCheckin> {
    db.linked_checkin(token_hash)
        .await?
        .ok_or_else(|| anyhow::anyhow!("a meeting just scheduled has no invite"))
}

/// The skip-level template's anonymous answers.
fn scores(support: i32, morale: i32) -> shared::Answers {
    shared::Answers::from([
        ("support".to_owned(), shared::Answer::Scale(support)),
        ("morale".to_owned(), shared::Answer::Scale(morale)),
    ])
}

/// The `i`-th half-hour meeting slot: eight a weekday from 10:00.
fn slot(i: usize) -> i64 {
    let i = i64::try_from(i).unwrap_or(0);
    (i / 8) * DAY + (i % 8) * 1800
}
