//! The list page of any [`Listing`]: its search form, its table with sort
//! links, paging and export link, all from the list's description. A
//! handler chooses the list, the fields shown and the buttons; nothing else.

use hongling_domain::Action;
use hongling_service::list::{Cell as Value_, FilterKind, ListQuery, Listing, Pick, Record, Tone, Value};
use hongling_service::{CurrentUser, Error, Page};

use super::{Button, Cell, Field, Head, InlineForm, Kind, ListPage, Table};
use crate::AppState;
use crate::error::WebError;
use crate::layout::{Layout, Pager};
use crate::page::render;

/// The address of a record a cell links to.
pub fn href(r: Record, id: i64) -> String {
    match r {
        Record::Org => format!("/registry/orgs/{id}"),
        Record::OrgCoverage => format!("/party/coverage/orgs/{id}"),
        Record::PartyOrg => format!("/party/orgs/{id}"),
        Record::Member => format!("/party/members/{id}"),
        Record::Instructor => format!("/party/instructors/{id}"),
        Record::User => format!("/system/users/{id}"),
        Record::Unit => format!("/registry/orgs?supervisory_unit_id={id}"),
        Record::Notice => format!("/notices/{id}"),
    }
}

pub fn tone_class(t: Tone) -> &'static str {
    match t {
        Tone::Green => "hl-tag-green",
        Tone::Orange => "hl-tag-orange",
        Tone::Red => "hl-tag-red",
        Tone::Grey => "hl-tag-grey",
        Tone::Blue => "hl-tag-blue",
    }
}

/// A list cell as the page shows it.
pub fn cell(c: Value_) -> Cell {
    let short_text = |c: &Value_| matches!(c, Value_::Text(s) if s.chars().count() <= 8 || is_stamp(s));
    let short = matches!(&c, Value_::Date(_) | Value_::Count(_) | Value_::Rate(_) | Value_::Money(_) | Value_::Tag(..))
        || short_text(&c)
        // a short name over a second line (a person's name over their username)
        || matches!(&c, Value_::Lines(a, _) if short_text(a));
    let mut out = cell_of(c);
    out.nowrap = short;
    out
}

/// Times, codes and other figures ("2026-11-30 09:15:02") read badly broken over lines.
fn is_stamp(s: &str) -> bool {
    s.len() <= 24 && s.chars().all(|c| c.is_ascii_digit() || " -:/.".contains(c))
}

fn cell_of(c: Value_) -> Cell {
    match c {
        Value_::Text(s) => Cell::text(s),
        Value_::Count(n) => n.map(Cell::num).unwrap_or_else(|| Cell::text("—")),
        Value_::Rate(r) => {
            Cell { num: true, ..Cell::text(r.map(hongling_service::list::percent_text).unwrap_or("—".into())) }
        }
        Value_::Money(f) => Cell { num: true, ..Cell::text(f.map(crate::fmt::money).unwrap_or_else(|| "—".into())) },
        Value_::Date(d) => Cell::text(d.map(|d| d.to_string()).unwrap_or_default()),
        Value_::Tag(s, t) => Cell::tag(s, tone_class(t)),
        Value_::Link(s, r, id) => Cell::link(s, href(r, id)),
        Value_::Lines(a, b) => cell_of(*a).sub(b),
        Value_::Empty => Cell::text("—"),
    }
}

/// Query-string pairs of a request.
pub fn pairs(raw: Option<&str>) -> Vec<(String, String)> {
    raw.and_then(|r| serde_urlencoded::from_str::<Vec<(String, String)>>(r).ok()).unwrap_or_default()
}

fn url(base: &str, pairs: &[(&str, String)]) -> String {
    let pairs: Vec<&(&str, String)> = pairs.iter().filter(|(_, v)| !v.is_empty()).collect();
    if pairs.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{}", serde_urlencoded::to_string(&pairs).unwrap_or_default())
    }
}

/// A list page being put together.
pub struct ListView<R> {
    /// The parsed request (None when it had errors).
    pub query: Option<ListQuery>,
    pub page: Option<Page<R>>,
    pub search: Vec<Field>,
    pub table: Table,
    pub pager: Option<Pager>,
    pub errors: Vec<String>,
    base: String,
}

impl<R: 'static> ListView<R> {
    /// Run a list request from its query string: parse it (region and picker
    /// names resolved), read the page, and build the search form and table.
    /// `form` names the filters shown in the search form (a filter that is
    /// set is shown as well). `fixed` filters are applied whatever the URL says.
    pub async fn load<L: Listing<Row = R>>(
        st: &AppState,
        me: &CurrentUser,
        base: &str,
        table_id: &'static str,
        raw: &[(String, String)],
        form: &[&str],
        fixed: &[(&'static str, Value)],
    ) -> Result<Self, WebError> {
        let spec = L::spec();
        let (query, errors) = match st.app.list_query(me, spec, raw, false).await {
            Ok(mut q) => {
                for (n, v) in fixed {
                    q.set(n, v.clone());
                }
                (Some(q), vec![])
            }
            Err(Error::Invalid(errs)) => (None, errs),
            Err(e) => return Err(e.into()),
        };
        let page = match &query {
            Some(q) => Some(st.app.list::<L>(me, q).await?),
            None => None,
        };
        // the search form: what was typed, pickers with the names of their values
        let typed = |name: &str| raw.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v.trim().to_owned());
        let mut search = Vec::new();
        for f in &spec.filters {
            let set = typed(f.name).is_some_and(|v| !v.is_empty())
                && f.default.is_none_or(|d| typed(f.name).as_deref() != Some(d));
            if !form.contains(&f.name) && !set {
                continue;
            }
            if fixed.iter().any(|(n, _)| *n == f.name) {
                continue;
            }
            let raw_value = typed(f.name).unwrap_or_default();
            let resolved = query.as_ref().and_then(|q| q.get(f.name));
            let field = match &f.kind {
                FilterKind::Search | FilterKind::Int { .. } => Field::text(f.name, f.label, raw_value),
                FilterKind::Date => Field::new(f.name, f.label, Kind::Date, raw_value),
                FilterKind::Choice(options) => Field::select(
                    f.name,
                    f.label,
                    match resolved {
                        Some(Value::Choice(c)) => (*c).to_owned(),
                        _ => raw_value,
                    },
                    super::options(options.iter().copied(), if f.default.is_some() { None } else { Some("全部") }),
                ),
                FilterKind::Flag(on) => Field::select(
                    f.name,
                    f.label,
                    match resolved {
                        Some(Value::Flag(true)) => "1".to_owned(),
                        Some(Value::Flag(false)) => "0".to_owned(),
                        _ => raw_value,
                    },
                    vec![(String::new(), "全部".into()), ("1".into(), (*on).into())],
                ),
                FilterKind::Region => match resolved {
                    Some(Value::Region(code)) => {
                        let name = st.app.region_label(code).await?;
                        Field::picker(f.name, f.label, "/pick/regions", code.clone(), name)
                    }
                    _ => Field::picker(f.name, f.label, "/pick/regions", raw_value.clone(), raw_value),
                },
                FilterKind::Pick(kind) => match resolved {
                    Some(Value::Id(id)) => {
                        let name = st.app.pick_labels(me, *kind, &[*id]).await?.remove(id).unwrap_or_default();
                        Field::picker(f.name, f.label, source(*kind), id.to_string(), name)
                    }
                    _ => Field::picker(f.name, f.label, source(*kind), raw_value.clone(), raw_value),
                },
            };
            let mut field = field.placeholder(f.placeholder);
            field.error = errors.iter().find(|e| e.field == f.name).map(|e| e.message.clone());
            search.push(field);
        }
        let in_form: Vec<&str> = search.iter().map(|f| f.name).collect();
        let errors_top: Vec<String> =
            errors.iter().filter(|e| !in_form.contains(&e.field.as_str())).map(|e| e.message.clone()).collect();
        // the table: headers with sort links, cells
        let pairs_now: Vec<(&str, String)> = query.as_ref().map(ListQuery::pairs).unwrap_or_default();
        let (sort_key, desc) = query.as_ref().and_then(|q| q.sort).or(spec.default_sort()).unwrap_or(("", true));
        let headers = spec
            .headers()
            .into_iter()
            .map(|h| {
                if !h.sortable {
                    return Head { label: h.label.to_owned(), href: None, mark: "" };
                }
                let active = h.key == sort_key;
                let mut p: Vec<(&str, String)> =
                    pairs_now.iter().filter(|(k, _)| *k != "sort" && *k != "dir").cloned().collect();
                p.push(("sort", h.key.to_owned()));
                p.push(("dir", if active && !desc { "desc" } else { "asc" }.to_owned()));
                Head {
                    label: h.label.to_owned(),
                    href: Some(url(base, &p)),
                    mark: if !active {
                        ""
                    } else if desc {
                        " ↓"
                    } else {
                        " ↑"
                    },
                }
            })
            .collect();
        let mut table = Table { id: table_id, title: String::new(), headers, rows: vec![] };
        let mut pager = None;
        if let Some(p) = &page {
            table.rows = spec.cells(&p.items).into_iter().map(|r| r.into_iter().map(cell).collect()).collect();
            let mut keep: Vec<(&str, String)> = pairs_now.clone();
            for (n, _) in fixed {
                keep.retain(|(k, _)| k != n);
            }
            if p.per_page != 20 {
                keep.push(("per_page", p.per_page.to_string()));
            }
            pager = Some(Pager::new(base, &keep, p.total, p.page, p.per_page).at_least(!p.total_exact));
        } else if !errors.is_empty() {
            table.rows = vec![];
        }
        Ok(Self { query, page, search, table, pager, errors: errors_top, base: base.to_owned() })
    }

    /// A last column of actions per row (查看, 编辑…), built from each row.
    pub fn actions(mut self, f: impl Fn(&R) -> Vec<(&'static str, String)>) -> Self {
        if let Some(p) = &self.page {
            self.table.headers.push(Head { label: "操作".into(), href: None, mark: "" });
            for (row, cells) in p.items.iter().zip(self.table.rows.iter_mut()) {
                let links = f(row);
                cells.push(Cell {
                    links: links.into_iter().map(|(l, h)| (l.to_owned(), h)).collect(),
                    ..Default::default()
                });
            }
        }
        self
    }

    /// The address of the export of this very list (same filters and order).
    pub fn export_href(&self, path: &str) -> String {
        let pairs: Vec<(&str, String)> = self.query.as_ref().map(ListQuery::pairs).unwrap_or_default();
        url(path, &pairs)
    }

    /// The page, in the shell, with a heading and the toolbar's buttons.
    pub fn page(self, layout: Layout, heading: &str, buttons: Vec<Button>) -> ListPage {
        let empty_note =
            if self.page.is_none() { "查询条件有误，请按提示修改后重新查询" } else { "" };
        let mut errors = self.errors;
        if !empty_note.is_empty() && errors.is_empty() {
            errors.push(empty_note.to_owned());
        }
        ListPage {
            layout,
            heading: heading.to_owned(),
            intro: String::new(),
            action: self.base,
            search: self.search,
            buttons,
            table: self.table,
            pager: self.pager,
            forms: vec![],
            errors,
            above: vec![],
        }
    }
}

impl ListPage {
    pub fn intro(mut self, s: impl Into<String>) -> Self {
        self.intro = s.into();
        self
    }

    /// Tables shown above the list.
    pub fn above(mut self, t: Vec<Table>) -> Self {
        self.above = t;
        self
    }

    pub fn forms(mut self, f: Vec<InlineForm>) -> Self {
        self.forms = f;
        self
    }

    pub fn render(self) -> axum::response::Response {
        let invalid = self.pager.is_none() && !self.errors.is_empty();
        let mut res = render(&self);
        if invalid {
            *res.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
        }
        res
    }
}

/// The suggestion endpoint of a picker kind.
pub fn source(kind: Pick) -> &'static str {
    match kind {
        Pick::Orgs => "/pick/orgs",
        Pick::PartyOrgs => "/pick/party-orgs",
        Pick::Members => "/pick/members",
        Pick::Instructors => "/pick/instructors",
        Pick::Units => "/pick/units",
        Pick::Users => "/pick/users",
        Pick::Channels => "/pick/channels",
        Pick::Assignees => "/pick/assignees",
    }
}

/// An export button for users the matrix allows to export.
pub fn export_button(me: &CurrentUser, action: Action, href: String) -> Option<Button> {
    me.can(action).then(|| Button::new("导出 Excel", href))
}

/// The export of a list: the same request as its page, all rows in its
/// order, as .xlsx.
pub async fn export<L: Listing>(
    st: &AppState,
    me: &CurrentUser,
    raw: Option<&str>,
) -> Result<axum::response::Response, WebError> {
    let q = st.app.list_query(me, L::spec(), &pairs(raw), false).await?;
    let e = st.app.export::<L>(me, &q).await?;
    Ok(crate::page::xlsx_response(e.bytes, &e.file_name))
}

/// A table of some rows of a list, in its page columns (no sort links).
pub fn table_of<L: Listing>(id: &'static str, rows: &[L::Row]) -> Table {
    let spec = L::spec();
    let headers =
        spec.headers().into_iter().map(|h| Head { label: h.label.to_owned(), href: None, mark: "" }).collect();
    Table {
        id,
        title: String::new(),
        headers,
        rows: spec.cells(rows).into_iter().map(|r| r.into_iter().map(cell).collect()).collect(),
    }
}
