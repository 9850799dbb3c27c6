//! The applicant's part of a dossier form, one for the counter's intake and the portal's
//! submission: its fields as posted, every problem found by the domain's rules (one per
//! field), and the service's input.

use chrono::NaiveDate;
use motcua_app::dossiers::ApplicantInput;
use motcua_domain::dossier::{Applicant, ApplicantField};

/// The applicant's fields as typed (shown again with the problems when refused).
#[derive(Debug, Default, Clone)]
pub struct ApplicantForm {
    pub name: String,
    pub id_number: String,
    pub phone: String,
    pub email: String,
    pub address: String,
}

fn opt(s: &str) -> Option<&str> {
    let s = s.trim();
    (!s.is_empty()).then_some(s)
}

impl ApplicantForm {
    /// Keeps the posted field `name` if it is one of the applicant's; `false` if it is not.
    pub fn take(&mut self, name: &str, text: String) -> bool {
        match name {
            "name" => self.name = text,
            "id_number" => self.id_number = text.trim().to_string(),
            "phone" => self.phone = text.trim().to_string(),
            "email" => self.email = text.trim().to_string(),
            "address" => self.address = text,
            _ => return false,
        }
        true
    }

    /// Every problem of the applicant's data, field by field: the domain's check stops at the
    /// first, so it is asked again with each faulty field replaced by a valid stand-in.
    pub fn problems(&self, today: NaiveDate) -> Vec<(ApplicantField, String)> {
        let mut out = Vec::new();
        let (mut name, mut id, mut phone, mut email) = (
            self.name.as_str(),
            self.id_number.as_str(),
            opt(&self.phone),
            opt(&self.email),
        );
        for _ in 0..4 {
            let Err(e) = Applicant::new(name, id, phone, email, opt(&self.address), today) else {
                break;
            };
            match e.field() {
                ApplicantField::Name => name = "Nguyễn Văn A",
                ApplicantField::IdNumber => id = "001090000001",
                ApplicantField::Phone => phone = None,
                ApplicantField::Email => email = None,
            }
            out.push((e.field(), e.message_vi()));
        }
        out
    }

    /// The applicant as the dossier service takes it.
    pub fn input(&self) -> ApplicantInput {
        ApplicantInput {
            name: self.name.trim().to_string(),
            id_number: self.id_number.clone(),
            phone: opt(&self.phone).map(str::to_string),
            email: opt(&self.email).map(str::to_string),
            address: opt(&self.address).map(str::to_string),
        }
    }
}
