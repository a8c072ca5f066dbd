//! The life of a coverage breach (违规提示): opened when a rule first fires, kept (with its
//! first-seen date, assignee and follow-up log) while the rule keeps firing, closed when it
//! stops. A rule that fires again after its breach was closed opens a **new** breach; the closed
//! one stays with its history.

use time::Date;

use crate::enums::labelled_enum;

labelled_enum!(
    /// Whether a breach is still open.
    BreachStatus {
        Open = "open", "未关闭";
        Closed = "closed", "已关闭";
    }
);

labelled_enum!(
    /// What a line of a breach's follow-up log records.
    BreachLogKind {
        Assign = "assign", "指派";
        Note = "note", "跟进";
        Close = "close", "关闭";
    }
);

/// The name the recompute signs its log lines with.
pub const SYSTEM: &str = "系统";

/// The longest follow-up note, in characters.
pub const NOTE_MAX_CHARS: usize = 500;

/// An open breach as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenBreach {
    pub id: i64,
    pub rule: String,
    pub detail: String,
    pub region_code: String,
}

/// A rule firing now for the same subject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Firing {
    pub rule: String,
    pub detail: String,
}

/// What to write for one subject.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Reconciled {
    /// open breaches still firing whose detail or region changed: (id, detail)
    pub update: Vec<(i64, String)>,
    /// rules firing with no open breach: new breaches, first seen today
    pub open: Vec<Firing>,
    /// open breaches whose rule no longer fires: closed today
    pub close: Vec<i64>,
}

impl Reconciled {
    pub fn is_empty(&self) -> bool {
        self.update.is_empty() && self.open.is_empty() && self.close.is_empty()
    }
}

/// Compare a subject's open breaches with the rules firing now (one breach per rule). An open
/// breach whose rule still fires is kept (its id, first-seen date and log), updated in place
/// when its detail or region changed; a firing rule without an open breach opens one; an open
/// breach whose rule is quiet is closed. Should two open breaches of one rule exist (data from
/// before the life-cycle), the lowest id is kept and the others are closed.
pub fn reconcile(open: &[OpenBreach], firing: &[Firing], region_code: &str) -> Reconciled {
    let mut out = Reconciled::default();
    let mut sorted: Vec<&OpenBreach> = open.iter().collect();
    sorted.sort_by_key(|b| b.id);
    let mut kept: Vec<&str> = Vec::new();
    for b in sorted {
        match firing.iter().find(|f| f.rule == b.rule) {
            Some(f) if !kept.contains(&b.rule.as_str()) => {
                kept.push(b.rule.as_str());
                if f.detail != b.detail || b.region_code != region_code {
                    out.update.push((b.id, f.detail.clone()));
                }
            }
            _ => out.close.push(b.id),
        }
    }
    for f in firing {
        if !kept.contains(&f.rule.as_str()) && !out.open.iter().any(|o| o.rule == f.rule) {
            out.open.push(f.clone());
        }
    }
    out
}

/// Days a breach has been open: from first seen to closing (or to `today` while open); the day
/// it was found counts as 1.
pub fn days_open(first_seen: Date, closed_on: Option<Date>, today: Date) -> i64 {
    let end = closed_on.unwrap_or(today);
    Ord::max((end - first_seen).whole_days() + 1, 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    fn open(id: i64, rule: &str, detail: &str) -> OpenBreach {
        OpenBreach { id, rule: rule.into(), detail: detail.into(), region_code: "370502".into() }
    }

    fn fire(rule: &str, detail: &str) -> Firing {
        Firing { rule: rule.into(), detail: detail.into() }
    }

    #[test]
    fn still_firing_is_kept_changed_detail_updated_quiet_closed_new_opened() {
        let r = reconcile(
            &[open(1, "a", "x"), open(2, "b", "y"), open(3, "c", "z")],
            &[fire("a", "x"), fire("b", "y2"), fire("d", "w")],
            "370502",
        );
        assert_eq!(r.update, vec![(2, "y2".to_owned())]);
        assert_eq!(r.close, vec![3]);
        assert_eq!(r.open, vec![fire("d", "w")]);
    }

    #[test]
    fn nothing_changes_when_nothing_changed() {
        let r = reconcile(&[open(1, "a", "x")], &[fire("a", "x")], "370502");
        assert!(r.is_empty());
        // a move to another region updates in place
        let r = reconcile(&[open(1, "a", "x")], &[fire("a", "x")], "370503");
        assert_eq!(r.update, vec![(1, "x".to_owned())]);
    }

    #[test]
    fn duplicates_of_one_rule_keep_the_oldest() {
        let r = reconcile(&[open(5, "a", "x"), open(4, "a", "x")], &[fire("a", "x")], "370502");
        assert_eq!(r.close, vec![5]);
        assert!(r.open.is_empty() && r.update.is_empty());
    }

    #[test]
    fn days_count_the_first_day() {
        let d = date!(2026 - 03 - 01);
        assert_eq!(days_open(d, None, d), 1);
        assert_eq!(days_open(d, None, date!(2026 - 03 - 31)), 31);
        assert_eq!(days_open(d, Some(date!(2026 - 03 - 02)), date!(2026 - 12 - 31)), 2);
    }

    proptest! {
        /// After applying the result, exactly one open breach per firing rule and none for a
        /// quiet rule; every open breach is either kept, updated or closed, never dropped.
        #[test]
        fn one_open_breach_per_firing_rule(
            open_rules in prop::collection::vec(0usize..4, 0..8),
            firing_rules in prop::collection::btree_set(0usize..4, 0..4),
        ) {
            let rules = ["a", "b", "c", "d"];
            let before: Vec<OpenBreach> =
                open_rules.iter().enumerate().map(|(i, r)| open(i as i64 + 1, rules[*r], "x")).collect();
            let firing: Vec<Firing> = firing_rules.iter().map(|r| fire(rules[*r], "x")).collect();
            let r = reconcile(&before, &firing, "370502");
            let mut after: Vec<String> = before
                .iter()
                .filter(|b| !r.close.contains(&b.id))
                .map(|b| b.rule.clone())
                .chain(r.open.iter().map(|f| f.rule.clone()))
                .collect();
            after.sort();
            let mut want: Vec<String> = firing.iter().map(|f| f.rule.clone()).collect();
            want.sort();
            prop_assert_eq!(after, want);
            for id in &r.close {
                prop_assert!(before.iter().any(|b| b.id == *id));
            }
        }
    }
}
