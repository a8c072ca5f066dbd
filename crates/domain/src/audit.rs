//! The tamper-evident audit chain: each entry's hash is SM3 over the previous
//! hash and every column of the entry, so editing or deleting a past row breaks
//! every hash after it, and the chain's head (its last sequence number and
//! hash, kept in `audit_head` and exported as a dated digest) shows when the
//! newest entries were deleted.
//!
//! Version 1 (entries written before issue 10) left out the summary and the
//! actor's user id; those entries keep their version-1 hashes (re-hashing them
//! would launder any change made to them), and every entry written since is
//! version 2. A version-1 entry after a version-2 one is itself a break.

use sm3::{Digest as _, Sm3};

use crate::enums::labelled_enum;

/// The hash before the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The hash version of new entries.
pub const HASH_VERSION: i16 = 2;

/// The fields of an audit entry that the chain covers (version 2: every column).
#[derive(Debug, Clone)]
pub struct EntryFields<'a> {
    pub seq: i64,
    pub at: &'a str,
    pub actor_user_id: Option<i64>,
    pub actor: &'a str,
    pub action: &'a str,
    pub entity_type: &'a str,
    pub entity_id: &'a str,
    pub region_code: &'a str,
    pub summary: &'a str,
    pub before: &'a str,
    pub after: &'a str,
}

fn sm3_of(parts: &[&str]) -> String {
    let mut h = Sm3::new();
    for part in parts {
        // length-prefix every field so that no two entries share a text
        h.update((part.len() as u64).to_be_bytes());
        h.update(part.as_bytes());
    }
    hex::encode(h.finalize())
}

/// The hash of a new entry (version 2): the previous hash, the version and every column.
pub fn chain_hash(prev_hex: &str, e: &EntryFields<'_>) -> String {
    let user = e.actor_user_id.map(|u| u.to_string()).unwrap_or_default();
    sm3_of(&[
        prev_hex,
        "v2",
        &e.seq.to_string(),
        e.at,
        &user,
        e.actor,
        e.action,
        e.entity_type,
        e.entity_id,
        e.region_code,
        e.summary,
        e.before,
        e.after,
    ])
}

/// The hash of a version-1 entry (without the summary and the actor's user id).
pub fn chain_hash_v1(prev_hex: &str, e: &EntryFields<'_>) -> String {
    sm3_of(&[
        prev_hex,
        &e.seq.to_string(),
        e.at,
        e.actor,
        e.action,
        e.entity_type,
        e.entity_id,
        e.region_code,
        e.before,
        e.after,
    ])
}

/// The hash an entry of `version` should have, or `None` for an unknown version.
pub fn entry_hash(version: i16, prev_hex: &str, e: &EntryFields<'_>) -> Option<String> {
    match version {
        1 => Some(chain_hash_v1(prev_hex, e)),
        2 => Some(chain_hash(prev_hex, e)),
        _ => None,
    }
}

/// A dated statement of the chain's head, to keep outside the system
/// (`hongling audit digest`): a later `audit verify --digest` proves that
/// nothing up to that entry changed since.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Digest {
    pub seq: i64,
    pub hash: String,
}

impl Digest {
    /// One line: `hongling-audit-digest seq=… sm3=…`.
    pub fn line(&self) -> String {
        format!("hongling-audit-digest seq={} sm3={}", self.seq, self.hash)
    }

    /// Read a line written by `line` (surrounding text and a date are ignored).
    pub fn parse(text: &str) -> Option<Digest> {
        let mut seq = None;
        let mut hash = None;
        for word in text.split_whitespace() {
            if let Some(v) = word.strip_prefix("seq=") {
                seq = v.parse::<i64>().ok();
            } else if let Some(v) = word.strip_prefix("sm3=")
                && v.len() == 64
                && v.bytes().all(|b| b.is_ascii_hexdigit())
            {
                hash = Some(v.to_ascii_lowercase());
            }
        }
        Some(Digest { seq: seq?, hash: hash? })
    }
}

labelled_enum!(
    /// Every action an audit entry records (`audit_log.action`), with its
    /// Chinese name: the one table of them. The append takes this type, so
    /// nothing can write an action without a name; entries written before
    /// an action was added here show its identifier.
    AuditAction {
        AuthLogin = "auth.login", "登录";
        AuthLoginFailed = "auth.login_failed", "登录失败";
        AuthLogout = "auth.logout", "退出登录";
        TokenCreate = "token.create", "创建 API 令牌";
        TokenRevoke = "token.revoke", "吊销 API 令牌";
        UserCreate = "user.create", "新增用户";
        UserUpdate = "user.update", "修改用户";
        UserDisable = "user.disable", "停用用户";
        UserEnable = "user.enable", "启用用户";
        UserResetPassword = "user.reset_password", "重置用户密码";
        UserChangePassword = "user.change_password", "修改本人密码";
        UserUnlock = "user.unlock", "解除登录限制";
        OrgCreate = "org.create", "登记社会组织";
        OrgApply = "org.apply", "受理成立申请";
        OrgUpdate = "org.update", "变更社会组织登记信息";
        OrgApprove = "org.approve", "准予登记";
        OrgDeregister = "org.deregister", "注销登记";
        OrgRevoke = "org.revoke", "撤销登记";
        OrgRevokeLicence = "org.revoke_licence", "吊销登记证书";
        OrgReinstate = "org.reinstate", "恢复正常";
        OrgSupervision = "org.supervision", "调整监管分类";
        OrgDecisionPropose = "org_decision.propose", "提请审批登记事项";
        OrgDecisionReturn = "org_decision.return", "退回登记事项";
        OrgImport = "org.import", "导入社会组织";
        OrgGenerate = "org.generate", "生成演示社会组织";
        OrgExport = "org.export", "导出社会组织名录";
        OrgChannel = "org.channel", "指定党建管理渠道";
        OrgHost = "org.host", "设置“1+N”带动组织";
        UnitCreate = "supervisory_unit.create", "新增业务主管单位";
        PartyOrgCreate = "party_org.create", "新建党组织";
        PartyOrgUpdate = "party_org.update", "修改党组织";
        PartyOrgCover = "party_org.cover", "调整党组织覆盖的社会组织";
        PartyOrgDissolve = "party_org.dissolve", "撤销党组织";
        PartyChannelCreate = "party_channel.create", "新增党建管理渠道";
        PartyMemberCreate = "party_member.create", "新增党员";
        PartyMemberUpdate = "party_member.update", "修改党员信息";
        PartyMemberReveal = "party_member.reveal", "查看党员完整身份证号";
        PartyMemberExport = "party_member.export", "导出党员名单";
        InstructorCreate = "instructor.create", "新增党建指导员";
        InstructorUpdate = "instructor.update", "修改党建指导员";
        InstructorAssign = "instructor.assign", "调整党建指导员联系的组织";
        PartyLifeCreate = "party_life.create", "登记组织生活";
        PartyFundCreate = "party_fund.create", "登记党建经费";
        TrainingCreate = "training.create", "登记培训";
        PlanAcceptJointBranch = "plan.accept_joint_branch", "采纳规划：组建联合党支部";
        PlanAcceptInstructor = "plan.accept_instructor", "采纳规划：选派党建指导员";
        PlanAcceptTownship = "plan.accept_township", "采纳规划：乡镇（街道）全部方案";
        BreachAssign = "breach.assign", "指定违规提示责任人";
        BreachNote = "breach.note", "跟进违规提示";
        PartyDemo = "party.demo", "生成演示党建数据";
        CoverageRefresh = "coverage.refresh", "重新计算党建覆盖";
        CoverageSnapshot = "coverage.snapshot", "保存年末覆盖统计";
        CoverageExport = "coverage.export", "导出覆盖统计";
        PolicySet = "policy.set", "设置政策参数";
        PolicySync = "policy.sync", "升级内置政策参数";
        RegionImport = "region.import", "导入行政区划";
        JobQueue = "job.queue", "安排后台任务";
        JobRun = "job.run", "运行后台任务";
        AuditExport = "audit.export", "导出审计日志";
        AttachmentAdd = "attachment.add", "上传附件";
    }
);

impl AuditAction {
    /// The action of an organization's dated change event (`org_events.action`,
    /// `EventAction`): `org.<event>`.
    pub fn of_org_event(event: &str) -> Option<AuditAction> {
        let id = format!("org.{event}");
        AuditAction::ALL.iter().copied().find(|a| a.as_str() == id)
    }

    /// The Chinese name of a stored action, or the identifier itself for an
    /// action this release does not know.
    pub fn label_of(stored: &str) -> String {
        AuditAction::ALL
            .iter()
            .find(|a| a.as_str() == stored)
            .map(|a| a.label().to_owned())
            .unwrap_or_else(|| stored.to_owned())
    }
}

labelled_enum!(
    /// The kinds of record an audit entry is about (`audit_log.entity_type`).
    AuditRecord {
        SocialOrg = "social_org", "社会组织";
        SupervisoryUnit = "supervisory_unit", "业务主管单位";
        PartyOrg = "party_org", "党组织";
        PartyMember = "party_member", "党员";
        Instructor = "instructor", "党建指导员";
        PartyLife = "party_life", "组织生活";
        PartyFund = "party_fund", "党建经费";
        Training = "training", "培训记录";
        PartyChannel = "party_channel", "党建管理渠道";
        Coverage = "coverage", "覆盖统计";
        PolicyValue = "policy_value", "政策参数";
        User = "user", "用户";
        ApiToken = "api_token", "API 令牌";
        Region = "region", "行政区划";
        ImportJob = "import_job", "导入任务";
        OrgDecision = "org_decision", "登记审批事项";
        CoverageBreach = "coverage_breach", "违规提示";
        JobRun = "job_run", "后台任务";
        Export = "export", "导出文件";
        Attachment = "attachment", "附件";
    }
);

impl AuditRecord {
    /// The Chinese name of a stored record kind, or the identifier itself.
    pub fn label_of(stored: &str) -> String {
        AuditRecord::ALL
            .iter()
            .find(|a| a.as_str() == stored)
            .map(|a| a.label().to_owned())
            .unwrap_or_else(|| stored.to_owned())
    }
}

/// The Chinese name of a field of a record's before/after snapshot. Keys are
/// the same across records where they mean the same; `name` depends on the
/// record (a member's 姓名, an organization's 名称). An unknown key shows as is.
pub fn field_label(record: &str, key: &str) -> String {
    let person = matches!(record, "party_member" | "instructor");
    let label = match key {
        "name" if person => "姓名",
        "name" => "名称",
        "username" => "用户名",
        "display_name" => "姓名",
        "role" => "角色",
        "scope_kind" => "权限范围类型",
        "scope_region" => "权限范围所在区域",
        "scope_ref_id" => "权限范围对象编号",
        "disabled" => "已停用",
        "uscc" => "统一社会信用代码",
        "kind" => "类型",
        "registration_mode" => "登记方式",
        "category" => "类别",
        "industry" => "行业领域",
        "authority_region" => "登记管理机关",
        "supervisory_unit_id" => "业务主管单位编号",
        "region_code" => "所在区域",
        "address" => "住所",
        "lon_e6" => "经度（百万分之一度）",
        "lat_e6" => "纬度（百万分之一度）",
        "legal_rep" => "法定代表人",
        "founded_on" => "成立日期",
        "staff_count" => "从业人数",
        "member_count" => "会员数",
        "charter_party_clause" => "章程含党建条款",
        "is_hub" => "枢纽型社会组织",
        "is_brand" => "品牌组织",
        "incubator" => "孵化基地",
        "status" => "状态",
        "status_changed_on" => "状态变更日期",
        "supervision_class" => "监管分类",
        "org_type" => "党组织类型",
        "parent_id" => "上级党组织编号",
        "channel_id" => "管理渠道编号",
        "secretary_member_id" => "书记（党员编号）",
        "secretary_since" => "书记任职日期",
        "venue" => "活动场所（六有）",
        "brand" => "党建品牌",
        "is_demonstration" => "示范点",
        "star_rating" => "星级",
        "dissolved_on" => "撤销日期",
        "gender" => "性别",
        "id_number" => "公民身份号码（掩码）",
        "member_type" => "党员类别",
        "joined_on" => "入党日期",
        "formal_on" => "转正日期",
        "left_on" => "离开日期",
        "party_org_id" => "所在党组织编号",
        "employer_org_id" => "工作单位编号",
        "employer" => "工作单位",
        "posts" => "职务",
        "source" => "来源",
        "appointed_on" => "选派日期",
        "max_orgs" => "最多联系组织数",
        "assessment" => "考核结果",
        "assessment_year" => "考核年度",
        "hub_org_id" => "枢纽组织编号",
        "host_org_id" => "带动组织编号",
        "org_ids" | "orgs" => "社会组织",
        "added" => "增加",
        "removed" => "移除",
        "released_orgs" => "解除覆盖的组织",
        "members_joined" => "转入的党员",
        "instructor" | "instructor_id" => "党建指导员",
        "member" | "member_id" => "党员",
        "party_org" => "党组织",
        "param" => "参数",
        "value" => "取值",
        "values" => "参数值",
        "effective_from" => "生效日期",
        "basis" => "依据",
        "held_on" => "召开日期",
        "topic" | "title" => "主题",
        "attendees" => "实到人数",
        "expected" => "应到人数",
        "amount_fen" => "金额（分）",
        "received_on" => "拨付日期",
        "trained_on" => "培训日期",
        "hours" => "学时",
        "days" => "天数",
        "reason" => "事由",
        "doc_no" => "决定文书号",
        "file" => "文件",
        "rows" => "行数",
        "created" | "accepted" => "新增",
        "updated" | "changed" => "更新",
        "rejected" => "拒绝",
        "filter" => "查询条件",
        "manual" => "手工指定",
        "prefix" => "令牌前缀",
        "user" => "用户",
        _ => return key.to_owned(),
    };
    label.to_owned()
}

/// One field of a before/after pair as shown: 字段 / 修改前 / 修改后.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldChange {
    pub key: String,
    pub label: String,
    pub before: String,
    pub after: String,
}

/// A JSON value as a reader sees it: text as is, 是/否, empty for null, and
/// lists and objects compact.
pub fn show_value(v: Option<&serde_json::Value>) -> String {
    use serde_json::Value as J;
    match v {
        None | Some(J::Null) => String::new(),
        Some(J::Bool(true)) => "是".to_owned(),
        Some(J::Bool(false)) => "否".to_owned(),
        Some(J::String(s)) => s.clone(),
        Some(J::Number(n)) => n.to_string(),
        Some(J::Array(a)) => a.iter().map(|v| show_value(Some(v))).collect::<Vec<_>>().join("、"),
        Some(other) => other.to_string(),
    }
}

/// A stored code of a snapshot field as its Chinese name (a role, a status,
/// a kind…); any other value as `show_value` shows it.
pub fn show_field_value(record: &str, key: &str, v: Option<&serde_json::Value>) -> String {
    use crate::Labelled;
    use crate::party::coverage as p;
    use crate::registry as r;
    fn name<T: Labelled>(s: &str) -> Option<String> {
        T::ALL.iter().find(|v| v.as_str() == s).map(|v| v.label().to_owned())
    }
    let shown = show_value(v);
    let label = match (record, key) {
        (_, "role") => crate::Role::parse(&shown).map(|r| r.label().to_owned()),
        (_, "scope_kind") => name::<crate::role::ScopeKind>(&shown),
        (_, "kind") if record == "social_org" => name::<r::OrgKind>(&shown),
        (_, "registration_mode") => name::<r::RegistrationMode>(&shown),
        ("social_org", "category") => name::<r::Category>(&shown),
        (_, "supervision_class") => name::<r::SupervisionClass>(&shown),
        ("social_org", "status") => name::<r::OrgStatus>(&shown),
        ("party_org", "status") => name::<p::PartyOrgStatus>(&shown),
        ("instructor", "status") => name::<p::InstructorStatus>(&shown),
        (_, "org_type") => name::<p::PartyOrgType>(&shown),
        (_, "member_type") => name::<p::MemberType>(&shown),
        (_, "source") => name::<p::InstructorSource>(&shown),
        (_, "assessment") => name::<p::Assessment>(&shown),
        _ => None,
    };
    label.unwrap_or(shown)
}

/// The fields of an entry's before/after snapshots (stored JSON text; empty
/// when there is none), by key: with both, only the
/// fields that changed; with one, every field of it. Personal data stays as
/// it was stored (masked). Text that is not a JSON object becomes one row.
pub fn field_changes(record: &str, before: &str, after: &str) -> Vec<FieldChange> {
    use serde_json::Value as J;
    let read = |s: &str| -> Option<J> {
        if s.trim().is_empty() { None } else { Some(serde_json::from_str(s).unwrap_or(J::String(s.to_owned()))) }
    };
    let (b, a) = (read(before), read(after));
    let obj = |v: &Option<J>| v.as_ref().and_then(|v| v.as_object().cloned());
    match (obj(&b), obj(&a)) {
        (b_obj, a_obj) if b_obj.is_some() || a_obj.is_some() => {
            let empty = serde_json::Map::new();
            let (bo, ao) = (b_obj.as_ref().unwrap_or(&empty), a_obj.as_ref().unwrap_or(&empty));
            let both = b_obj.is_some() && a_obj.is_some();
            let mut keys: Vec<&String> = bo.keys().collect();
            keys.extend(ao.keys().filter(|k| !bo.contains_key(*k)));
            keys.into_iter()
                .filter(|k| !both || bo.get(*k) != ao.get(*k))
                .map(|k| FieldChange {
                    key: k.clone(),
                    label: field_label(record, k),
                    before: show_field_value(record, k, bo.get(k)),
                    after: show_field_value(record, k, ao.get(k)),
                })
                .collect()
        }
        (_, _) if b.is_none() && a.is_none() => vec![],
        (_, _) => vec![FieldChange {
            key: String::new(),
            label: "内容".to_owned(),
            before: show_value(b.as_ref()),
            after: show_value(a.as_ref()),
        }],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sm3_standard_vector() {
        // GB/T 32905-2016 example 1: "abc"
        let d = <Sm3 as sm3::Digest>::digest(b"abc");
        assert_eq!(hex::encode(d), "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0");
    }

    #[test]
    fn chain_detects_any_change() {
        let e = EntryFields {
            seq: 1,
            at: "2026-01-01 00:00:00",
            actor_user_id: Some(1),
            actor: "admin",
            action: "user.create",
            entity_type: "user",
            entity_id: "2",
            region_code: "3705",
            summary: "创建用户 clerk",
            before: "",
            after: "{}",
        };
        let h1 = chain_hash(GENESIS, &e);
        assert_eq!(h1.len(), 64);
        let changed = EntryFields { after: "{ }", ..e.clone() };
        assert_ne!(h1, chain_hash(GENESIS, &changed));
        assert_ne!(h1, chain_hash(&h1, &e));
        // field boundaries matter
        let shifted = EntryFields { actor: "admi", action: "nuser.create", ..e.clone() };
        assert_ne!(h1, chain_hash(GENESIS, &shifted));
        // version 2 covers every column, version 1 did not cover these
        for changed in [
            EntryFields { summary: "创建用户 clerk2", ..e.clone() },
            EntryFields { actor_user_id: Some(2), ..e.clone() },
            EntryFields { actor_user_id: None, ..e.clone() },
        ] {
            assert_ne!(h1, chain_hash(GENESIS, &changed));
            assert_eq!(chain_hash_v1(GENESIS, &e), chain_hash_v1(GENESIS, &changed));
        }
        assert_eq!(entry_hash(2, GENESIS, &e), Some(h1));
        assert_eq!(entry_hash(3, GENESIS, &e), None);
    }

    #[test]
    fn every_action_and_record_kind_has_a_distinct_chinese_name() {
        let mut ids = std::collections::HashSet::new();
        let mut labels = std::collections::HashSet::new();
        for a in AuditAction::ALL {
            assert!(a.as_str().contains('.'), "{}: module.what", a.as_str());
            assert!(
                a.label().chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                "{} has no Chinese name",
                a.as_str()
            );
            assert!(ids.insert(a.as_str()), "{} twice", a.as_str());
            assert!(labels.insert(a.label()), "{} twice", a.label());
            assert_eq!(AuditAction::parse(a.label()), Some(*a));
        }
        for r in AuditRecord::ALL {
            assert!(r.label().chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)), "{}", r.as_str());
        }
        assert_eq!(AuditAction::label_of("party_life.create"), "登记组织生活");
        assert_eq!(AuditAction::label_of("old.thing"), "old.thing");
        // every dated change of an organization has its action
        for e in crate::registry::EventAction::ALL {
            assert!(AuditAction::of_org_event(e.as_str()).is_some(), "org.{}", e.as_str());
        }
    }

    #[test]
    fn changes_list_the_changed_fields_with_chinese_names() {
        let b = r#"{"username":"li","display_name":"李四","role":"registrar","disabled":false}"#;
        let a = r#"{"username":"li","display_name":"李四","role":"grassroots","disabled":true}"#;
        let c = field_changes("user", b, a);
        assert_eq!(
            c.iter().map(|c| (c.label.as_str(), c.before.as_str(), c.after.as_str())).collect::<Vec<_>>(),
            vec![("已停用", "否", "是"), ("角色", "登记管理机关工作人员", "镇街/社区工作人员")]
        );
        // only an "after": every field
        let c = field_changes("party_member", "", r#"{"name":"王五","id_number":"370502********1234"}"#);
        assert_eq!((c[0].label.as_str(), c[0].after.as_str()), ("公民身份号码（掩码）", "370502********1234"));
        assert_eq!(c[1].label, "姓名");
        assert!(field_changes("user", "", "").is_empty());
        assert_eq!(field_changes("x", "", "[1,2]")[0].after, "1、2");
        assert_eq!(field_label("social_org", "name"), "名称");
        assert_eq!(field_label("social_org", "unknown_key"), "unknown_key");
    }

    #[test]
    fn digests_read_back() {
        let d = Digest { seq: 42, hash: "ab".repeat(32) };
        assert_eq!(Digest::parse(&format!("2026-12-01 08:00 {}\n", d.line())), Some(d));
        assert_eq!(Digest::parse("seq=1 sm3=xyz"), None);
        assert_eq!(Digest::parse("sm3=00"), None);
    }
}
