//! Registry decisions need a second person (issue 11, item 2): 注销, 撤销,
//! 吊销 and 恢复 are proposed by a clerk and take effect only when a leader
//! of the registration authority approves them; the leader may return them
//! with a reason. Whether a locality asks for the second person is the policy
//! parameter `registry_decision_approval` (on by default).
//!
//! Plain rules, no database and no clock: who may decide, what a decision
//! does, and when an approval must be refused.

use crate::enums::labelled_enum;
use crate::registry::{OrgStatus, StatusAction};

labelled_enum!(
    /// Where a proposed decision stands (`org_decisions.status`).
    DecisionStatus {
        Pending = "pending", "待审批";
        Approved = "approved", "已批准";
        Returned = "returned", "已退回";
    }
);

impl DecisionStatus {
    pub fn tag(self) -> &'static str {
        match self {
            DecisionStatus::Pending => "hl-tag-orange",
            DecisionStatus::Approved => "hl-tag-green",
            DecisionStatus::Returned => "hl-tag-grey",
        }
    }
}

/// What a leader does with a proposal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Approve,
    /// Return it to the clerk; a reason is required.
    Return,
}

/// The longest reason a leader may give for returning a proposal.
pub const RETURN_NOTE_MAX: usize = 500;

impl StatusAction {
    /// The actions that end or restore a registration need a second person
    /// where the locality asks for it; approving an application
    /// (准予登记) is a decision of its own and is taken at once.
    pub fn needs_second_person(self) -> bool {
        matches!(
            self,
            StatusAction::Deregister | StatusAction::Revoke | StatusAction::RevokeLicence | StatusAction::Reinstate
        )
    }

    /// Whether this action, taken where the policy value is `approval`
    /// (the resolved `registry_decision_approval`, 1 on and 0 off), is a
    /// proposal waiting for a leader rather than a change made at once.
    pub fn is_proposal(self, approval: i64) -> bool {
        self.needs_second_person() && approval != 0
    }
}

/// Why a decision on a proposal is refused (Chinese, for the page and the API).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The leader proposed it: a second person must decide.
    OwnProposal,
    /// It was decided already (by someone else, or a moment ago).
    AlreadyDecided(DecisionStatus),
    /// The organization's status is no longer the one the proposal was made from.
    StatusChanged {
        then: OrgStatus,
        now: OrgStatus,
    },
    /// The action cannot be taken from the current status.
    NotApplicable(&'static str),
    /// Returning needs a reason (or it is too long).
    NoteRequired,
    NoteTooLong,
}

impl Refusal {
    pub fn message(&self) -> String {
        match self {
            Refusal::OwnProposal => "不能审批本人提出的申请，须由另一名负责人审批".into(),
            Refusal::AlreadyDecided(s) => format!("该申请已处理（{}），不能重复审批", s.label()),
            Refusal::StatusChanged { then, now } => format!(
                "提出申请时该组织的登记状态为“{}”，现已变为“{}”，不能批准；请退回申请，由经办人重新提出",
                then.label(),
                now.label()
            ),
            Refusal::NotApplicable(m) => (*m).to_owned(),
            Refusal::NoteRequired => "退回申请须填写退回理由".into(),
            Refusal::NoteTooLong => format!("退回理由不能超过 {RETURN_NOTE_MAX} 个字"),
        }
    }

    /// Is it the caller's input (a 422 on `note`) rather than the state of
    /// the record (a 409)?
    pub fn is_input(&self) -> bool {
        matches!(self, Refusal::NoteRequired | Refusal::NoteTooLong)
    }
}

/// The facts a decision is checked against.
#[derive(Debug, Clone, Copy)]
pub struct Proposal {
    pub action: StatusAction,
    pub status: DecisionStatus,
    /// The user who proposed it (None: proposed by the command line).
    pub proposed_by: Option<i64>,
    /// The organization's status when it was proposed.
    pub from: OrgStatus,
}

/// Decide a proposal: `decider` (a user id) on the organization's `current`
/// status. Returns the status the organization gets (approval), or None for a
/// return; or why it is refused. The order of the checks is the order of the
/// answers a person would need: decided already, their own, then the record.
pub fn decide(
    p: &Proposal,
    decider: i64,
    verdict: Verdict,
    note: &str,
    current: OrgStatus,
) -> Result<Option<OrgStatus>, Refusal> {
    if p.status != DecisionStatus::Pending {
        return Err(Refusal::AlreadyDecided(p.status));
    }
    if p.proposed_by == Some(decider) {
        return Err(Refusal::OwnProposal);
    }
    match verdict {
        Verdict::Return => {
            let n = note.trim().chars().count();
            if n == 0 {
                Err(Refusal::NoteRequired)
            } else if n > RETURN_NOTE_MAX {
                Err(Refusal::NoteTooLong)
            } else {
                Ok(None)
            }
        }
        Verdict::Approve => {
            if current != p.from {
                return Err(Refusal::StatusChanged { then: p.from, now: current });
            }
            p.action.apply(current).map(Some).map_err(Refusal::NotApplicable)
        }
    }
}

impl OrgStatus {
    /// Whether the record may still be changed (变更登记事项, 监管分类) and
    /// is still waiting for "三同步": only while it is registered or applying.
    /// A deregistered or revoked organization's record is closed; only a
    /// life-cycle action (恢复) reopens it.
    pub fn is_open(self) -> bool {
        matches!(self, OrgStatus::Active | OrgStatus::Applying)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pending(action: StatusAction, by: i64, from: OrgStatus) -> Proposal {
        Proposal { action, status: DecisionStatus::Pending, proposed_by: Some(by), from }
    }

    #[test]
    fn only_the_ending_and_restoring_actions_need_a_second_person() {
        assert!(!StatusAction::ApproveRegistration.needs_second_person());
        for a in [StatusAction::Deregister, StatusAction::Revoke, StatusAction::RevokeLicence, StatusAction::Reinstate]
        {
            assert!(a.needs_second_person());
            assert!(a.is_proposal(1));
            assert!(!a.is_proposal(0), "a locality that switched it off acts at once");
        }
        assert!(!StatusAction::ApproveRegistration.is_proposal(1));
    }

    #[test]
    fn a_leader_approves_anothers_proposal() {
        let p = pending(StatusAction::Deregister, 7, OrgStatus::Active);
        assert_eq!(decide(&p, 8, Verdict::Approve, "", OrgStatus::Active), Ok(Some(OrgStatus::Deregistered)));
        let r = pending(StatusAction::Reinstate, 7, OrgStatus::LicenceRevoked);
        assert_eq!(decide(&r, 8, Verdict::Approve, "", OrgStatus::LicenceRevoked), Ok(Some(OrgStatus::Active)));
    }

    #[test]
    fn nobody_approves_or_returns_their_own_proposal() {
        let p = pending(StatusAction::Revoke, 7, OrgStatus::Active);
        assert_eq!(decide(&p, 7, Verdict::Approve, "", OrgStatus::Active), Err(Refusal::OwnProposal));
        assert_eq!(decide(&p, 7, Verdict::Return, "不妥", OrgStatus::Active), Err(Refusal::OwnProposal));
        assert!(Refusal::OwnProposal.message().contains("本人"));
        // a proposal made on the command line has no proposer: any leader decides it
        let cli = Proposal { proposed_by: None, ..p };
        assert!(decide(&cli, 7, Verdict::Approve, "", OrgStatus::Active).is_ok());
    }

    #[test]
    fn a_decided_proposal_is_not_decided_again() {
        for s in [DecisionStatus::Approved, DecisionStatus::Returned] {
            let p = Proposal { status: s, ..pending(StatusAction::Deregister, 7, OrgStatus::Active) };
            assert_eq!(decide(&p, 8, Verdict::Approve, "", OrgStatus::Active), Err(Refusal::AlreadyDecided(s)));
            assert_eq!(decide(&p, 8, Verdict::Return, "x", OrgStatus::Active), Err(Refusal::AlreadyDecided(s)));
            // even by its proposer, the answer is that it was decided
            assert_eq!(decide(&p, 7, Verdict::Approve, "", OrgStatus::Active), Err(Refusal::AlreadyDecided(s)));
        }
    }

    #[test]
    fn an_organization_whose_status_changed_meanwhile_is_not_approved_but_may_be_returned() {
        let p = pending(StatusAction::Deregister, 7, OrgStatus::Active);
        let e = decide(&p, 8, Verdict::Approve, "", OrgStatus::Revoked);
        assert_eq!(e, Err(Refusal::StatusChanged { then: OrgStatus::Active, now: OrgStatus::Revoked }));
        let m = e.err().map(|r| r.message()).unwrap_or_default();
        assert!(m.contains("正常") && m.contains("已撤销"), "{m}");
        assert_eq!(decide(&p, 8, Verdict::Return, "状态已变", OrgStatus::Revoked), Ok(None));
    }

    #[test]
    fn returning_needs_a_reason_of_reasonable_length() {
        let p = pending(StatusAction::Deregister, 7, OrgStatus::Active);
        assert_eq!(decide(&p, 8, Verdict::Return, "  ", OrgStatus::Active), Err(Refusal::NoteRequired));
        let long = "长".repeat(RETURN_NOTE_MAX + 1);
        assert_eq!(decide(&p, 8, Verdict::Return, &long, OrgStatus::Active), Err(Refusal::NoteTooLong));
        assert_eq!(decide(&p, 8, Verdict::Return, "文书号有误", OrgStatus::Active), Ok(None));
        assert!(Refusal::NoteRequired.is_input() && !Refusal::OwnProposal.is_input());
    }

    #[test]
    fn closed_records_are_not_open_for_changes() {
        assert!(OrgStatus::Active.is_open() && OrgStatus::Applying.is_open());
        for s in [OrgStatus::Deregistered, OrgStatus::Revoked, OrgStatus::LicenceRevoked] {
            assert!(!s.is_open());
        }
    }
}
