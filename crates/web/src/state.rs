//! Shared state of the HTTP layer: the application and the metrics recorder.

use std::ops::Deref;

use metrics_exporter_prometheus::PrometheusHandle;
use motcua_app::{App, Config};
use motcua_store::DynStore;

#[derive(Clone)]
pub struct AppState {
    /// The application layer every handler calls.
    pub app: App,
    pub metrics: PrometheusHandle,
}

impl Deref for AppState {
    type Target = App;
    fn deref(&self) -> &App {
        &self.app
    }
}

impl AppState {
    /// The state; panics if the document store cannot be opened (use [`AppState::try_new`]
    /// where that is a configuration error to report).
    pub fn new(store: DynStore, config: Config) -> Self {
        Self::try_new(store, config).expect("the document store opens")
    }

    pub fn try_new(store: DynStore, config: Config) -> Result<Self, motcua_app::blobs::BlobError> {
        Ok(Self::of(App::try_new(store, config)?))
    }

    /// The HTTP state around an application already built.
    pub fn of(app: App) -> Self {
        AppState {
            app,
            metrics: crate::metrics::handle(),
        }
    }
}
