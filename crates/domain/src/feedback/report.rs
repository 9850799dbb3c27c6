//! What a report says: its subject, the person's text, photos and place, and the contact kept
//! private. Checked once here, for every channel (portal, counter, API, Open311).

use serde::{Deserialize, Serialize};

use super::error::FeedbackError;

/// Longest title, in characters.
pub const MAX_TITLE_CHARS: usize = 200;
/// Longest content of a report or a supplement, in characters.
pub const MAX_CONTENT_CHARS: usize = 5_000;
/// Longest answer, in characters.
pub const MAX_ANSWER_CHARS: usize = 10_000;
/// Longest reason (refusal, transfer, request for more, withdrawal), in characters.
pub const MAX_REASON_CHARS: usize = 2_000;
/// Most photos on a report (and on each supplement).
pub const MAX_PHOTOS: usize = 5;
/// Longest code of a procedure, dossier, agency or commune named by a report.
const MAX_CODE_CHARS: usize = 100;

/// What a report is about; it finds the unit that receives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "about", rename_all = "snake_case")]
pub enum Subject {
    /// An administrative procedure, by its catalogue code (e.g. `1.001193`).
    Procedure { code: String },
    /// A dossier, by its code: the report goes to the dossier's agency.
    Dossier { code: String },
    /// A regulation (quy định hành chính), named in words.
    Regulation { name: String },
    /// The behaviour of staff (hành vi, thái độ của cán bộ).
    StaffBehaviour,
    /// A complaint about the handling of an earlier report, by its code (counts against 5.3).
    Feedback { code: String },
    /// Anything else, routed by place and category.
    Other,
}

impl Subject {
    /// The category a report of this subject has until staff classify it.
    pub fn default_category(&self) -> Category {
        match self {
            Subject::StaffBehaviour => Category::StaffBehaviour,
            _ => Category::Regulation,
        }
    }

    fn check(&self) -> Result<(), FeedbackError> {
        match self {
            Subject::Procedure { code }
            | Subject::Dossier { code }
            | Subject::Feedback { code } => text("subject.code", code, MAX_CODE_CHARS),
            Subject::Regulation { name } => text("subject.name", name, MAX_TITLE_CHARS),
            Subject::StaffBehaviour | Subject::Other => Ok(()),
        }
    }
}

/// The classification of Decision 766 indicator 5.1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// About regulations and administrative procedures.
    Regulation,
    /// About the behaviour of staff.
    StaffBehaviour,
}

impl Category {
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Regulation => "regulation",
            Category::StaffBehaviour => "staff_behaviour",
        }
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            Category::Regulation => "Về quy định hành chính, thủ tục hành chính",
            Category::StaffBehaviour => "Về hành vi, thái độ của cán bộ, công chức",
        }
    }
}

/// A photo, stored by the application (checked, metadata stripped) under its SHA-256.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Photo {
    pub sha256: String,
    /// `image/jpeg` or `image/png`.
    pub media_type: String,
}

/// Where: a point the person chose to share, and/or the commune (ward) it is in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Place {
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    /// The commune's statistics code (2025 units).
    pub commune: Option<String>,
}

// Coordinates are finite and bounded by `check`, so equality is total.
impl Eq for Place {}

/// Vietnam's extent, generously (with its islands): a point outside it is a mistake.
const LAT_RANGE: (f64, f64) = (6.0, 24.0);
const LON_RANGE: (f64, f64) = (101.0, 118.0);

impl Place {
    fn check(&self) -> Result<(), FeedbackError> {
        match (self.lat, self.lon) {
            (None, None) => {}
            (Some(lat), Some(lon))
                if (LAT_RANGE.0..=LAT_RANGE.1).contains(&lat)
                    && (LON_RANGE.0..=LON_RANGE.1).contains(&lon) => {}
            _ => return Err(FeedbackError::InvalidPlace),
        }
        if let Some(c) = &self.commune {
            text("place.commune", c, MAX_CODE_CHARS)?;
        }
        if self.lat.is_none() && self.commune.is_none() {
            return Err(FeedbackError::InvalidPlace);
        }
        Ok(())
    }
}

/// How to reach the person: never published, shown to the unit's staff only.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    pub name: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

/// A report as submitted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    pub subject: Subject,
    pub title: String,
    pub content: String,
    #[serde(default)]
    pub photos: Vec<Photo>,
    pub place: Option<Place>,
    #[serde(default)]
    pub contact: Contact,
}

impl Report {
    /// Every field within its limit; photos named by their SHA-256 and of an image type.
    pub fn check(&self) -> Result<(), FeedbackError> {
        self.subject.check()?;
        text("title", &self.title, MAX_TITLE_CHARS)?;
        text("content", &self.content, MAX_CONTENT_CHARS)?;
        check_photos(&self.photos)?;
        if let Some(p) = &self.place {
            p.check()?;
        }
        for (field, value) in [
            ("contact.name", &self.contact.name),
            ("contact.phone", &self.contact.phone),
            ("contact.email", &self.contact.email),
        ] {
            if let Some(v) = value {
                text(field, v, 254)?;
            }
        }
        Ok(())
    }
}

pub(super) fn check_photos(photos: &[Photo]) -> Result<(), FeedbackError> {
    if photos.len() > MAX_PHOTOS {
        return Err(FeedbackError::TooManyPhotos { max: MAX_PHOTOS });
    }
    for p in photos {
        let image = matches!(p.media_type.as_str(), "image/jpeg" | "image/png");
        if !image || !crate::dossier::is_sha256_hex(&p.sha256) {
            return Err(FeedbackError::InvalidPhoto);
        }
    }
    Ok(())
}

/// A required text: not blank, at most `max` characters, and allowed by the input rules.
pub(super) fn text(field: &'static str, s: &str, max: usize) -> Result<(), FeedbackError> {
    let t = s.trim();
    if t.is_empty() || t.chars().count() > max {
        return Err(FeedbackError::InvalidText { field, max });
    }
    if crate::input::check(field, t).is_err() {
        return Err(FeedbackError::InvalidText { field, max });
    }
    Ok(())
}
