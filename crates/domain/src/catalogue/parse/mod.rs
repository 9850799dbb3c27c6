//! Readers of Vietnamese field text that do not depend on the crawl format: time limits, fees,
//! numbers. Each returns its reading with [`Finding`](super::issue::Finding)s for what is
//! uncertain, and never panics.

pub mod fee;
pub mod number;
pub mod time;
