//! The OpenAPI document's finishing: what utoipa's generated document leaves
//! out, added from the route table, the permission matrix, the table of
//! Chinese summaries below (one line per operation: a new API operation adds
//! its line here, or the document test fails), what the body extractors
//! enforce (`required` of `PUT` bodies, no unknown fields) and the examples
//! in `openapi_examples.json`.

use std::collections::BTreeSet;

use hongling_domain::role::ScopeKind;
use serde_json::{Map, Value, json};

/// The examples of the document, by operation (`"put /api/v1/orgs/{id}"`):
/// the request body (`request`) and the 200 or 201 answer (`response`). They
/// are real calls to a demo server (`hongling demo`: 东营市 3705, 东营区
/// 370502 …), lists cut to a few items. Every example is checked against its
/// schema, and every request example is read as its input with the rules of
/// the extractors and the record readers (tests below).
const EXAMPLES: &str = include_str!("openapi_examples.json");

fn examples() -> Map<String, Value> {
    match serde_json::from_str(EXAMPLES) {
        Ok(Value::Object(m)) => m,
        _ => {
            tracing::error!("openapi_examples.json is not a JSON object");
            Map::new()
        }
    }
}

/// The schema name a request body refers to (`#/components/schemas/NAME`).
fn body_schema(op: &Value) -> Option<&str> {
    op.pointer("/requestBody/content/application~1json/schema/$ref")?.as_str()?.strip_prefix("#/components/schemas/")
}

/// What the body extractors enforce, in the schemas of the request bodies:
/// no field the input does not have (`additionalProperties: false`, as
/// `ApiJson` and `ApiPut` refuse one), and for a `PUT` every field but those
/// the extractor lets out (`required`, from [`crate::extract::put_required`],
/// the list `ApiPut` itself checks). A schema a `POST` takes too, whose
/// `required` says what creating needs, is copied for the `PUT` as `NAMEPut`.
fn body_rules(doc: &mut Value) {
    let mut put = BTreeSet::new();
    let mut other = BTreeSet::new();
    for item in doc.get("paths").and_then(Value::as_object).into_iter().flat_map(|p| p.values()) {
        for (method, op) in item.as_object().into_iter().flatten() {
            if let Some(name) = body_schema(op) {
                let set = if method == "put" { &mut put } else { &mut other };
                set.insert(name.to_owned());
            }
        }
    }
    let Some(schemas) = doc.pointer_mut("/components/schemas").and_then(Value::as_object_mut) else { return };
    for name in put.iter().chain(&other) {
        if let Some(s) = schemas.get_mut(name).and_then(Value::as_object_mut)
            && s.contains_key("properties")
        {
            s.insert("additionalProperties".into(), json!(false));
        }
    }
    let mut renamed = Vec::new();
    for name in &put {
        let Some(mut s) = schemas.get(name).and_then(Value::as_object).cloned() else { continue };
        let fields: Vec<String> =
            s.get("properties").and_then(Value::as_object).map(|p| p.keys().cloned().collect()).unwrap_or_default();
        let required = crate::extract::put_required(fields.iter().map(String::as_str));
        let optional: Vec<&str> = fields.iter().map(String::as_str).filter(|f| !required.contains(f)).collect();
        let rule = if optional.is_empty() {
            "PUT 的请求体：记录的全部字段都须提交，缺少的答 422；清空某字段请传空字符串（可为 null 的字段也可传 null）。".to_owned()
        } else {
            format!(
                "PUT 的请求体：除 {} 外，记录的全部字段都须提交，缺少的答 422；清空某字段请传空字符串（可为 null 的字段也可传 null）。",
                optional.join("、")
            )
        };
        let text = match s.get("description").and_then(Value::as_str) {
            Some(d) => format!("{d}\n\n{rule}"),
            None => rule,
        };
        s.insert("description".into(), json!(text));
        s.insert("required".into(), json!(required));
        if other.contains(name) {
            let copy = format!("{name}Put");
            schemas.insert(copy.clone(), Value::Object(s));
            renamed.push((name.clone(), copy));
        } else {
            schemas.insert(name.clone(), Value::Object(s));
        }
    }
    for item in doc.get_mut("paths").and_then(Value::as_object_mut).into_iter().flat_map(|p| p.values_mut()) {
        let Some(op) = item.get_mut("put") else { continue };
        let Some(r) = op.pointer_mut("/requestBody/content/application~1json/schema/$ref") else { continue };
        if let Some((_, copy)) = renamed.iter().find(|(n, _)| r.as_str() == Some(&format!("#/components/schemas/{n}")))
        {
            *r = json!(format!("#/components/schemas/{copy}"));
        }
    }
}

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
    ("get", "/api/v1/org-decisions", "登记审批：本辖区提出的注销、撤销、吊销和恢复申请"),
    (
        "post",
        "/api/v1/org-decisions/{id}/approve",
        "批准注销、撤销、吊销或恢复申请（登记管理机关负责人），批准后立即生效",
    ),
    ("post", "/api/v1/org-decisions/{id}/return", "退回注销、撤销、吊销或恢复申请（须填写退回理由）"),
    ("get", "/api/v1/orgs", "社会组织列表：按条件筛选、排序、分页"),
    ("post", "/api/v1/orgs", "登记（或备案）一个社会组织，或受理成立申请"),
    ("get", "/api/v1/orgs/{id}", "一个社会组织的登记信息"),
    ("put", "/api/v1/orgs/{id}", "变更社会组织的登记事项（保留带生效日期的变更记录）"),
    ("put", "/api/v1/orgs/{id}/channel", "人工指定社会组织党建工作的管理渠道"),
    ("get", "/api/v1/orgs/{id}/history", "社会组织的变更历史（新的在前）"),
    ("put", "/api/v1/orgs/{id}/host", "“1+N”：由已建党组织的社会组织牵头带动本组织"),
    (
        "post",
        "/api/v1/orgs/{id}/status",
        "登记状态操作：准予成立、注销、撤销登记、吊销登记证书、恢复等（须经负责人批准的，提出后待审批，答复 202）",
    ),
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
pub(crate) fn complete(doc: &mut Value) {
    body_rules(doc);
    let examples = examples();
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
                            [ScopeKind::Region, ScopeKind::Org, ScopeKind::PartyOrg, ScopeKind::Unit]
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
                    "{who}\n\nPUT 为整体替换：请求体须包含记录的全部字段（请求体结构的 required 逐项列出；清空某字段请传空字符串，可为 null 的字段也可传 null），缺少的字段答 422 并逐项列出，不会被清空；reason、effective_on 等变更说明可省略。未知字段（如拼错的字段名）答 422。"
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
            // the examples: the request body and the 200/201 answer
            if let Some(e) = examples.get(&format!("{method} {path}")) {
                let media = op.get_mut("requestBody").and_then(|b| b.pointer_mut("/content/application~1json"));
                if let (Some(x), Some(media)) = (e.get("request"), media.and_then(Value::as_object_mut)) {
                    media.insert("example".into(), x.clone());
                }
                let ok = op
                    .get_mut("responses")
                    .and_then(Value::as_object_mut)
                    .and_then(|r| r.iter_mut().find(|(s, _)| s.starts_with('2')).map(|(_, v)| v));
                let media = ok.and_then(|v| v.pointer_mut("/content/application~1json")).and_then(Value::as_object_mut);
                if let (Some(x), Some(media)) = (e.get("response"), media) {
                    media.insert("example".into(), x.clone());
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::decode_body;

    /// Why `v` does not fit `schema` (`$ref`s resolved in `doc`), into
    /// `errors`. It knows the JSON Schema keywords the document uses and
    /// fails on any other, so that a new kind of schema is not passed
    /// unchecked; and it is stricter than JSON Schema in one point: an object
    /// may carry only the properties its schema lists, so an example with a
    /// misspelt or stale field fails.
    fn fits(doc: &Value, schema: &Value, v: &Value, at: &str, errors: &mut Vec<String>) {
        let Some(s) = schema.as_object() else {
            errors.push(format!("{at}: schema is not an object"));
            return;
        };
        for key in s.keys() {
            let known = [
                "$ref",
                "type",
                "properties",
                "required",
                "additionalProperties",
                "items",
                "oneOf",
                "allOf",
                "enum",
                "format",
                "minimum",
                "maximum",
                "description",
                "default",
                "example",
            ];
            if !known.contains(&key.as_str()) {
                errors.push(format!("{at}: the test does not know the keyword {key}"));
            }
        }
        if let Some(parts) = s.get("allOf").and_then(Value::as_array) {
            // one object schema of all the parts' properties (a flattened struct)
            let mut props = Map::new();
            let mut required = Vec::new();
            for part in parts {
                let part = match part.get("$ref").and_then(Value::as_str) {
                    Some(r) => r.strip_prefix('#').and_then(|p| doc.pointer(p)).unwrap_or(&Value::Null),
                    None => part,
                };
                if part.get("allOf").is_some() || part.get("oneOf").is_some() {
                    errors.push(format!("{at}: the test does not merge nested allOf or oneOf"));
                }
                props.extend(part.get("properties").and_then(Value::as_object).cloned().unwrap_or_default());
                required.extend(part.get("required").and_then(Value::as_array).cloned().unwrap_or_default());
            }
            let merged = json!({"type": "object", "properties": props, "required": required});
            fits(doc, &merged, v, at, errors);
        }
        if let Some(r) = s.get("$ref").and_then(Value::as_str) {
            match r.strip_prefix('#').and_then(|p| doc.pointer(p)) {
                Some(target) => fits(doc, target, v, at, errors),
                None => errors.push(format!("{at}: unresolved {r}")),
            }
        }
        if let Some(t) = s.get("type") {
            let types: Vec<&str> = match t {
                Value::String(t) => vec![t.as_str()],
                Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
                _ => vec![],
            };
            let ok = types.iter().any(|t| match *t {
                "string" => v.is_string(),
                "integer" => v.is_i64() || v.is_u64(),
                "number" => v.is_number(),
                "boolean" => v.is_boolean(),
                "array" => v.is_array(),
                "object" => v.is_object(),
                "null" => v.is_null(),
                _ => false,
            });
            if !ok {
                errors.push(format!("{at}: {v} is not of type {t}"));
                return;
            }
        }
        if let Some(e) = s.get("enum").and_then(Value::as_array)
            && !e.contains(v)
        {
            errors.push(format!("{at}: {v} is not one of {}", Value::Array(e.clone())));
        }
        match (s.get("format").and_then(Value::as_str), v) {
            (None, _) | (Some(_), Value::Null) => {}
            (Some("int32"), Value::Number(n)) if n.as_i64().is_some_and(|n| i32::try_from(n).is_ok()) => {}
            (Some("int64"), Value::Number(n)) if n.is_i64() || n.is_u64() => {}
            (Some("double" | "float"), Value::Number(_)) => {}
            (Some("date"), Value::String(d)) if hongling_domain::input::parse_date(d).is_some() => {}
            (Some(f), _) => errors.push(format!("{at}: {v} is not of format {f}")),
        }
        if let (Some(min), Some(n)) = (s.get("minimum").and_then(Value::as_f64), v.as_f64())
            && n < min
        {
            errors.push(format!("{at}: {n} is below {min}"));
        }
        if let (Some(max), Some(n)) = (s.get("maximum").and_then(Value::as_f64), v.as_f64())
            && n > max
        {
            errors.push(format!("{at}: {n} is above {max}"));
        }
        if let Some(branches) = s.get("oneOf").and_then(Value::as_array) {
            let fitting = branches
                .iter()
                .filter(|b| {
                    let mut e = Vec::new();
                    fits(doc, b, v, at, &mut e);
                    e.is_empty()
                })
                .count();
            if fitting != 1 {
                errors.push(format!("{at}: {v} fits {fitting} of the oneOf branches, not one"));
            }
        }
        if let Some(items) = s.get("items")
            && let Some(a) = v.as_array()
        {
            for (i, x) in a.iter().enumerate() {
                fits(doc, items, x, &format!("{at}[{i}]"), errors);
            }
        }
        if let Some(o) = v.as_object() {
            for r in s.get("required").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str) {
                if !o.contains_key(r) {
                    errors.push(format!("{at}: the required {r} is missing"));
                }
            }
            let props = s.get("properties").and_then(Value::as_object);
            let extra = s.get("additionalProperties").filter(|a| a.is_object());
            for (k, x) in o {
                match (props.and_then(|p| p.get(k)), extra) {
                    (Some(p), _) | (None, Some(p)) => fits(doc, p, x, &format!("{at}.{k}"), errors),
                    // a free-form object (no properties listed) takes anything
                    (None, None) if props.is_none() => {}
                    (None, None) => errors.push(format!("{at}: {k} is not a property of the schema")),
                }
            }
        }
    }

    fn schema_errors(doc: &Value, schema: &Value, v: &Value) -> Vec<String> {
        let mut errors = Vec::new();
        fits(doc, schema, v, "", &mut errors);
        errors
    }

    /// Every operation has its examples (the request body, if it takes one,
    /// and the 200/201 answer), each example fits its schema, and no example
    /// names an operation the document does not have.
    #[test]
    fn every_operation_has_examples_that_fit_their_schemas() {
        let doc = crate::api::openapi_document();
        let examples = examples();
        assert!(examples.len() > 40, "openapi_examples.json is read");
        let mut seen = BTreeSet::new();
        let mut errors = Vec::new();
        for (path, item) in doc["paths"].as_object().expect("paths") {
            for (method, op) in item.as_object().expect("item") {
                let key = format!("{method} {path}");
                if path == "/api/v1/openapi.json" {
                    continue; // the document itself
                }
                seen.insert(key.clone());
                let Some(e) = examples.get(&key) else {
                    errors.push(format!("{key}: no example in openapi_examples.json"));
                    continue;
                };
                if let Some(media) = op.pointer("/requestBody/content/application~1json") {
                    match e.get("request") {
                        None => errors.push(format!("{key}: no request example")),
                        Some(x) => {
                            assert_eq!(media.get("example"), Some(x), "{key}: the example is in the document");
                            for m in schema_errors(&doc, &media["schema"], x) {
                                errors.push(format!("{key} request{m}"));
                            }
                        }
                    }
                }
                let ok = op["responses"].as_object().expect("responses").iter().find(|(s, _)| s.starts_with('2'));
                let media = ok.and_then(|(_, r)| r.pointer("/content/application~1json"));
                match (media, e.get("response")) {
                    (Some(media), Some(x)) => {
                        assert_eq!(media.get("example"), Some(x), "{key}: the example is in the document");
                        for m in schema_errors(&doc, &media["schema"], x) {
                            errors.push(format!("{key} response{m}"));
                        }
                    }
                    (Some(_), None) => errors.push(format!("{key}: no example of the answer")),
                    (None, _) => errors.push(format!("{key}: no JSON answer documented")),
                }
            }
        }
        for key in examples.keys() {
            if !seen.contains(key) {
                errors.push(format!("openapi_examples.json: {key} is no operation of the document"));
            }
        }
        assert!(errors.is_empty(), "{errors:#?}");
    }

    /// The schema check is no formality: a wrong value, a stale field or a
    /// missing one fails.
    #[test]
    fn a_broken_example_does_not_fit() {
        let doc = crate::api::openapi_document();
        let org = json!({"$ref": "#/components/schemas/Org"});
        let good = examples()["get /api/v1/orgs/{id}"]["response"].clone();
        assert_eq!(schema_errors(&doc, &org, &good), Vec::<String>::new());
        let mut bad = good.clone();
        bad["kind"] = json!("company");
        assert!(!schema_errors(&doc, &org, &bad).is_empty(), "a value outside the set");
        let mut bad = good.clone();
        bad["adress"] = json!("明佳社区4号");
        assert!(!schema_errors(&doc, &org, &bad).is_empty(), "a field the answer does not have");
        let mut bad = good.clone();
        bad.as_object_mut().expect("object").remove("name");
        assert!(!schema_errors(&doc, &org, &bad).is_empty(), "a required field missing");
        let mut bad = good;
        bad["staff_count"] = json!("58");
        assert!(!schema_errors(&doc, &org, &bad).is_empty(), "a number as text");
    }

    /// Every request example is read as its operation's input, with the
    /// extractors' rules (`ApiJson`, `ApiPut`: no unknown field, a `PUT`
    /// with every field) and the record readers and rules that need no
    /// database (the credit code's check characters, dates, closed sets…),
    /// on the day the examples were taken.
    #[test]
    fn every_request_example_reads_as_its_input() {
        use hongling_domain::party::records::{
            ChannelDraft, FundDraft, InstructorDraft, MemberDraft, PartyLifeDraft, PartyOrgDraft, TrainingDraft,
        };
        use hongling_service::party::instructors::InstructorInput;
        use hongling_service::party::life::{FundInput, PartyLifeInput, TrainingInput};
        use hongling_service::party::members::MemberInput;
        use hongling_service::party::planner::{AcceptInput, PlanRequest};
        use hongling_service::party::records::{ChannelInput, PartyOrgInput};
        use hongling_service::policy::PolicyInput;
        use hongling_service::registry::input::{OrgInput, StatusInput};

        use crate::party::api::{ChannelSet, DissolveInput, HostInput, OrgsChange, RevealInput};

        let today = time::macros::date!(2026 - 12 - 01);
        fn read<T: serde::de::DeserializeOwned + utoipa::PartialSchema>(b: &[u8], whole: bool) -> Result<T, String> {
            decode_body::<T>(b, whole).map_err(|p| format!("{} {:?}", p.message, p.fields))
        }
        fn ok<T>(r: Result<T, Vec<hongling_domain::input::Violation>>) -> Result<(), String> {
            r.map(|_| ()).map_err(|v| format!("{v:?}"))
        }
        let org = |b: &[u8], whole: bool| -> Result<(), String> {
            let i: OrgInput = read(b, whole)?;
            let d = i.draft().map_err(|e| format!("{e:?}"))?;
            i.effective_on().map_err(|e| format!("{e:?}"))?;
            let (_, v) = hongling_domain::registry::check_draft(&d, today, i.applying);
            if v.is_empty() { Ok(()) } else { Err(format!("{v:?}")) }
        };
        let check = |method: &str, path: &str, b: &[u8]| -> Result<(), String> {
            let put = method == "put";
            match (method, path) {
                ("post", "/api/v1/orgs") | ("put", "/api/v1/orgs/{id}") => org(b, put),
                ("post", "/api/v1/orgs/{id}/status") => {
                    read::<StatusInput>(b, false)?.parse().map(|_| ()).map_err(|e| format!("{e:?}"))
                }
                ("post", "/api/v1/org-decisions/{id}/return") => {
                    read::<crate::registry::api::ReturnInput>(b, false).map(|_| ())
                }
                ("put", "/api/v1/orgs/{id}/host") => read::<HostInput>(b, true).map(|_| ()),
                ("put", "/api/v1/orgs/{id}/channel") => read::<ChannelSet>(b, true).map(|_| ()),
                ("post", "/api/v1/coverage/plan") => read::<PlanRequest>(b, false).map(|_| ()),
                ("post", "/api/v1/coverage/plan/accept") => read::<AcceptInput>(b, false).map(|_| ()),
                ("post", "/api/v1/policy") => {
                    let i: PolicyInput = read(b, false)?;
                    let p = hongling_domain::policy::Param::parse(&i.param).ok_or("param")?;
                    let v = p.unit().parse(i.value.as_deref().unwrap_or("")).ok_or("value")?;
                    p.check(v).map_err(|m| m.to_string())?;
                    i.effective_from
                        .as_deref()
                        .and_then(hongling_domain::input::parse_date)
                        .map(|_| ())
                        .ok_or("date".into())
                }
                ("post", "/api/v1/party-orgs") | ("put", "/api/v1/party-orgs/{id}") => {
                    ok(PartyOrgDraft::read(&read::<PartyOrgInput>(b, put)?, today, true))
                }
                ("post", "/api/v1/party-orgs/{id}/orgs") | ("post", "/api/v1/instructors/{id}/orgs") => {
                    read::<OrgsChange>(b, false).map(|_| ())
                }
                ("post", "/api/v1/party-orgs/{id}/dissolve") => read::<DissolveInput>(b, false).map(|_| ()),
                ("post", "/api/v1/party-members") | ("put", "/api/v1/party-members/{id}") => {
                    ok(MemberDraft::read(&read::<MemberInput>(b, put)?, today, None))
                }
                ("post", "/api/v1/party-members/{id}/reveal") => read::<RevealInput>(b, false).map(|_| ()),
                ("post", "/api/v1/instructors") | ("put", "/api/v1/instructors/{id}") => {
                    ok(InstructorDraft::read(&read::<InstructorInput>(b, put)?, today))
                }
                ("post", "/api/v1/party-life") => ok(PartyLifeDraft::read(&read::<PartyLifeInput>(b, false)?, today)),
                ("post", "/api/v1/party-funds") => ok(FundDraft::read(&read::<FundInput>(b, false)?, today)),
                ("post", "/api/v1/trainings") => ok(TrainingDraft::read(&read::<TrainingInput>(b, false)?, today)),
                ("post", "/api/v1/party-channels") => ok(ChannelDraft::read(&read::<ChannelInput>(b, false)?)),
                _ => Err("no reader in this test: add the operation's input here".into()),
            }
        };
        let mut errors = Vec::new();
        for (key, e) in examples() {
            let Some(x) = e.get("request") else { continue };
            let (method, path) = key.split_once(' ').expect("method path");
            let body = serde_json::to_vec(x).expect("json");
            if let Err(m) = check(method, path, &body) {
                errors.push(format!("{key}: {m}"));
            }
        }
        assert!(errors.is_empty(), "{errors:#?}");
    }
}
