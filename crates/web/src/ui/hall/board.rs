//! The hall's display board (`/bang-goi-so/{centre}`): the latest calls (number → counter) and
//! the queue of each area, for the screen on the hall's wall. No personal data: numbers and
//! counters only, so it needs no sign-in. The page follows the calls by server-sent events
//! (`/su-kien`): the board's state is read every second and sent when it changed, so every
//! server of the centre's database feeds every screen; without JavaScript the page reloads
//! itself.

use std::convert::Infallible;
use std::time::Duration;

use askama::Template;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use futures_util::stream::{self, Stream};
use motcua_app::hall::{self, Board};

use crate::error::ApiPath;
use crate::state::AppState;
use crate::ui::kit::{Ctx, Page};

/// How often a stream reads the board.
const POLL: Duration = Duration::from_secs(1);
/// A stream ends after this long; the screen reconnects at once (bounded streams keep a
/// restart or a deploy from waiting on them).
const STREAM_LIFETIME: Duration = Duration::from_secs(300);

#[derive(Template)]
#[template(path = "ui/hall/board.html")]
struct BoardPage {
    p: Page,
    b: Board,
}

pub async fn page(ctx: Ctx, ApiPath(code): ApiPath<String>) -> Response {
    match hall::board(&ctx.state, &code, Utc::now()).await {
        Ok(b) => ctx.render(BoardPage { p: ctx.page(), b }),
        Err(e) => ctx.error(&e),
    }
}

/// `board` events carrying the board as JSON, the first at once, then at each change.
pub async fn events(
    axum::extract::State(state): axum::extract::State<AppState>,
    ApiPath(code): ApiPath<String>,
) -> Response {
    // An unknown centre is a 404 now, not an empty stream.
    let first = match hall::board(&state, &code, Utc::now()).await {
        Ok(b) => b,
        Err(e) => return crate::error::ApiError::from(e).into_response(),
    };
    Sse::new(changes(state, code, first))
        .keep_alive(KeepAlive::default())
        .into_response()
}

fn changes(
    state: AppState,
    code: String,
    first: Board,
) -> impl Stream<Item = Result<Event, Infallible>> {
    let until = tokio::time::Instant::now() + STREAM_LIFETIME;
    stream::unfold(
        (state, code, Some(first), None::<Board>),
        move |(state, code, mut next, last)| async move {
            loop {
                if let Some(b) = next.take()
                    && last.as_ref() != Some(&b)
                {
                    let json = serde_json::to_string(&b).unwrap_or_default();
                    let event = Event::default()
                        .event("board")
                        .retry(Duration::from_secs(2));
                    return Some((Ok(event.data(json)), (state, code, None, Some(b))));
                }
                if super::stopping() || tokio::time::Instant::now() >= until {
                    return None;
                }
                tokio::time::sleep(POLL).await;
                match hall::board(&state, &code, Utc::now()).await {
                    Ok(b) => next = Some(b),
                    Err(e) => tracing::warn!(error = %e, "display board not read"),
                }
            }
        },
    )
}
