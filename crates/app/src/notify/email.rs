//! E-mail through an SMTP server (the `lettre` crate): plain SMTP (a relay on the same machine
//! or network), STARTTLS on the submission port, or TLS from the first byte (port 465).

use std::fmt;
use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::message::{Mailbox, Message};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use uuid::Uuid;

use super::SendError;
use super::templates::EmailText;

/// How the connection to the SMTP server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpTls {
    /// Plain SMTP (default port 25): a relay on localhost or a trusted network only.
    None,
    /// Upgrade with STARTTLS, required (default port 587).
    StartTls,
    /// TLS from the first byte, "SMTPS" (default port 465).
    Tls,
}

impl SmtpTls {
    /// `none`, `starttls` or `tls`.
    pub fn parse(s: &str) -> Option<SmtpTls> {
        match s.trim().to_ascii_lowercase().as_str() {
            "none" | "plain" | "off" => Some(SmtpTls::None),
            "starttls" => Some(SmtpTls::StartTls),
            "tls" | "smtps" => Some(SmtpTls::Tls),
            _ => None,
        }
    }

    pub fn default_port(self) -> u16 {
        match self {
            SmtpTls::None => 25,
            SmtpTls::StartTls => 587,
            SmtpTls::Tls => 465,
        }
    }
}

/// Where and as whom e-mail is sent.
#[derive(Clone)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    pub tls: SmtpTls,
    /// The sender, `Name <address>` or an address.
    pub from: String,
    pub username: Option<String>,
    pub password: Option<String>,
}

impl fmt::Debug for SmtpConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls)
            .field("from", &self.from)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "***"))
            .finish()
    }
}

/// Sends the notices' e-mails.
pub struct EmailSender {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl EmailSender {
    pub fn new(c: &SmtpConfig, timeout: Duration) -> Result<EmailSender, String> {
        let from: Mailbox = c
            .from
            .parse()
            .map_err(|e| format!("invalid sender address {:?}: {e}", c.from))?;
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(c.host.as_str())
            .port(c.port)
            .timeout(Some(timeout));
        let tls = |host: &str| {
            TlsParameters::new(host.to_string())
                .map_err(|e| format!("TLS settings for {host}: {e}"))
        };
        builder = match c.tls {
            SmtpTls::None => builder.tls(Tls::None),
            SmtpTls::StartTls => builder.tls(Tls::Required(tls(&c.host)?)),
            SmtpTls::Tls => builder.tls(Tls::Wrapper(tls(&c.host)?)),
        };
        if let Some(user) = &c.username {
            builder = builder.credentials(Credentials::new(
                user.clone(),
                c.password.clone().unwrap_or_default(),
            ));
        }
        Ok(EmailSender {
            transport: builder.build(),
            from,
        })
    }

    /// Sends one message. Its Message-ID is derived from the outbox id, so a message sent again
    /// after a crash can be recognised as the same one by the receiving side.
    pub async fn send(
        &self,
        id: Uuid,
        to_address: &str,
        to_name: &str,
        text: &EmailText,
    ) -> Result<(), SendError> {
        let address = to_address
            .trim()
            .parse()
            .map_err(|e| SendError::permanent(format!("invalid address {to_address:?}: {e}")))?;
        let name = Some(to_name.trim().to_string()).filter(|n| !n.is_empty());
        let message = Message::builder()
            .message_id(Some(format!("<{id}@motcua>")))
            .from(self.from.clone())
            .to(Mailbox::new(name, address))
            .subject(text.subject.clone())
            .header(ContentType::TEXT_PLAIN)
            .body(text.body.clone())
            .map_err(|e| SendError::permanent(format!("cannot build the message: {e}")))?;
        match self.transport.send(message).await {
            Ok(_) => Ok(()),
            Err(e) if e.is_permanent() => Err(SendError::permanent(format!("SMTP: {e}"))),
            Err(e) => Err(SendError::transient(format!("SMTP: {}", chain(&e)))),
        }
    }
}

/// An error with its causes (lettre's own text often hides the I/O error below it).
fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let s_text = s.to_string();
        if !text.contains(&s_text) {
            text.push_str(": ");
            text.push_str(&s_text);
        }
        source = s.source();
    }
    text
}
