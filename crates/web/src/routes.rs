//! The route table: every route is registered with the action it performs
//! (`hongling_domain::access`), and one guard checks the caller against the
//! permission matrix before any handler runs.
//!
//! Deny by default: a request that matched a route the table does not list
//! (a route added with axum's own `.route()`) is refused with 403, and a
//! method the table does not list for a path answers 405.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::handler::Handler;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use hongling_domain::Access;
use hongling_service::Error;

use crate::AppState;
use crate::error::WebError;
use crate::security::Auth;

/// One registered route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RouteEntry {
    pub method: &'static str,
    pub path: &'static str,
    pub access: Access,
}

/// A router being built, with the table of what each route requires.
#[derive(Default)]
pub struct Routes {
    router: Router<AppState>,
    entries: Vec<RouteEntry>,
}

macro_rules! method_fn {
    ($name:ident, $method:literal, $routing:path) => {
        pub fn $name<H, T>(mut self, path: &'static str, access: impl Into<Access>, handler: H) -> Self
        where
            H: Handler<T, AppState>,
            T: 'static,
        {
            self.entries.push(RouteEntry { method: $method, path, access: access.into() });
            self.router = self.router.route(path, $routing(handler));
            self
        }
    };
}

impl Routes {
    pub fn new() -> Self {
        Self::default()
    }

    method_fn!(get, "GET", axum::routing::get);
    method_fn!(post, "POST", axum::routing::post);
    method_fn!(put, "PUT", axum::routing::put);

    pub fn merge(mut self, other: Routes) -> Self {
        self.router = self.router.merge(other.router);
        self.entries.extend(other.entries);
        self
    }

    pub fn into_parts(self) -> (Router<AppState>, Vec<RouteEntry>) {
        (self.router, self.entries)
    }
}

/// The table the guard consults: (method, path pattern) → access.
#[derive(Debug, Default)]
pub struct RouteTable {
    /// "GET /party/orgs/{id}" → access
    by_route: HashMap<String, Access>,
    entries: Vec<RouteEntry>,
}

impl RouteTable {
    pub fn new(entries: Vec<RouteEntry>) -> Self {
        let by_route = entries.iter().map(|e| (format!("{} {}", e.method, e.path), e.access)).collect();
        Self { by_route, entries }
    }

    /// Every route, in registration order (the route × role test walks it).
    pub fn entries(&self) -> &[RouteEntry] {
        &self.entries
    }

    fn methods_of(&self, path: &str) -> Vec<&'static str> {
        self.entries.iter().filter(|e| e.path == path).map(|e| e.method).collect()
    }
}

pub(crate) fn is_api(path: &str) -> bool {
    path.starts_with("/api/")
}

/// The guard, run for every request that matched a route.
pub async fn guard(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let Some(matched) = req.extensions().get::<MatchedPath>().map(|m| m.as_str().to_owned()) else {
        // no route matched: the fallback answers (404)
        return next.run(req).await;
    };
    let method = if req.method() == Method::HEAD { "GET" } else { req.method().as_str() };
    let api = is_api(req.uri().path());
    let access = st.routes.by_route.get(&format!("{method} {matched}")).copied();
    let Some(access) = access else {
        let allowed = st.routes.methods_of(&matched);
        if allowed.is_empty() {
            tracing::error!(path = %matched, "route without an entry in the route table: refused");
            return deny(api, Error::Forbidden("该功能未登记访问权限，已拒绝"));
        }
        // a bare 405: the error layer gives it the page or JSON shape
        let mut res = StatusCode::METHOD_NOT_ALLOWED.into_response();
        if let Ok(v) = HeaderValue::from_str(&allowed.join(", ")) {
            res.headers_mut().insert(header::ALLOW, v);
        }
        return res;
    };
    match access {
        Access::Public => next.run(req).await,
        Access::Action(action) => match req.extensions().get::<Auth>().and_then(Auth::user) {
            None if api => WebError::api(Error::Unauthenticated).into_response(),
            None => {
                let next_url = req.uri().path_and_query().map(|p| p.as_str()).unwrap_or("/");
                let q = serde_urlencoded::to_string([("next", next_url)]).unwrap_or_default();
                Redirect::to(&format!("/login?{q}")).into_response()
            }
            Some(u) if u.can(action) => next.run(req).await,
            Some(_) => deny(api, Error::Denied(action)),
        },
    }
}

fn deny(api: bool, e: Error) -> Response {
    if api { WebError::api(e).into_response() } else { WebError::page(e).into_response() }
}

/// Shared handle to the table, kept in the application state.
pub type SharedRoutes = Arc<RouteTable>;
