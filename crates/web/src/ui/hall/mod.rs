//! The counter hall (bốc số): the kiosk where people take a numbered ticket
//! (`/boc-so/{centre}`), the ticket's own page that a phone keeps by its QR
//! (`/boc-so/ve/{token}`), the hall's display board that follows the calls live by server-sent
//! events (`/bang-goi-so/{centre}`), and for receiving officers the counter's screen that calls
//! the next ticket, its statistics and the kiosk's areas (`/mot-cua/boc-so`). The rules and
//! their checks are `motcua_app::hall`'s.

pub(crate) mod board;
pub(crate) mod counter;
pub(crate) mod kiosk;

use std::sync::atomic::{AtomicBool, Ordering};

/// Set when the server stops: the display boards' event streams end so that shutdown does
/// not wait for them (the boards reconnect to the next server).
static STOPPING: AtomicBool = AtomicBool::new(false);

/// Ends every live event stream of this process within a second.
pub fn stop_streams() {
    STOPPING.store(true, Ordering::Relaxed);
}

fn stopping() -> bool {
    STOPPING.load(Ordering::Relaxed)
}

/// One line of a table of hall times (the statistics page, the operations view).
pub(crate) struct Row {
    pub name: String,
    pub t: motcua_domain::hall::Times,
    pub wait_avg: String,
    pub wait_max: String,
    pub serve_avg: String,
}

pub(crate) fn row(name: String, t: motcua_domain::hall::Times) -> Row {
    Row {
        wait_avg: minutes(t.wait_avg),
        wait_max: minutes(t.wait_max),
        serve_avg: minutes(t.serve_avg),
        name,
        t,
    }
}

/// `1.5` minutes as `1,5 phút`; `—` when nothing was measured.
pub(crate) fn minutes(m: Option<f64>) -> String {
    match m {
        Some(m) => format!("{:.1} phút", m).replace('.', ","),
        None => "—".into(),
    }
}
