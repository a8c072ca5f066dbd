//! Lists declared once.
//!
//! A [`ListSpec`] describes a list: its filters (name, Chinese label, kind),
//! how each filter narrows the query, its columns (label, value, whether it
//! is shown on the page, exported, sortable), its sort keys and default
//! order. From that one description come the query (filters, capped count,
//! order, page), the page's search form and table with sort links, the JSON
//! API's query parameters and their OpenAPI entry, and the .xlsx export.
//!
//! A list is a type implementing [`Listing`]: its spec, the caller's scope as
//! a condition, and how rows are built from records. `app.list::<L>()` and
//! `app.export::<L>()` do the rest.

use std::collections::HashMap;
use std::future::Future;

use hongling_domain::Labelled;
use hongling_domain::region::subtree_range;
use hongling_store::page::COUNT_CAP;
use hongling_store::{Page, PageRequest};
use sea_orm::{
    ColumnTrait, Condition, EntityTrait, Iterable, Order, PaginatorTrait, PrimaryKeyToColumn, QueryFilter, QueryOrder,
    QuerySelect, Select,
};
use time::Date;

use crate::{CurrentUser, Error, FieldError, Hongling, Result};

/// Rows per page at most.
pub const MAX_PER_PAGE: u64 = PageRequest::MAX_PER_PAGE;
/// Largest export in one file.
pub const MAX_EXPORT_ROWS: u64 = 200_000;

/// Records chosen with a picker (type part of a name, choose a suggestion).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Pick {
    Orgs,
    PartyOrgs,
    Members,
    Instructors,
    Units,
    Users,
    Channels,
    /// Users a breach may be assigned to: region-scoped readers of party figures in the subtree.
    Assignees,
}

impl Pick {
    pub const ALL: [Pick; 8] = [
        Pick::Orgs,
        Pick::PartyOrgs,
        Pick::Members,
        Pick::Instructors,
        Pick::Units,
        Pick::Users,
        Pick::Channels,
        Pick::Assignees,
    ];

    /// The path segment of its suggestion endpoint (`/pick/{slug}`).
    pub fn slug(self) -> &'static str {
        match self {
            Pick::Orgs => "orgs",
            Pick::PartyOrgs => "party-orgs",
            Pick::Members => "members",
            Pick::Instructors => "instructors",
            Pick::Units => "units",
            Pick::Users => "users",
            Pick::Channels => "channels",
            Pick::Assignees => "assignees",
        }
    }

    /// What it is called in messages ("未找到名为…的社会组织").
    pub fn noun(self) -> &'static str {
        match self {
            Pick::Orgs => "社会组织",
            Pick::PartyOrgs => "党组织",
            Pick::Members => "党员",
            Pick::Instructors => "党建指导员",
            Pick::Units => "业务主管单位",
            Pick::Users => "用户",
            Pick::Channels => "管理渠道",
            Pick::Assignees => "责任人",
        }
    }
}

/// What a filter takes.
#[derive(Debug, Clone)]
pub enum FilterKind {
    /// Free text: a name, a code, part of one.
    Search,
    /// A region of the caller's subtree, by code or by name.
    Region,
    /// One of a closed set: (identifier, label).
    Choice(Vec<(&'static str, &'static str)>),
    /// A record chosen with a picker (its id; a typed name is resolved).
    Pick(Pick),
    /// Set or not; the label says what "set" means (仅看有违规的).
    Flag(&'static str),
    /// A whole number in a range.
    Int { min: i64, max: i64 },
    /// A date, YYYY-MM-DD.
    Date,
}

/// One filter of a list.
#[derive(Debug, Clone)]
pub struct Filter {
    pub name: &'static str,
    pub label: &'static str,
    pub kind: FilterKind,
    /// A hint shown in the empty field.
    pub placeholder: &'static str,
    /// The value when none is given (a choice filter with a default has no
    /// "all" option: 正常 unless 已撤销 is asked for).
    pub default: Option<&'static str>,
}

impl Filter {
    pub fn new(name: &'static str, label: &'static str, kind: FilterKind) -> Self {
        Self { name, label, kind, placeholder: "", default: None }
    }

    pub fn search(name: &'static str, label: &'static str) -> Self {
        Self::new(name, label, FilterKind::Search)
    }

    pub fn region(name: &'static str, label: &'static str) -> Self {
        Self { placeholder: "输入区划名称或代码", ..Self::new(name, label, FilterKind::Region) }
    }

    pub fn choice<T: Labelled>(name: &'static str, label: &'static str) -> Self {
        Self::new(name, label, FilterKind::Choice(T::choices()))
    }

    pub fn options(name: &'static str, label: &'static str, options: Vec<(&'static str, &'static str)>) -> Self {
        Self::new(name, label, FilterKind::Choice(options))
    }

    pub fn pick(name: &'static str, label: &'static str, pick: Pick) -> Self {
        Self { placeholder: "输入名称选择", ..Self::new(name, label, FilterKind::Pick(pick)) }
    }

    pub fn flag(name: &'static str, label: &'static str, on: &'static str) -> Self {
        Self::new(name, label, FilterKind::Flag(on))
    }

    pub fn int(name: &'static str, label: &'static str, min: i64, max: i64) -> Self {
        Self::new(name, label, FilterKind::Int { min, max })
    }

    pub fn date(name: &'static str, label: &'static str) -> Self {
        Self::new(name, label, FilterKind::Date)
    }

    pub fn placeholder(mut self, p: &'static str) -> Self {
        self.placeholder = p;
        self
    }

    pub fn default(mut self, v: &'static str) -> Self {
        self.default = Some(v);
        self
    }
}

/// A filter's value after parsing and resolving.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Text(String),
    /// A region code inside the caller's subtree.
    Region(String),
    Choice(&'static str),
    Id(i64),
    Flag(bool),
    Int(i64),
    Date(Date),
}

/// A parsed list request: filter values, order, page.
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    pub values: Vec<(&'static str, Value)>,
    /// Sort key and descending; None: the list's default order.
    pub sort: Option<(&'static str, bool)>,
    pub page: PageRequest,
}

impl ListQuery {
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.values.iter().find(|(n, _)| *n == name).map(|(_, v)| v)
    }

    pub fn text(&self, name: &str) -> Option<&str> {
        match self.get(name)? {
            Value::Text(s) | Value::Region(s) => Some(s),
            Value::Choice(s) => Some(s),
            _ => None,
        }
    }

    pub fn id(&self, name: &str) -> Option<i64> {
        match self.get(name)? {
            Value::Id(i) | Value::Int(i) => Some(*i),
            _ => None,
        }
    }

    pub fn flag(&self, name: &str) -> bool {
        matches!(self.get(name), Some(Value::Flag(true)))
    }

    pub fn date(&self, name: &str) -> Option<Date> {
        match self.get(name)? {
            Value::Date(d) => Some(*d),
            _ => None,
        }
    }

    /// Set a value (pages add fixed filters, e.g. status=active).
    pub fn set(&mut self, name: &'static str, v: Value) {
        self.values.retain(|(n, _)| *n != name);
        self.values.push((name, v));
    }

    /// The query as URL pairs (for links: paging, sorting, export).
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        let mut out: Vec<(&'static str, String)> = self
            .values
            .iter()
            .map(|(n, v)| {
                let s = match v {
                    Value::Text(s) | Value::Region(s) => s.clone(),
                    Value::Choice(s) => (*s).to_owned(),
                    Value::Id(i) | Value::Int(i) => i.to_string(),
                    Value::Flag(b) => if *b { "1" } else { "0" }.to_owned(),
                    Value::Date(d) => d.to_string(),
                };
                (*n, s)
            })
            .collect();
        if let Some((k, desc)) = self.sort {
            out.push(("sort", k.to_owned()));
            out.push(("dir", if desc { "desc" } else { "asc" }.to_owned()));
        }
        out
    }
}

/// How a filter narrows the query.
pub enum Bind<E: EntityTrait> {
    /// column = value (choices, ids, numbers, flags).
    Eq(E::Column),
    /// A region code column within the chosen subtree.
    Subtree(E::Column),
    /// column contains the text (`LIKE '%…%'`, wildcards removed).
    Contains(E::Column),
    /// column ≥ the date / column < the day after the date.
    From(E::Column),
    Until(E::Column),
    /// A condition of its own.
    With(fn(&Value) -> Condition),
    /// Read by the list's own code (scope, search over an index…).
    Custom,
}

/// How a cell is toned on the page (UI.md status tags).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Green,
    Orange,
    Red,
    Grey,
    Blue,
}

/// Records a cell can link to; the web layer knows their addresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Record {
    Org,
    OrgCoverage,
    PartyOrg,
    Member,
    Instructor,
    User,
    Unit,
    Notice,
}

/// One cell of a list: what it means, not how it looks.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    /// A count: thousands separators; exported as a number.
    Count(Option<i64>),
    /// A share 0..=1: shown as 95.3%; exported as a number formatted 0.0%.
    Rate(Option<f64>),
    /// An amount in fen: shown and exported as yuan with two decimals.
    Money(Option<i64>),
    Date(Option<Date>),
    /// A status tag.
    Tag(String, Tone),
    /// A link to a record.
    Link(String, Record, i64),
    /// A first line and a smaller second line.
    Lines(Box<Cell>, String),
    Empty,
}

impl Cell {
    pub fn text(s: impl Into<String>) -> Self {
        let s = s.into();
        if s.is_empty() { Cell::Empty } else { Cell::Text(s) }
    }

    pub fn link(s: impl Into<String>, r: Record, id: i64) -> Self {
        Cell::Link(s.into(), r, id)
    }

    pub fn opt_link(r: &Option<crate::Ref>, kind: Record) -> Self {
        match r {
            Some(r) => Cell::Link(r.name.clone(), kind, r.id),
            None => Cell::Empty,
        }
    }

    pub fn count(n: impl Into<i64>) -> Self {
        Cell::Count(Some(n.into()))
    }

    pub fn with_line(self, second: impl Into<String>) -> Self {
        let second = second.into();
        if second.is_empty() { self } else { Cell::Lines(Box::new(self), second) }
    }

    /// The cell as plain text (exports of links and tags, sort-free views).
    pub fn plain(&self) -> String {
        match self {
            Cell::Text(s) | Cell::Tag(s, _) | Cell::Link(s, _, _) => s.clone(),
            Cell::Count(n) => n.map(|n| n.to_string()).unwrap_or_default(),
            Cell::Rate(r) => r.map(percent_text).unwrap_or_default(),
            Cell::Money(f) => f.map(yuan).unwrap_or_default(),
            Cell::Date(d) => d.map(|d| d.to_string()).unwrap_or_default(),
            Cell::Lines(a, b) => format!("{}（{}）", a.plain(), b),
            Cell::Empty => String::new(),
        }
    }
}

/// Fen as yuan: 300000 → "3000.00" (exports and the API; pages add separators).
pub fn yuan(fen: i64) -> String {
    hongling_domain::party::records::format_fen(fen)
}

/// A rate (0.0–1.0) as a percentage with one decimal, halves rounded away
/// from zero: the one rounding of tables, exports and charts.
pub fn percent(rate: f64) -> f64 {
    (rate * 1000.0).round() / 10.0
}

/// A rate as pages and exports show it: 0.1225 → "12.3%".
pub fn percent_text(rate: f64) -> String {
    format!("{:.1}%", percent(rate))
}

/// Where a column appears.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Show {
    Both,
    Page,
    Export,
}

/// One column of a list.
pub struct Column<R> {
    pub key: &'static str,
    pub label: &'static str,
    pub value: fn(&R) -> Cell,
    pub show: Show,
    pub sortable: bool,
}

/// The description of a list over entity `E` with rows of type `R`.
pub struct ListSpec<E: EntityTrait, R> {
    pub name: &'static str,
    pub title: &'static str,
    pub filters: Vec<Filter>,
    binds: Vec<(&'static str, Bind<E>)>,
    pub columns: Vec<Column<R>>,
    sorts: Vec<(&'static str, &'static str, E::Column)>,
    default_sort: Option<(&'static str, bool)>,
}

/// A header of the page's table.
#[derive(Debug, Clone)]
pub struct Header {
    pub key: &'static str,
    pub label: &'static str,
    pub sortable: bool,
}

impl<E: EntityTrait, R> ListSpec<E, R> {
    pub fn new(name: &'static str, title: &'static str) -> Self {
        Self { name, title, filters: vec![], binds: vec![], columns: vec![], sorts: vec![], default_sort: None }
    }

    pub fn filter(mut self, f: Filter, bind: Bind<E>) -> Self {
        self.binds.push((f.name, bind));
        self.filters.push(f);
        self
    }

    /// A column shown on the page and exported.
    pub fn column(self, key: &'static str, label: &'static str, value: fn(&R) -> Cell) -> Self {
        self.col(key, label, value, Show::Both, None)
    }

    /// A column that sorts by a database column.
    pub fn sorted(self, key: &'static str, label: &'static str, by: E::Column, value: fn(&R) -> Cell) -> Self {
        self.col(key, label, value, Show::Both, Some(by))
    }

    pub fn page_only(self, key: &'static str, label: &'static str, value: fn(&R) -> Cell) -> Self {
        self.col(key, label, value, Show::Page, None)
    }

    pub fn export_only(self, key: &'static str, label: &'static str, value: fn(&R) -> Cell) -> Self {
        self.col(key, label, value, Show::Export, None)
    }

    /// Any column, with where it shows and what it sorts by.
    pub fn col(
        mut self,
        key: &'static str,
        label: &'static str,
        value: fn(&R) -> Cell,
        show: Show,
        by: Option<E::Column>,
    ) -> Self {
        if let Some(c) = by {
            self.sorts.push((key, label, c));
        }
        self.columns.push(Column { key, label, value, show, sortable: by.is_some() });
        self
    }

    /// A sort key without a column of its own.
    pub fn sort_key(mut self, key: &'static str, label: &'static str, by: E::Column) -> Self {
        self.sorts.push((key, label, by));
        self
    }

    /// The default order: a sort key, descending or not. Without one, newest first.
    pub fn default_order(mut self, key: &'static str, desc: bool) -> Self {
        self.default_sort = Some((key, desc));
        self
    }

    pub fn sort_keys(&self) -> Vec<(&'static str, &'static str)> {
        self.sorts.iter().map(|(k, l, _)| (*k, *l)).collect()
    }

    pub fn default_sort(&self) -> Option<(&'static str, bool)> {
        self.default_sort
    }

    pub fn headers(&self) -> Vec<Header> {
        self.columns
            .iter()
            .filter(|c| c.show != Show::Export)
            .map(|c| Header { key: c.key, label: c.label, sortable: c.sortable })
            .collect()
    }

    /// The page's cells of some rows.
    pub fn cells(&self, rows: &[R]) -> Vec<Vec<Cell>> {
        let cols: Vec<&Column<R>> = self.columns.iter().filter(|c| c.show != Show::Export).collect();
        rows.iter().map(|r| cols.iter().map(|c| (c.value)(r)).collect()).collect()
    }

    /// The .xlsx of some rows: exported columns, numbers as numbers.
    pub fn xlsx(&self, rows: &[R]) -> Result<Vec<u8>> {
        let cols: Vec<&Column<R>> = self.columns.iter().filter(|c| c.show != Show::Page).collect();
        let headers: Vec<&str> = cols.iter().map(|c| c.label).collect();
        let data = rows.iter().map(|r| cols.iter().map(|c| export_cell((c.value)(r))).collect());
        crate::tabular::write_xlsx(self.title, &headers, data).map_err(Error::internal)
    }

    /// The conditions of the filters that are set.
    pub fn condition(&self, q: &ListQuery) -> Condition {
        let mut c = Condition::all();
        for (name, bind) in &self.binds {
            let Some(v) = q.get(name) else { continue };
            c = match (bind, v) {
                (Bind::Custom, _) => c,
                (Bind::With(f), v) => c.add(f(v)),
                (Bind::Subtree(col), Value::Region(code)) => {
                    let (lo, hi) = subtree_range(code);
                    c.add(col.gte(lo)).add(col.lt(hi))
                }
                (Bind::Contains(col), Value::Text(t)) => {
                    if t.trim().is_empty() {
                        c
                    } else {
                        c.add(contains(*col, t))
                    }
                }
                (Bind::From(col), Value::Date(d)) => c.add(col.gte(*d)),
                (Bind::Until(col), Value::Date(d)) => c.add(col.lt(d.next_day().unwrap_or(*d))),
                (Bind::Eq(col), Value::Choice(s)) => c.add(col.eq(*s)),
                (Bind::Eq(col), Value::Text(s) | Value::Region(s)) => c.add(col.eq(s.as_str())),
                (Bind::Eq(col), Value::Id(i) | Value::Int(i)) => c.add(col.eq(*i)),
                (Bind::Eq(col), Value::Flag(b)) => c.add(col.eq(*b)),
                (Bind::Eq(col), Value::Date(d)) => c.add(col.eq(*d)),
                _ => c,
            };
        }
        c
    }

    /// Order by the chosen or default sort key, then by primary key.
    pub fn ordered(&self, s: Select<E>, q: &ListQuery) -> Select<E> {
        let (key, desc) = q.sort.or(self.default_sort).unwrap_or(("", true));
        let dir = |d: bool| if d { Order::Desc } else { Order::Asc };
        let mut s = s;
        if let Some((_, _, col)) = self.sorts.iter().find(|(k, _, _)| *k == key) {
            s = s.order_by(*col, dir(desc));
        }
        for pk in E::PrimaryKey::iter() {
            s = s.order_by(pk.into_column(), dir(desc));
        }
        s
    }

    /// What the pages, the API and the OpenAPI document need to know.
    pub fn def(&self) -> ListDef<'_> {
        ListDef { name: self.name, title: self.title, filters: &self.filters, sorts: self.sort_keys() }
    }
}

/// The parts of a list that do not depend on its types.
pub struct ListDef<'a> {
    pub name: &'static str,
    pub title: &'static str,
    pub filters: &'a [Filter],
    pub sorts: Vec<(&'static str, &'static str)>,
}

fn export_cell(c: Cell) -> crate::tabular::Cell {
    use crate::tabular::Cell as X;
    match c {
        Cell::Count(Some(n)) => X::Count(n),
        Cell::Rate(Some(r)) => X::Rate(r),
        Cell::Money(Some(f)) => X::Money(f),
        Cell::Date(Some(d)) => X::Date(d),
        Cell::Count(None) | Cell::Rate(None) | Cell::Money(None) | Cell::Date(None) | Cell::Empty => X::Empty,
        other => {
            let s = other.plain();
            if s.is_empty() { X::Empty } else { X::Text(s) }
        }
    }
}

/// Text for a `LIKE` pattern: the wildcard and escape characters removed.
pub fn like_safe(s: &str) -> String {
    s.trim().chars().filter(|c| !matches!(c, '%' | '_' | '\\')).collect()
}

/// `text` with LIKE's wildcards escaped (used with `ESCAPE '\'`).
fn like_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.trim().chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// `column LIKE '%text%'`, the text matched as it is (`_` and `%` included).
pub fn contains(col: impl ColumnTrait, text: &str) -> Condition {
    use sea_orm::sea_query::{Expr, ExprTrait, LikeExpr};
    Condition::all().add(Expr::col(col).like(LikeExpr::new(format!("%{}%", like_escape(text))).escape('\\')))
}

/// `column LIKE 'text%'`, the text matched as it is.
pub fn starts_with(col: impl ColumnTrait, text: &str) -> Condition {
    use sea_orm::sea_query::{Expr, ExprTrait, LikeExpr};
    Condition::all().add(Expr::col(col).like(LikeExpr::new(format!("{}%", like_escape(text))).escape('\\')))
}

/// A list: its description, the caller's scope and how rows are built.
pub trait Listing: Send + Sync + 'static {
    type Entity: EntityTrait<Model: Sync>;
    type Row: Send + Sync;

    fn spec() -> &'static ListSpec<Self::Entity, Self::Row>;

    /// The records the caller may see, as a condition (and the permission
    /// check: an error if they may not use the list at all). The query is
    /// given for lists whose scope depends on a filter.
    fn scope(app: &Hongling, me: &CurrentUser, q: &ListQuery) -> Result<Condition>;

    /// Rows from a page of records (batched lookups of names and labels).
    fn rows(
        app: &Hongling,
        me: &CurrentUser,
        models: Vec<<Self::Entity as EntityTrait>::Model>,
    ) -> impl Future<Output = Result<Vec<Self::Row>>> + Send;

    /// A cheaper capped count than COUNT over the query, where one exists.
    fn count(_app: &Hongling, _me: &CurrentUser, _q: &ListQuery) -> impl Future<Output = Result<Option<u64>>> + Send {
        async { Ok(None) }
    }

    /// The audit entry's action of an export (None: exports are not audited).
    const EXPORT_AUDIT: Option<hongling_domain::audit::AuditAction> = None;
}

/// A written export.
pub struct Export {
    pub bytes: Vec<u8>,
    pub file_name: String,
    pub rows: usize,
}

impl Hongling {
    /// Parse a list request from its query-string pairs. `strict` (the API)
    /// refuses unknown parameters; pages ignore them. Region and picker
    /// values typed as names are resolved within the caller's scope; a name
    /// that matches nothing, or several records, is an error on its field.
    pub async fn list_query<E: EntityTrait, R>(
        &self,
        me: &CurrentUser,
        spec: &ListSpec<E, R>,
        raw: &[(String, String)],
        strict: bool,
    ) -> Result<ListQuery> {
        let mut errors: Vec<FieldError> = Vec::new();
        let mut bad = |f: &str, m: String| errors.push(FieldError { field: f.to_owned(), message: m });
        let mut q = ListQuery::default();
        let mut page = None;
        let mut per_page = None;
        let mut sort = None;
        let mut dir = None;
        let sorts = spec.sort_keys();
        for (k, v) in raw {
            let v = v.trim();
            match k.as_str() {
                "page" | "per_page" | "sort" | "dir" if v.is_empty() => {}
                "page" => match v.parse::<u64>() {
                    Ok(n) => page = Some(n),
                    Err(_) if v.chars().all(|c| c.is_ascii_digit()) => page = Some(u64::MAX),
                    Err(_) => bad("page", "页码应为正整数".into()),
                },
                "per_page" => match v.parse::<u64>() {
                    Ok(n) => per_page = Some(n),
                    Err(_) if v.chars().all(|c| c.is_ascii_digit()) => per_page = Some(u64::MAX),
                    Err(_) => bad("per_page", format!("每页条数应在 1 至 {MAX_PER_PAGE} 之间")),
                },
                "sort" => match sorts.iter().find(|(key, _)| *key == v) {
                    Some((key, _)) => sort = Some(*key),
                    None => bad(
                        "sort",
                        format!(
                            "不能按“{v}”排序，可选：{}",
                            sorts.iter().map(|(k, l)| format!("{k}（{l}）")).collect::<Vec<_>>().join("、")
                        ),
                    ),
                },
                "dir" => match v {
                    "asc" => dir = Some(false),
                    "desc" => dir = Some(true),
                    _ => bad("dir", "排序方向应为 asc 或 desc".into()),
                },
                name => {
                    let Some(f) = spec.filters.iter().find(|f| f.name == name) else {
                        if strict {
                            bad(
                                name,
                                format!(
                                    "未知的查询参数“{name}”，可用：{}",
                                    spec.filters
                                        .iter()
                                        .map(|f| f.name)
                                        .chain(["sort", "dir", "page", "per_page"])
                                        .collect::<Vec<_>>()
                                        .join("、")
                                ),
                            );
                        }
                        continue;
                    };
                    if v.is_empty() {
                        continue;
                    }
                    match self.filter_value(me, f, v).await? {
                        Ok(val) => q.set(f.name, val),
                        Err(m) => bad(f.name, m),
                    }
                }
            }
        }
        for f in &spec.filters {
            if let Some(d) = f.default
                && q.get(f.name).is_none()
                && let Ok(v) = self.filter_value(me, f, d).await?
            {
                q.set(f.name, v);
            }
        }
        q.page = match PageRequest::check(page, per_page) {
            Ok(p) => p,
            Err(e) => {
                bad(e.field(), e.message());
                PageRequest::default()
            }
        };
        q.sort = match (sort, dir) {
            (Some(k), d) => Some((k, d.unwrap_or(false))),
            (None, Some(d)) => spec.default_sort.map(|(k, _)| (k, d)),
            (None, None) => None,
        };
        if errors.is_empty() { Ok(q) } else { Err(Error::Invalid(errors)) }
    }

    /// One filter's value, or the message of why it is not one.
    async fn filter_value(&self, me: &CurrentUser, f: &Filter, v: &str) -> Result<std::result::Result<Value, String>> {
        Ok(match &f.kind {
            FilterKind::Search => Ok(Value::Text(v.chars().take(100).collect())),
            FilterKind::Region => self.resolve_region(me, v).await?.map(Value::Region),
            FilterKind::Choice(options) => match options.iter().find(|(id, label)| *id == v || *label == v) {
                Some((id, _)) => Ok(Value::Choice(id)),
                // a long set (the audit log's actions) is not recited in a message under a select
                None if options.len() > 12 => Err(format!("{}没有“{v}”这一项，请从列表中选择", f.label)),
                None => Err(format!(
                    "{}的可选值为：{}",
                    f.label,
                    options.iter().map(|(id, l)| format!("{id}（{l}）")).collect::<Vec<_>>().join("、")
                )),
            },
            FilterKind::Pick(kind) => self.resolve_pick(me, *kind, v).await?.map(Value::Id),
            FilterKind::Flag(_) => match v {
                "1" | "true" | "on" | "yes" | "是" => Ok(Value::Flag(true)),
                "0" | "false" | "off" | "no" | "否" => Ok(Value::Flag(false)),
                _ => Err(format!("{}应为 1（是）或 0（否）", f.label)),
            },
            FilterKind::Int { min, max } => match v.parse::<i64>() {
                Ok(n) if (*min..=*max).contains(&n) => Ok(Value::Int(n)),
                _ => Err(format!("{}应为 {min} 至 {max} 之间的整数", f.label)),
            },
            FilterKind::Date => Date::parse(v, time::macros::format_description!("[year]-[month]-[day]"))
                .map(Value::Date)
                .map_err(|_| format!("{}应为 YYYY-MM-DD 格式的日期", f.label)),
        })
    }

    /// A page of a list for the caller.
    pub async fn list<L: Listing>(&self, me: &CurrentUser, q: &ListQuery) -> Result<Page<L::Row>> {
        let spec = L::spec();
        // the scope may be an "any" condition (own or children): AND it with the filters
        let cond = Condition::all().add(L::scope(self, me, q)?).add(spec.condition(q));
        let select = <L::Entity as EntityTrait>::find().filter(cond);
        let counted = match L::count(self, me, q).await? {
            Some(n) => n,
            None => {
                let mut cols = <L::Entity as EntityTrait>::PrimaryKey::iter();
                let mut c = select.clone().select_only();
                if let Some(pk) = cols.next() {
                    c = c.column(pk.into_column());
                }
                PaginatorTrait::count(c.limit(COUNT_CAP + 1), &self.db).await?
            }
        };
        let p = q.page;
        let models = spec.ordered(select, q).offset(p.offset()).limit(p.per_page).all(&self.db).await?;
        Ok(Page {
            items: L::rows(self, me, models).await?,
            total: Ord::min(counted, COUNT_CAP),
            page: p.page,
            per_page: p.per_page,
            total_exact: counted <= COUNT_CAP,
        })
    }

    /// The whole filtered list, in its order, as .xlsx (at most
    /// [`MAX_EXPORT_ROWS`] rows; more is an error asking to narrow it).
    pub async fn export<L: Listing>(&self, me: &CurrentUser, q: &ListQuery) -> Result<Export> {
        let spec = L::spec();
        // the scope may be an "any" condition (own or children): AND it with the filters
        let cond = Condition::all().add(L::scope(self, me, q)?).add(spec.condition(q));
        let select = <L::Entity as EntityTrait>::find().filter(cond);
        let n = PaginatorTrait::count(select.clone(), &self.db).await?;
        if n > MAX_EXPORT_ROWS {
            return Err(Error::invalid(
                "export",
                format!("符合条件的记录有 {n} 条，超过单次导出上限 {MAX_EXPORT_ROWS} 条，请缩小查询范围后分批导出"),
            ));
        }
        let ordered = spec.ordered(select, q);
        let mut rows = Vec::with_capacity(n as usize);
        let batch = 2000;
        let mut offset = 0;
        loop {
            let models = ordered.clone().offset(offset).limit(batch).all(&self.db).await?;
            let got = models.len() as u64;
            rows.extend(L::rows(self, me, models).await?);
            offset += got;
            if got < batch || offset >= MAX_EXPORT_ROWS {
                break;
            }
        }
        let bytes = spec.xlsx(&rows)?;
        if let Some(action) = L::EXPORT_AUDIT {
            let region = me.scope.region.to_string();
            let filter: HashMap<&str, String> = q.pairs().into_iter().collect();
            let txn = hongling_store::begin_write(&self.db).await?;
            self.audit(
                &txn,
                &crate::Principal::User(me.clone()),
                action,
                "export",
                spec.name,
                &region,
                format!("导出{} {} 条", spec.title, rows.len()),
                None,
                Some(serde_json::json!({"filter": filter, "rows": rows.len()})),
            )
            .await?;
            txn.commit().await?;
        }
        let file_name = format!("{}-{}.xlsx", spec.title, self.today());
        Ok(Export { bytes, file_name, rows: rows.len() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_round_halves_away_from_zero() {
        assert_eq!(percent_text(0.1225), "12.3%");
        assert_eq!(percent_text(0.0), "0.0%");
        assert_eq!(percent_text(1.0), "100.0%");
        assert_eq!(percent(2.0 / 3.0), 66.7);
        // the text is the chart's number with one decimal
        for r in [0.0005, 0.1234, 0.98765, 0.333_333] {
            assert_eq!(percent_text(r), format!("{:.1}%", percent(r)));
        }
    }

    #[test]
    fn yuan_of_fen() {
        assert_eq!(yuan(300000), "3000.00");
        assert_eq!(yuan(5), "0.05");
        assert_eq!(yuan(-1234), "-12.34");
    }

    #[test]
    fn query_pairs_round_trip_the_values() {
        let mut q = ListQuery::default();
        q.set("region", Value::Region("370502".into()));
        q.set("kind", Value::Choice("association"));
        q.set("breaches", Value::Flag(true));
        q.sort = Some(("name", true));
        assert_eq!(
            q.pairs(),
            vec![
                ("region", "370502".to_owned()),
                ("kind", "association".to_owned()),
                ("breaches", "1".to_owned()),
                ("sort", "name".to_owned()),
                ("dir", "desc".to_owned())
            ]
        );
    }

    #[test]
    fn like_text_loses_its_wildcards() {
        assert_eq!(like_safe(" 爱心%_\\ "), "爱心");
        assert_eq!(like_escape("party_member.reveal"), "party\\_member.reveal");
        assert_eq!(like_escape("50%"), "50\\%");
    }
}
