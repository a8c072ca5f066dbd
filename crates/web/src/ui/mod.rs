//! Generic page pieces: a table, a search form, a form, a detail page, and
//! the list page built from a list's description (`list`) and the pickers
//! (`picker`). Pages describe their content with these instead of one
//! template per page; the layout is the one clerks know (UI.md).

pub mod list;
pub mod picker;

use askama::Template;
use hongling_service::FieldError;

use crate::layout::{Layout, Pager};

/// One table cell: text, optionally a link, a status tag, a second line.
#[derive(Default, Clone)]
pub struct Cell {
    pub text: String,
    pub href: Option<String>,
    pub tag: Option<&'static str>,
    pub sub: Option<String>,
    pub num: bool,
    /// several links (a row's actions)
    pub links: Vec<(String, String)>,
    /// kept on one line (dates, numbers, tags)
    pub nowrap: bool,
    /// a short list under the text (the changes of a history entry)
    pub items: Vec<String>,
    /// a button that posts (label, action, confirmation), with the CSRF token
    pub post: Option<(String, String, String)>,
}

impl Cell {
    pub fn text(s: impl Into<String>) -> Self {
        Self { text: s.into(), ..Default::default() }
    }

    pub fn link(s: impl Into<String>, href: impl Into<String>) -> Self {
        Self { text: s.into(), href: Some(href.into()), ..Default::default() }
    }

    pub fn tag(s: impl Into<String>, class: &'static str) -> Self {
        Self { text: s.into(), tag: Some(class), ..Default::default() }
    }

    pub fn num(n: i64) -> Self {
        Self { text: crate::fmt::thousands(n), num: true, ..Default::default() }
    }

    pub fn items(mut self, items: Vec<String>) -> Self {
        self.items = items;
        self
    }

    /// A button posting to `action` after the user confirms `confirm`.
    pub fn post(label: impl Into<String>, action: impl Into<String>, confirm: impl Into<String>) -> Self {
        Self { post: Some((label.into(), action.into(), confirm.into())), nowrap: true, ..Default::default() }
    }

    pub fn sub(mut self, s: impl Into<String>) -> Self {
        let s = s.into();
        self.sub = (!s.is_empty()).then_some(s);
        self
    }
}

/// A column header; sortable ones link to the list sorted by them.
pub struct Head {
    pub label: String,
    pub href: Option<String>,
    /// " ↑" / " ↓" on the column the list is sorted by
    pub mark: &'static str,
}

pub struct Table {
    pub id: &'static str,
    pub title: String,
    pub headers: Vec<Head>,
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    pub fn new(id: &'static str, headers: Vec<&'static str>) -> Self {
        let headers = headers.into_iter().map(|h| Head { label: h.to_owned(), href: None, mark: "" }).collect();
        Self { id, title: String::new(), headers, rows: vec![] }
    }

    pub fn titled(mut self, t: impl Into<String>) -> Self {
        self.title = t.into();
        self
    }
}

/// A link styled as a button, or a button that posts (with the CSRF token
/// and, when `confirm` is set, a confirmation).
pub struct Button {
    pub label: String,
    pub href: String,
    pub primary: bool,
    pub post: bool,
    pub confirm: String,
    /// an extra class (`btn-warning`, `btn-outline-danger`…)
    pub class: &'static str,
}

impl Button {
    pub fn new(label: impl Into<String>, href: impl Into<String>) -> Self {
        Self { label: label.into(), href: href.into(), primary: false, post: false, confirm: String::new(), class: "" }
    }

    pub fn primary(label: impl Into<String>, href: impl Into<String>) -> Self {
        Self { primary: true, ..Self::new(label, href) }
    }

    /// A button that posts to `action` after the user confirms.
    pub fn post(label: impl Into<String>, action: impl Into<String>, confirm: impl Into<String>) -> Self {
        Self { post: true, confirm: confirm.into(), ..Self::new(label, action) }
    }

    pub fn class(mut self, c: &'static str) -> Self {
        self.class = c;
        self
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    Select,
    Date,
    Number,
    Check,
    /// A picker: type part of a name, choose a suggestion (regions and records).
    Picker,
    Textarea,
    Password,
    /// carried along, not shown (the tab of a query form)
    Hidden,
    /// a file to upload (PDF, PNG, JPEG): the form is sent as multipart
    File,
}

/// A form field with its value as typed and its error.
pub struct Field {
    pub name: &'static str,
    pub label: &'static str,
    pub kind: Kind,
    pub value: String,
    pub options: Vec<(String, String)>,
    pub required: bool,
    pub hint: String,
    pub error: Option<String>,
    pub placeholder: String,
    /// Pickers: the suggestion endpoint (`/pick/regions`…), what the visible
    /// box shows for the value, and for several values their (value, label).
    pub source: &'static str,
    pub display: String,
    pub multi: bool,
    pub chosen: Vec<(String, String)>,
    /// The element id (the name unless several fields of one name share a page).
    pub id: String,
    /// A select's options that apply only when another field has a value:
    /// (the other field's name, the value each option needs, "" for always),
    /// parallel to `options`. The page shows only the options that apply
    /// (`app.js`); the server checks the choice again.
    pub depends: Option<(&'static str, Vec<String>)>,
    /// What a colleague saved for this field, shown beside the input when
    /// it differs from what was typed (an edit conflict, `Conflict`).
    pub theirs: Option<String>,
}

impl Field {
    pub fn new(name: &'static str, label: &'static str, kind: Kind, value: impl Into<String>) -> Self {
        Self {
            name,
            label,
            kind,
            value: value.into(),
            options: vec![],
            required: false,
            hint: String::new(),
            error: None,
            placeholder: String::new(),
            source: "",
            display: String::new(),
            multi: false,
            chosen: vec![],
            id: name.to_owned(),
            depends: None,
            theirs: None,
        }
    }

    /// A distinct element id, for a page with several fields of one name.
    pub fn with_id(mut self, id: impl Into<String>) -> Self {
        self.id = id.into();
        self
    }

    /// A picker of one value: the stored value (an id or a region code) and
    /// the name shown for it.
    pub fn picker(
        name: &'static str,
        label: &'static str,
        source: &'static str,
        value: impl Into<String>,
        display: impl Into<String>,
    ) -> Self {
        Self {
            source,
            display: display.into(),
            placeholder: "输入名称，从建议中选择".into(),
            ..Self::new(name, label, Kind::Picker, value)
        }
    }

    /// A picker of several values, each (value, name).
    pub fn multi_picker(
        name: &'static str,
        label: &'static str,
        source: &'static str,
        chosen: Vec<(String, String)>,
    ) -> Self {
        Self {
            source,
            multi: true,
            chosen,
            placeholder: "输入名称，从建议中选择（可选多个）".into(),
            ..Self::new(name, label, Kind::Picker, "")
        }
    }

    pub fn text(name: &'static str, label: &'static str, value: impl Into<String>) -> Self {
        Self::new(name, label, Kind::Text, value)
    }

    pub fn select(
        name: &'static str,
        label: &'static str,
        value: impl Into<String>,
        options: Vec<(String, String)>,
    ) -> Self {
        Self { options, ..Self::new(name, label, Kind::Select, value) }
    }

    /// A file input for an attachment (PDF, PNG or JPEG, at most 10 MB).
    pub fn file(name: &'static str, label: &'static str) -> Self {
        Self::new(name, label, Kind::File, "")
            .hint(format!("PDF 或 PNG、JPEG 图片，不超过 {} MB", hongling_domain::attachment::MAX_BYTES / 1024 / 1024))
    }

    pub fn hidden(name: &'static str, value: impl Into<String>) -> Self {
        Self::new(name, "", Kind::Hidden, value)
    }

    pub fn date(name: &'static str, label: &'static str, value: impl Into<String>) -> Self {
        Self::new(name, label, Kind::Date, value)
    }

    pub fn check(name: &'static str, label: &'static str, on: bool) -> Self {
        Self::new(name, label, Kind::Check, if on { "on" } else { "" })
    }

    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }

    pub fn hint(mut self, h: impl Into<String>) -> Self {
        self.hint = h.into();
        self
    }

    pub fn placeholder(mut self, p: impl Into<String>) -> Self {
        self.placeholder = p.into();
        self
    }

    pub fn is_on(&self) -> bool {
        self.value == "on"
    }

    /// Options that apply only when the field `other` has the value given
    /// for each option (`""`: always).
    pub fn depends_on(mut self, other: &'static str, when: Vec<String>) -> Self {
        self.depends = Some((other, when));
        self
    }

    /// The `data-when` of option `i` (a select with `depends`).
    pub fn option_when(&self, i: &usize) -> &str {
        self.depends.as_ref().and_then(|(_, w)| w.get(*i)).map(String::as_str).unwrap_or("")
    }

    pub fn depends_name(&self) -> &str {
        self.depends.as_ref().map(|(n, _)| *n).unwrap_or("")
    }

    /// The value as a person reads it: a choice's label, 是/否 for a
    /// checkbox, a picker's name.
    pub fn shown(&self) -> String {
        let text = match self.kind {
            Kind::Select => {
                self.options.iter().find(|(v, _)| *v == self.value).map(|(_, l)| l.clone()).unwrap_or_default()
            }
            Kind::Check => return if self.is_on() { "是" } else { "否" }.to_owned(),
            Kind::Picker if !self.display.is_empty() => self.display.clone(),
            _ => self.value.clone(),
        };
        if text.trim().is_empty() || (self.kind == Kind::Select && self.value.is_empty()) {
            "（空）".to_owned()
        } else {
            text
        }
    }
}

/// One field of an edit conflict: what a colleague saved and what the clerk typed.
pub struct ConflictRow {
    pub label: &'static str,
    pub theirs: String,
    pub mine: String,
}

/// An edit that a colleague's save overtook (409): the form keeps the
/// clerk's input and carries the record's new version; the fields whose
/// saved value differs from the input are listed and marked, so the clerk
/// saves again (their input over the colleague's) or takes the colleague's
/// values (`take_theirs`, the edit page loaded afresh).
pub struct Conflict {
    pub rows: Vec<ConflictRow>,
    pub take_theirs: String,
    /// who saved the record last and when ("dyq，2026-12-01 14:03:22"), if known
    pub saved_by: String,
}

impl Conflict {
    /// Compare the clerk's fields with the same fields filled from the record
    /// as it now stands (`theirs`, matched by name; `skip`: fields that are
    /// not the record's, such as a change's reason). Marks the differing
    /// fields of `mine` with the colleague's value.
    /// Say who saved the record last, and when.
    pub fn saved_by(mut self, who: impl Into<String>) -> Self {
        self.saved_by = who.into();
        self
    }

    pub fn between(mine: &mut [Field], theirs: &[Field], skip: &[&str], take_theirs: impl Into<String>) -> Conflict {
        let mut rows = Vec::new();
        for f in mine.iter_mut().filter(|f| f.kind != Kind::Hidden && !skip.contains(&f.name)) {
            let Some(t) = theirs.iter().find(|t| t.name == f.name) else { continue };
            let (a, b) = (t.shown(), f.shown());
            if a != b {
                f.theirs = Some(a.clone());
                rows.push(ConflictRow { label: f.label, theirs: a, mine: b });
            }
        }
        Conflict { rows, take_theirs: take_theirs.into(), saved_by: String::new() }
    }
}

/// Attach the errors to their fields; errors of fields not on the form are returned.
pub fn attach(fields: &mut [Field], errors: &[FieldError]) -> Vec<String> {
    let mut rest = Vec::new();
    for e in errors {
        match fields.iter_mut().find(|f| f.name == e.field) {
            Some(f) if f.error.is_none() => f.error = Some(e.message.clone()),
            Some(f) => {
                if let Some(x) = f.error.as_mut() {
                    x.push('；');
                    x.push_str(&e.message);
                }
            }
            None => rest.push(e.message.clone()),
        }
    }
    rest
}

/// Options from (identifier, label) pairs, with a leading "全部"/"请选择".
pub fn options(
    all: impl IntoIterator<Item = (&'static str, &'static str)>,
    first: Option<&str>,
) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = first.map(|f| vec![(String::new(), f.to_owned())]).unwrap_or_default();
    v.extend(all.into_iter().map(|(k, l)| (k.to_owned(), l.to_owned())));
    v
}

/// A small form inside a page (add organizations, reveal, dissolve…).
pub struct InlineForm {
    pub id: &'static str,
    pub action: String,
    pub title: String,
    pub fields: Vec<Field>,
    pub submit: String,
    pub confirm: String,
    /// a query (GET, no token) rather than a change
    pub get: bool,
}

#[derive(Template)]
#[template(path = "ui/list.html")]
pub struct ListPage {
    pub layout: Layout,
    pub heading: String,
    pub intro: String,
    pub action: String,
    pub search: Vec<Field>,
    pub buttons: Vec<Button>,
    pub table: Table,
    pub pager: Option<Pager>,
    pub forms: Vec<InlineForm>,
    pub errors: Vec<String>,
    /// tables shown above the list (the jobs above their runs)
    pub above: Vec<Table>,
}

#[derive(Template)]
#[template(path = "ui/form.html")]
pub struct FormPage {
    pub layout: Layout,
    pub title: String,
    pub action: String,
    pub fields: Vec<Field>,
    pub hidden: Vec<(&'static str, String)>,
    pub errors: Vec<String>,
    pub cancel: String,
    /// the submit button's words (保存 unless set)
    pub submit: String,
    /// asked before submitting, when set
    pub confirm: String,
    /// a sentence above the fields
    pub note: String,
    /// a colleague saved first: their values beside the clerk's input
    pub conflict: Option<Conflict>,
}

/// Does a form hold a file input (and so must be sent as multipart)?
pub fn has_file(fields: &[Field]) -> bool {
    fields.iter().any(|f| f.kind == Kind::File)
}

impl FormPage {
    /// A form titled `title` posting to `action`, cancelling back to `cancel`.
    pub fn new(layout: Layout, title: impl Into<String>, action: impl Into<String>, cancel: impl Into<String>) -> Self {
        Self {
            layout,
            title: title.into(),
            action: action.into(),
            fields: vec![],
            hidden: vec![],
            errors: vec![],
            cancel: cancel.into(),
            submit: "保存".into(),
            confirm: String::new(),
            note: String::new(),
            conflict: None,
        }
    }

    /// Show an edit conflict: the clerk's input stays in the form, the
    /// differing fields are marked, the submit button saves the input again.
    pub fn with_conflict(mut self, c: Conflict) -> Self {
        self.submit = "按我填写的内容重新保存".into();
        self.conflict = Some(c);
        self
    }

    pub fn has_field_errors(&self) -> bool {
        self.fields.iter().any(|f| f.error.is_some())
    }

    pub fn has_checks(&self) -> bool {
        self.fields.iter().any(|f| f.kind == Kind::Check)
    }
}

pub struct Tab {
    pub id: String,
    pub label: String,
    pub href: String,
    pub active: bool,
}

impl Tab {
    /// The tab `key` of the page at `base` (`base?tab=key`; the first tab is `base`).
    pub fn of(base: &str, tabs: &[(&str, &str)], current: &str) -> Vec<Tab> {
        tabs.iter()
            .enumerate()
            .map(|(i, (k, l))| Tab {
                id: format!("tab-{k}"),
                label: (*l).to_owned(),
                href: if i == 0 { base.to_owned() } else { format!("{base}?tab={k}") },
                active: current == *k,
            })
            .collect()
    }
}

/// A value shown once on a page (a revealed ID number, a new password).
pub struct Secret {
    pub label: String,
    pub value: String,
    pub note: String,
}

#[derive(Template)]
#[template(path = "ui/detail.html")]
pub struct DetailPage {
    pub layout: Layout,
    /// an error of the last action, shown above the record
    pub error: Option<String>,
    pub title: String,
    pub tags: Vec<(String, &'static str)>,
    pub subtitle: String,
    pub buttons: Vec<Button>,
    pub tabs: Vec<Tab>,
    pub facts: Vec<(String, String)>,
    pub tables: Vec<Table>,
    pub forms: Vec<InlineForm>,
    pub secret: Option<Secret>,
    /// a query form at the top of the current tab (the registry's 历史状态查询)
    pub query: Option<InlineForm>,
    /// a sentence above the facts
    pub note: String,
}

impl DetailPage {
    pub fn new(layout: Layout, title: impl Into<String>) -> Self {
        Self {
            layout,
            error: None,
            title: title.into(),
            tags: vec![],
            subtitle: String::new(),
            buttons: vec![],
            tabs: vec![],
            facts: vec![],
            tables: vec![],
            forms: vec![],
            secret: None,
            query: None,
            note: String::new(),
        }
    }
}
