//! The OpenAPI document's finishing: what utoipa's generated document leaves
//! out, added from the route table, the permission matrix and the table of
//! Chinese summaries below (one line per operation: a new API operation adds
//! its line here, or the document test fails).

use hongling_domain::role::ScopeKind;

/// (method, path, 中文摘要) of every operation.
const SUMMARIES: &[(&str, &str, &str)] = &[
    ("get", "/api/v1/coverage", "党建覆盖总体情况：组织数、已覆盖数、按覆盖方式分布、覆盖率与单建率、违规数"),
    ("get", "/api/v1/coverage/breaches", "违规提示列表：所违反的规则及涉及的组织或党组织"),
    ("get", "/api/v1/coverage/by/{dim}", "按维度（管理渠道、组织类型、类别、登记方式）统计的党建覆盖情况"),
    (
        "get",
        "/api/v1/coverage/orgs/{id}",
        "一个社会组织的党建覆盖情况：覆盖方式、党员、所在党组织、党建指导员、牵头组织、管理渠道、违规",
    ),
    ("post", "/api/v1/coverage/plan", "生成覆盖规划：联合党支部组建方案和党建指导员选派方案（不写入数据）"),
    ("post", "/api/v1/coverage/plan/accept", "采纳覆盖规划中的一个方案（可修改后采纳）"),
    ("get", "/api/v1/coverage/regions", "下一级各区域的党建覆盖情况（逐级下钻）"),
    ("get", "/api/v1/instructors", "党建指导员列表"),
    ("post", "/api/v1/instructors", "新增党建指导员"),
    ("get", "/api/v1/instructors/{id}", "一名党建指导员及其联系的组织"),
    ("put", "/api/v1/instructors/{id}", "修改党建指导员信息（须回传 version）"),
    ("post", "/api/v1/instructors/{id}/orgs", "为党建指导员增加或结束联系的组织（受联系数量上限和区域限制）"),
    ("get", "/api/v1/me", "当前令牌所属的账号"),
    ("get", "/api/v1/openapi.json", "本接口的 OpenAPI 3.1 文档"),
    ("get", "/api/v1/orgs", "社会组织列表：按条件筛选、排序、分页"),
    ("post", "/api/v1/orgs", "登记（或备案）一个社会组织，或受理成立申请"),
    ("get", "/api/v1/orgs/{id}", "一个社会组织的登记信息"),
    ("put", "/api/v1/orgs/{id}", "变更社会组织的登记事项（保留带生效日期的变更记录）"),
    ("put", "/api/v1/orgs/{id}/channel", "人工指定社会组织党建工作的管理渠道"),
    ("get", "/api/v1/orgs/{id}/history", "社会组织的变更历史（新的在前）"),
    ("put", "/api/v1/orgs/{id}/host", "“1+N”：由已建党组织的社会组织牵头带动本组织"),
    ("post", "/api/v1/orgs/{id}/status", "登记状态操作：准予成立、注销、撤销登记、吊销登记证书、恢复等"),
    ("get", "/api/v1/party-channels", "本区域及上级区域的党建管理渠道"),
    ("post", "/api/v1/party-channels", "新增党建管理渠道"),
    ("get", "/api/v1/party-funds", "党建经费列表（党费返还、启动经费、教育经费等）"),
    ("post", "/api/v1/party-funds", "登记一笔党建经费"),
    ("get", "/api/v1/party-life", "组织生活记录（“三会一课”、主题党日等）"),
    ("post", "/api/v1/party-life", "登记一次组织生活"),
    ("get", "/api/v1/party-members", "党员列表（公民身份号码已掩码）"),
    ("post", "/api/v1/party-members", "登记党员（公民身份号码加密保存）"),
    ("get", "/api/v1/party-members/{id}", "一名党员的信息（公民身份号码已掩码）"),
    ("put", "/api/v1/party-members/{id}", "修改党员信息（须回传 version）"),
    ("post", "/api/v1/party-members/{id}/reveal", "查看党员完整的公民身份号码（须填写事由，记入审计日志）"),
    ("get", "/api/v1/party-orgs", "党组织列表"),
    ("post", "/api/v1/party-orgs", "新建党组织（可同时指定其覆盖的社会组织 org_ids）"),
    ("get", "/api/v1/party-orgs/{id}", "一个党组织及其覆盖的组织和违反的规则"),
    ("put", "/api/v1/party-orgs/{id}", "修改党组织信息（须回传 version）"),
    ("post", "/api/v1/party-orgs/{id}/dissolve", "撤销党组织，其覆盖的组织随之解除"),
    ("post", "/api/v1/party-orgs/{id}/orgs", "增加或移除党组织覆盖的社会组织"),
    ("get", "/api/v1/policy", "某区域当前适用的政策参数，各项注明取值及其来源区域"),
    ("post", "/api/v1/policy", "设定（或取消）本区域某项政策参数自某日起的取值；所辖区域的覆盖情况将重新计算"),
    ("get", "/api/v1/regions/{code}", "管辖范围内的一个行政区划及其下级"),
    ("get", "/api/v1/trainings", "培训记录（党组织书记、党建指导员）"),
    ("post", "/api/v1/trainings", "登记一次培训"),
    ("get", "/api/v1/uscc/{code}", "校验统一社会信用代码（公开接口）"),
    ("get", "/healthz", "服务与数据库是否可用（公开接口）"),
];

/// The Chinese description of an answer's status.
fn status_text(status: &str) -> &'static str {
    match status {
        "200" => "成功",
        "201" => "已创建",
        "204" => "成功，无内容",
        "400" => "请求格式有误（如 JSON 语法错误）",
        "401" => "未登录，或令牌缺失、过期、无效",
        "403" => "本账号的角色无权执行此操作",
        "404" => "记录不存在或不在本账号的管辖范围内",
        "405" => "不支持该请求方法",
        "409" => "记录已被他人修改，或与现有记录冲突",
        "413" => "请求体过大",
        "415" => "请求体须为 JSON（Content-Type: application/json）",
        "422" => "输入有误：fields 逐项说明",
        "429" => "请求过于频繁：超过每分钟调用次数上限，Retry-After 给出等待秒数",
        "500" => "系统错误（详情已记入日志）",
        "503" => "数据库不可用",
        _ => "应答",
    }
}

/// What the generated document leaves out, added from the route table and
/// the permission matrix so that it is a valid OpenAPI 3.1 document: a
/// description on every answer, every error status an operation can answer
/// (with the error schema), the security requirement from the route's
/// access, and a Chinese description saying who may call it.
pub(crate) fn complete(doc: &mut serde_json::Value) {
    use serde_json::{Value, json};
    let (_, table) = crate::all_routes().into_parts();
    let access_of = |method: &str, path: &str| {
        table.iter().find(|e| e.method.eq_ignore_ascii_case(method) && e.path == path).map(|e| e.access)
    };
    let error = |status: &str| {
        json!({
            "description": status_text(status),
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ApiError"}}}
        })
    };
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else { return };
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else { continue };
        for (method, op) in item.iter_mut() {
            let Some(op) = op.as_object_mut() else { continue };
            let access = access_of(method, path);
            let public = matches!(access, Some(hongling_domain::Access::Public) | None);
            let has_body = op.contains_key("requestBody");
            let has_params = op.get("parameters").and_then(Value::as_array).is_some_and(|a| !a.is_empty());
            let responses = op.entry("responses").or_insert_with(|| json!({}));
            if let Some(r) = responses.as_object_mut() {
                for (status, resp) in r.iter_mut() {
                    if let Some(o) = resp.as_object_mut() {
                        o.entry("description").or_insert_with(|| json!(status_text(status)));
                    }
                }
                let mut add = |status: &str| {
                    r.entry(status.to_owned()).or_insert_with(|| error(status));
                };
                if !public {
                    add("401");
                    add("403");
                    // the per-user rate limit (docs/API.md)
                    add("429");
                }
                if path.contains('{') {
                    add("404");
                }
                if has_body {
                    add("400");
                    add("413");
                    add("415");
                }
                if has_body || has_params || path.contains('{') {
                    add("422");
                }
                if !method.eq_ignore_ascii_case("get") {
                    // a version or uniqueness conflict
                    add("409");
                }
                add("405");
                add("500");
            }
            let who = match access {
                Some(hongling_domain::Access::Action(a)) => {
                    let roles: Vec<&str> = hongling_domain::Role::ALL
                        .iter()
                        .filter(|r| {
                            [ScopeKind::Region, ScopeKind::Org, ScopeKind::PartyOrg]
                                .iter()
                                .any(|k| hongling_domain::access::allows(**r, *k, a))
                        })
                        .map(|r| r.label())
                        .collect();
                    format!(
                        "权限：{}（{}）。数据限于令牌所属账号的管辖范围，范围外的记录答 404。",
                        a.label(),
                        roles.join("、")
                    )
                }
                _ => "公开接口，无需令牌。".to_owned(),
            };
            let who = if method.eq_ignore_ascii_case("put") {
                format!(
                    "{who}\n\nPUT 为整体替换：请求体须包含记录的全部字段（清空某字段请传 null 或空字符串），缺少的字段答 422 并逐项列出，不会被清空；reason、effective_on 等变更说明可省略。未知字段（如拼错的字段名）答 422。"
                )
            } else {
                who
            };
            // the Chinese summary; the code's English doc comment stays in the code
            match SUMMARIES.iter().find(|(m, p, _)| m.eq_ignore_ascii_case(method) && p == path) {
                Some((_, _, summary)) => {
                    op.insert("summary".into(), json!(summary));
                    op.insert("description".into(), json!(format!("{summary}。\n\n{who}")));
                }
                None => {
                    op.insert("description".into(), json!(who));
                }
            }
            if public {
                op.remove("security");
            } else {
                op.insert("security".into(), json!([{"bearer": []}]));
            }
        }
    }
}
