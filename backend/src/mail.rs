//! Email, when an SMTP server is set: invitations, managers' notices and
//! reminders, each sent by lettre and recorded with its outcome. Without an
//! SMTP server nothing fails: the pages show the text to copy.

use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use secrecy::{ExposeSecret, SecretString};
use shared::admin::SendOutcome;

use crate::db::{Db, new_id};

/// How a connection to the SMTP server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsMode {
    /// Plain connection upgraded with STARTTLS (port 587).
    StartTls,
    /// TLS from the first byte (port 465).
    Tls,
    /// No encryption: only for a relay on the same machine or network.
    None,
}

impl TlsMode {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "starttls" => Some(Self::StartTls),
            "tls" => Some(Self::Tls),
            "none" => Some(Self::None),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::StartTls => "starttls",
            Self::Tls => "tls",
            Self::None => "none",
        }
    }
}

/// An SMTP server to send through.
#[derive(Debug, Clone)]
pub struct Smtp {
    pub host: String,
    pub port: u16,
    pub username: String,
    pub password: SecretString,
    /// The sender, e.g. `Skipcheck <skipcheck@example.com>`.
    pub from: String,
    pub tls: TlsMode,
}

/// One email to send.
#[derive(Debug, Clone)]
pub struct Outgoing<'a> {
    /// What it is, for the log: `invitation`, `manager_notice`, `reminder`, `test`.
    pub kind: &'a str,
    pub to_name: &'a str,
    pub to_email: &'a str,
    /// Where replies go (the leader), if anywhere.
    pub reply_to: Option<(&'a str, &'a str)>,
    pub subject: &'a str,
    pub text: &'a str,
    /// A calendar file to attach.
    pub ics: Option<&'a str>,
}

/// The SMTP server of an organisation: its settings, else the server's
/// environment, else none.
pub async fn smtp_for(
    db: &Db,
    fallback: Option<&Smtp>,
    org_id: &str,
) -> Result<Option<Smtp>, sqlx::Error> {
    Ok(match db.smtp_settings(org_id).await? {
        Some(row) => Some(Smtp {
            host: row.host,
            port: u16::try_from(row.port).unwrap_or(587),
            username: row.username,
            password: SecretString::from(row.password),
            from: row.from_address,
            tls: TlsMode::parse(&row.tls).unwrap_or(TlsMode::StartTls),
        }),
        None => fallback.cloned(),
    })
}

fn message(smtp: &Smtp, mail: &Outgoing<'_>) -> Result<Message, String> {
    let from: Mailbox = smtp
        .from
        .parse()
        .map_err(|e| format!("the sender {:?} is not an address: {e}", smtp.from))?;
    let to = Mailbox::new(
        Some(mail.to_name.to_owned()),
        mail.to_email
            .parse()
            .map_err(|e| format!("{} is not an address: {e}", mail.to_email))?,
    );
    let mut builder = Message::builder().from(from).to(to).subject(mail.subject);
    if let Some((name, email)) = mail.reply_to
        && let Ok(address) = email.parse()
    {
        builder = builder.reply_to(Mailbox::new(Some(name.to_owned()), address));
    }
    let text = SinglePart::plain(mail.text.to_owned());
    let built = match mail.ics {
        Some(ics) => {
            let calendar = ContentType::parse("text/calendar; charset=utf-8; method=REQUEST")
                .map_err(|e| e.to_string())?;
            builder.multipart(MultiPart::mixed().singlepart(text).singlepart(
                Attachment::new("invitation.ics".to_owned()).body(ics.to_owned(), calendar),
            ))
        }
        None => builder.singlepart(text),
    };
    built.map_err(|e| e.to_string())
}

fn transport(smtp: &Smtp) -> Result<AsyncSmtpTransport<Tokio1Executor>, String> {
    let builder = match smtp.tls {
        TlsMode::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&smtp.host),
        TlsMode::StartTls | TlsMode::Tls => {
            let params = TlsParameters::new(smtp.host.clone()).map_err(|e| e.to_string())?;
            let tls = if smtp.tls == TlsMode::Tls {
                Tls::Wrapper(params)
            } else {
                Tls::Required(params)
            };
            AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&smtp.host).tls(tls)
        }
    };
    let mut builder = builder
        .port(smtp.port)
        .timeout(Some(Duration::from_secs(15)));
    if !smtp.username.is_empty() {
        builder = builder.credentials(Credentials::new(
            smtp.username.clone(),
            smtp.password.expose_secret().to_owned(),
        ));
    }
    Ok(builder.build())
}

/// Sends one email and records the attempt; returns whether it went, and the
/// outcome in words ("sent to …" or "not sent to …: why"). Never fails the
/// caller.
pub async fn send(
    db: &Db,
    smtp: &Smtp,
    org_id: &str,
    mail: &Outgoing<'_>,
    now: i64,
) -> SendOutcome {
    let result = async {
        let message = message(smtp, mail)?;
        transport(smtp)?
            .send(message)
            .await
            .map_err(|e| e.to_string())
    }
    .await;
    let outcome = match &result {
        Ok(_) => format!("sent to {}", mail.to_email),
        Err(e) => format!("not sent to {}: {e}", mail.to_email),
    };
    if let Err(e) = &result {
        tracing::warn!(kind = mail.kind, error = %e, "email not sent");
    }
    if let Err(e) = db
        .log_mail(
            &new_id(),
            org_id,
            mail.kind,
            mail.to_email,
            mail.subject,
            now,
            &outcome,
        )
        .await
    {
        tracing::error!(error = %e, "could not record an email");
    }
    SendOutcome {
        sent: result.is_ok(),
        outcome,
    }
}
