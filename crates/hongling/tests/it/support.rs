//! Test harness: a fresh database per test (an SQLite file, or a PostgreSQL
//! schema when TEST_DATABASE_URL is set), a manual clock, and an in-process
//! "browser" that keeps cookies and the CSRF token.

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, Response, StatusCode, header};
use hongling_domain::{RegionCode, Role};
use hongling_service::system::users::{NewUser, ScopeInput};
use hongling_service::{DbConfig, Hongling, ManualClock, Principal};
use http_body_util::BodyExt;
use sea_orm::ConnectionTrait;
use time::macros::datetime;
use tower::ServiceExt;

pub struct TestDb {
    pub cfg: DbConfig,
    _dir: Option<tempfile::TempDir>,
    pg_schema: Option<(String, String)>,
}

static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

impl TestDb {
    pub async fn new() -> TestDb {
        match std::env::var("TEST_DATABASE_URL").ok().filter(|u| !u.is_empty()) {
            Some(url) => {
                let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let schema = format!(
                    "t_{}_{}_{}",
                    std::process::id(),
                    n,
                    hongling_service::secret::random_token()[..8].to_owned()
                );
                let admin = hongling_store::connect(&DbConfig::new(url.clone())).await.expect("connect admin");
                admin.execute_unprepared(&format!("CREATE SCHEMA \"{schema}\"")).await.expect("create schema");
                let mut cfg = DbConfig::new(url.clone());
                cfg.schema = Some(schema.clone());
                cfg.max_connections = 4;
                TestDb { cfg, _dir: None, pg_schema: Some((url, schema)) }
            }
            None => {
                let dir = tempfile::tempdir().expect("tempdir");
                let url = format!("sqlite://{}", dir.path().join("test.db").display());
                TestDb { cfg: DbConfig::new(url), _dir: Some(dir), pg_schema: None }
            }
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((url, schema)) = self.pg_schema.take() {
            // Drop the schema on a detached thread: Drop cannot await, and the
            // test's own connections close only once its runtime moves on.
            // Schemas left behind by an early exit are removed by .ci/run.
            std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("rt");
                rt.block_on(async {
                    if let Ok(c) = hongling_store::connect(&DbConfig::new(url)).await {
                        let _ = c.execute_unprepared(&format!("DROP SCHEMA \"{schema}\" CASCADE")).await;
                    }
                });
            });
        }
    }
}

pub struct TestApp {
    pub app: Hongling,
    pub clock: Arc<ManualClock>,
    pub db: TestDb,
}

/// The data key of the test servers (the same for every instance).
pub fn test_key() -> hongling_service::crypto::DataKey {
    hongling_service::crypto::DataKey::from_hex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f")
        .expect("key")
}

pub const T0: time::OffsetDateTime = datetime!(2026-03-02 01:00 UTC);

impl TestApp {
    pub async fn new() -> TestApp {
        let db = TestDb::new().await;
        let clock = Arc::new(ManualClock::new(T0));
        let app = Hongling::open(&db.cfg, clock.clone()).await.expect("open app").with_data_key(Some(test_key()));
        TestApp { app, clock, db }
    }

    /// A second server process on the same database (its own pool and state).
    pub async fn second_instance(&self) -> Hongling {
        Hongling::open(&self.db.cfg, self.clock.clone()).await.expect("open second").with_data_key(Some(test_key()))
    }

    pub fn router(&self) -> Router {
        hongling_web::router(self.app.clone(), hongling_web::WebConfig::default())
    }

    /// Create a user through the CLI principal; returns its id.
    pub async fn user(&self, username: &str, role: Role, scope: &str, password: &str) -> i64 {
        let scope = ScopeInput::Region(RegionCode::parse(scope).expect("code"));
        let (u, _) = self
            .app
            .system()
            .create_user(
                &Principal::Cli,
                NewUser {
                    username: username.into(),
                    display_name: username.into(),
                    role,
                    scope,
                    password: Some(password.into()),
                },
            )
            .await
            .expect("create user");
        u.id
    }

    pub fn browser(&self) -> Browser {
        Browser::new(self.router())
    }

    pub async fn audit_count(&self) -> i64 {
        let row = self
            .app
            .db
            .query_one_raw(sea_orm::Statement::from_string(
                self.app.db.get_database_backend(),
                "SELECT COUNT(*) AS n FROM audit_log".to_owned(),
            ))
            .await
            .expect("query")
            .expect("row");
        row.try_get::<i64>("", "n").expect("n")
    }
}

pub const PW: &str = "Test-pass-2026";

/// A cookie-keeping client over the router, like a browser.
pub struct Browser {
    pub router: Router,
    pub cookies: Vec<(String, String)>,
    pub csrf: Option<String>,
}

pub struct Resp {
    pub status: StatusCode,
    pub location: Option<String>,
    pub body: String,
    pub headers: axum::http::HeaderMap,
}

impl Resp {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

/// The value of `name="_csrf" value="…"` in a page.
pub fn csrf_in(html: &str) -> Option<String> {
    let i = html.find("name=\"_csrf\" value=\"")?;
    let rest = &html[i + 20..];
    Some(rest[..rest.find('"')?].to_owned())
}

/// What a browser would submit from the form `id="{form_id}"` of a page: its
/// inputs (checkboxes only when checked), the selected option of each select,
/// and its textareas, in page order.
pub fn form_fields(html: &str, form_id: &str) -> Vec<(String, String)> {
    fn attr(tag: &str, name: &str) -> Option<String> {
        let key = format!(" {name}=\"");
        let i = tag.find(&key)? + key.len();
        let v = &tag[i..i + tag[i..].find('"')?];
        Some(
            v.replace("&quot;", "\"")
                .replace("&#x27;", "'")
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&amp;", "&"),
        )
    }
    let start = html.find(&format!("id=\"{form_id}\"")).unwrap_or_else(|| panic!("no form {form_id}"));
    let form = &html[start..start + html[start..].find("</form>").expect("form end")];
    let mut out = vec![];
    let mut rest = form;
    while let Some(i) = rest.find('<') {
        rest = &rest[i..];
        let end = rest.find('>').unwrap_or(rest.len());
        let tag = &rest[..end];
        if tag.starts_with("<input") {
            let checkbox = attr(tag, "type").is_some_and(|t| t == "checkbox");
            if let Some(n) = attr(tag, "name")
                && (!checkbox || tag.contains(" checked"))
            {
                out.push((n, attr(tag, "value").unwrap_or_default()));
            }
        } else if tag.starts_with("<select") {
            let close = rest.find("</select>").unwrap_or(rest.len());
            let body = &rest[..close];
            let options: Vec<&str> = body.split("<option").skip(1).collect();
            let chosen =
                options.iter().find(|o| o[..o.find('>').unwrap_or(0)].contains("selected")).or(options.first());
            if let (Some(n), Some(o)) = (attr(tag, "name"), chosen) {
                out.push((n, attr(o, "value").unwrap_or_default()));
            }
            rest = &rest[close..];
            continue;
        } else if tag.starts_with("<textarea") {
            let close = rest.find("</textarea>").unwrap_or(rest.len());
            if let Some(n) = attr(tag, "name") {
                out.push((n, rest[end + 1..close].to_owned()));
            }
        }
        rest = &rest[end.min(rest.len())..];
        if rest.len() <= 1 {
            break;
        }
        rest = &rest[1..];
    }
    out
}

impl Browser {
    pub fn new(router: Router) -> Self {
        Self { router, cookies: vec![], csrf: None }
    }

    fn cookie_header(&self) -> String {
        self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ")
    }

    pub async fn send(&mut self, req: Request<Body>) -> Resp {
        let res: Response<Body> = self.router.clone().oneshot(req).await.expect("infallible");
        let status = res.status();
        let headers = res.headers().clone();
        for v in headers.get_all(header::SET_COOKIE) {
            let s = v.to_str().unwrap_or("");
            let first = s.split(';').next().unwrap_or("");
            if let Some((k, val)) = first.split_once('=') {
                self.cookies.retain(|(ck, _)| ck != k);
                if !val.is_empty() && !s.contains("Max-Age=0") {
                    self.cookies.push((k.to_owned(), val.to_owned()));
                }
            }
        }
        let location = headers.get(header::LOCATION).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let bytes = res.into_body().collect().await.expect("body").to_bytes();
        let body = String::from_utf8_lossy(&bytes).into_owned();
        if let Some(t) = csrf_in(&body) {
            self.csrf = Some(t);
        }
        Resp { status, location, body, headers }
    }

    pub async fn get(&mut self, uri: &str) -> Resp {
        let req = Request::get(uri).header(header::COOKIE, self.cookie_header()).body(Body::empty()).expect("req");
        self.send(req).await
    }

    /// POST a form; the page's CSRF token is added unless `_csrf` is given.
    pub async fn post(&mut self, uri: &str, fields: &[(&str, &str)]) -> Resp {
        let mut pairs: Vec<(&str, &str)> = fields.to_vec();
        let token = self.csrf.clone().unwrap_or_default();
        if !pairs.iter().any(|(k, _)| *k == "_csrf") {
            pairs.push(("_csrf", &token));
        }
        self.post_raw(uri, &pairs).await
    }

    pub async fn post_raw(&mut self, uri: &str, fields: &[(&str, &str)]) -> Resp {
        let body = serde_urlencoded::to_string(fields).expect("form");
        let req = Request::post(uri)
            .header(header::COOKIE, self.cookie_header())
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .expect("req");
        self.send(req).await
    }

    /// POST a multipart form with text fields and one file (`file_field`),
    /// as a browser sends an upload; the page's CSRF token is added.
    pub async fn upload(
        &mut self,
        uri: &str,
        fields: &[(&str, &str)],
        file_field: &str,
        file_name: &str,
        bytes: &[u8],
    ) -> Resp {
        let boundary = "HlBoundary7MA4YWxk";
        let token = self.csrf.clone().unwrap_or_default();
        let mut body = Vec::new();
        for (k, v) in fields.iter().chain(std::iter::once(&("_csrf", token.as_str()))) {
            body.extend(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n").as_bytes(),
            );
        }
        body.extend(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{file_field}\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend(bytes);
        body.extend(format!("\r\n--{boundary}--\r\n").as_bytes());
        let req = Request::post(uri)
            .header(header::COOKIE, self.cookie_header())
            .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
            .body(Body::from(body))
            .expect("req");
        self.send(req).await
    }

    pub async fn login(&mut self, username: &str, password: &str) -> Resp {
        self.get("/login").await;
        self.post("/login", &[("username", username), ("password", password)]).await
    }

    pub async fn api_get(&mut self, uri: &str, bearer: Option<&str>) -> Resp {
        let mut b = Request::get(uri).header(header::COOKIE, self.cookie_header());
        if let Some(t) = bearer {
            b = b.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        self.send(b.body(Body::empty()).expect("req")).await
    }
}

impl TestApp {
    /// A user as the services see them.
    pub async fn current(&self, id: i64) -> hongling_service::CurrentUser {
        use sea_orm::EntityTrait;
        let m = hongling_store::entity::user::Entity::find_by_id(id).one(&self.app.db).await.expect("q").expect("user");
        hongling_service::auth::current_user(&m).expect("current user")
    }

    /// A user as the services see them, by username.
    pub async fn current_by_name(&self, username: &str) -> hongling_service::CurrentUser {
        use hongling_store::entity::user;
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        let m = user::Entity::find().filter(user::Column::Username.eq(username)).one(&self.app.db).await;
        hongling_service::auth::current_user(&m.expect("q").expect("user")).expect("current user")
    }
}

/// A valid civil-affairs credit code for a test: kind type char, authority region, body.
pub fn code(t: char, region6: &str, body: &str) -> String {
    hongling_domain::registry::uscc::build('5', t, region6, body).expect("valid parts").to_string()
}

/// A registered association in 东营区 (370502) with the given name and code.
pub fn draft(name: &str, uscc: &str, region: &str) -> hongling_domain::registry::OrgDraft {
    use hongling_domain::registry::*;
    OrgDraft {
        uscc: uscc.into(),
        name: name.into(),
        kind: Some(OrgKind::Association),
        mode: Some(RegistrationMode::Registered),
        category: Some(Category::Charity),
        authority_region: region[..6].to_owned(),
        region_code: region.into(),
        legal_rep: "王伟".into(),
        founded_on: Some(time::macros::date!(2015 - 06 - 01)),
        ..Default::default()
    }
}

impl Browser {
    /// A JSON request with a bearer token.
    pub async fn api_send(&mut self, method: &str, uri: &str, bearer: &str, body: serde_json::Value) -> Resp {
        let req = axum::http::Request::builder()
            .method(method)
            .uri(uri)
            .header(header::AUTHORIZATION, format!("Bearer {bearer}"))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
            .expect("req");
        self.send(req).await
    }
}

/// A page of a list, asked for as the pages and the API ask: query pairs.
pub async fn list<L: hongling_service::list::Listing>(
    app: &Hongling,
    me: &hongling_service::CurrentUser,
    pairs: &[(&str, impl AsRef<str>)],
) -> hongling_service::Page<L::Row> {
    let raw: Vec<(String, String)> = pairs.iter().map(|(k, v)| ((*k).to_owned(), v.as_ref().to_owned())).collect();
    let q = app.list_query(me, L::spec(), &raw, true).await.expect("list query");
    app.list::<L>(me, &q).await.expect("list")
}

/// The register as a list of records (the organization list's rows).
pub async fn orgs(
    app: &Hongling,
    me: &hongling_service::CurrentUser,
    pairs: &[(&str, impl AsRef<str>)],
) -> hongling_service::Page<hongling_service::models::SocialOrg> {
    let p = list::<hongling_service::registry::lists::OrgList>(app, me, pairs).await;
    hongling_service::Page {
        items: p.items.into_iter().map(|r| r.org).collect(),
        total: p.total,
        page: p.page,
        per_page: p.per_page,
        total_exact: p.total_exact,
    }
}

/// No filter.
pub const ALL: &[(&str, &str)] = &[];
