//! Hongling's web layer: HTML pages (askama + htmx) and the JSON API under
//! `/api/v1`, both thin over `hongling_service`.

// shared
mod api;
mod assets;
pub mod attachments;
mod error;
mod extract;
mod fmt;
mod layout;
mod openapi;
mod page;
pub mod routes;
mod security;
pub(crate) mod ui;

// modules: pages and API of each
mod party;
mod registry;
mod system;

use std::time::Duration;

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware;
use hongling_domain::Access;
use hongling_service::Hongling;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;

pub use error::WebError;

/// Settings of the web layer.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Mark cookies `Secure` always (they are anyway on requests that came
    /// over TLS, as the proxy's `X-Forwarded-Proto` says).
    pub secure_cookies: bool,
    /// `Strict-Transport-Security: max-age=…` on answers to requests that came
    /// over TLS; 0 sends none.
    pub hsts_max_age: u64,
    /// Largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// The header a trusted reverse proxy puts the client's address in
    /// (`X-Forwarded-For`, `X-Real-IP`); the last address in it is used. Unset:
    /// the peer address of the connection. Login throttling counts by it.
    pub client_ip_header: Option<String>,
}

impl Default for WebConfig {
    fn default() -> Self {
        Self { secure_cookies: false, hsts_max_age: 0, max_body_bytes: 20 * 1024 * 1024, client_ip_header: None }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub app: Hongling,
    pub cfg: WebConfig,
    /// What each route requires (see `routes`).
    pub routes: routes::SharedRoutes,
}

/// Every route of the application with the action it performs: one line per
/// module for its pages and one for its API.
pub fn all_routes() -> routes::Routes {
    routes::Routes::new()
        .merge(system::routes())
        .merge(registry::routes())
        .merge(party::routes())
        .merge(api::routes())
        .merge(registry::api::routes())
        .merge(party::api::routes())
        .merge(ui::picker::routes())
        .merge(attachments::routes())
        .get("/healthz", Access::Public, api::healthz)
        .get("/static/{*path}", Access::Public, assets::serve)
}

/// How long a request may take before it is answered 408.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(120);

/// The whole HTTP application.
pub fn router(app: Hongling, cfg: WebConfig) -> Router {
    router_with(app, cfg, Router::new())
}

/// The application with `extra` routes merged in *without* entries in the
/// route table: the guard refuses them (tests show deny by default).
pub fn router_with(app: Hongling, cfg: WebConfig, extra: Router<AppState>) -> Router {
    let limit = cfg.max_body_bytes;
    let hsts = cfg.hsts_max_age;
    let (routes, table) = all_routes().into_parts();
    let state = AppState { app, cfg, routes: Arc::new(routes::RouteTable::new(table)) };
    let app_routes = routes
        .merge(extra)
        .fallback(page::not_found)
        // run last to first: session → route guard → CSRF → handler
        .layer(middleware::from_fn_with_state(state.clone(), security::csrf))
        .layer(middleware::from_fn_with_state(state.clone(), routes::guard))
        .layer(middleware::from_fn_with_state(state.clone(), security::load_session))
        .with_state(state);
    outer_layers(app_routes, limit, REQUEST_TIMEOUT, hsts)
}

/// The layers around the routes, outermost first:
/// 1. security headers and the access log (on every response, errors included);
/// 2. `error::shape`: the page-number guard, and every error response in one
///    shape (`{code, message, fields}` JSON under `/api/`, the Chinese error
///    page elsewhere);
/// 3. the panic catcher (500 `internal`, nothing of the panic leaves the server);
/// 4. the request timeout (408);
/// 5. the body limits: `RequestBodyLimitLayer` (a declared length over the
///    limit is refused before the handler runs) and `DefaultBodyLimit` (for
///    the extractors), both 413.
///
/// Public so that tests can put the same layers around routes of their own
/// (a handler that panics or sleeps).
pub fn outer_layers(routes: Router, max_body_bytes: usize, timeout: Duration, hsts_max_age: u64) -> Router {
    routes
        .layer(DefaultBodyLimit::max(max_body_bytes))
        .layer(RequestBodyLimitLayer::new(max_body_bytes))
        .layer(TimeoutLayer::with_status_code(axum::http::StatusCode::REQUEST_TIMEOUT, timeout))
        .layer(CatchPanicLayer::custom(error::panic_response))
        .layer(middleware::from_fn(error::shape))
        .layer(middleware::from_fn_with_state(hsts_max_age, security::headers))
}
