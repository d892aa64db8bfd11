//! The settings as the pages edit them: their JSON Schema (the forms are built from it) and
//! changes to some fields at once. A change is checked exactly as an uploaded file is: the
//! whole new configuration must deserialize and keep every rule, or nothing changes.

use super::{Refusal, json};
use crate::config::Config;
use crate::role::Role;
use crate::run::Shared;
use crate::web::gate::PeerIp;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Map, Value};
use std::net::IpAddr;

/// `GET /api/config/schema`: the JSON Schema of the settings (draft 2020-12).
pub async fn schema(_role: Role) -> Response {
    json(&schemars::schema_for!(Config))
}

/// What a secret shows to those who may not see it; sent back, it keeps the secret as it is.
pub const MASK: &str = "••••••";

/// Keys whose values only the administrator is shown.
pub fn secret(key: &str) -> bool {
    key.contains("password") || key.contains("secret") || key.ends_with("community")
}

/// `value` with its secrets masked, for callers other than the administrator.
pub fn without_secrets(mut value: Value) -> Value {
    fn walk(value: &mut Value) {
        match value {
            Value::Object(map) => {
                for (key, inner) in map.iter_mut() {
                    if secret(key) && inner.is_string() {
                        *inner = Value::String(MASK.into());
                    } else {
                        walk(inner);
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(walk),
            _ => {}
        }
    }
    walk(&mut value);
    value
}

/// `new` with every secret sent back masked set to the value it replaces in `old`: a form
/// built from masked settings changes no secret it did not touch.
fn unmasked(new: &mut Value, old: &Value) {
    match (new, old) {
        (Value::Object(map), Value::Object(old_map)) => {
            for (key, inner) in map.iter_mut() {
                let Some(old_inner) = old_map.get(key) else { continue };
                if secret(key) && inner.as_str() == Some(MASK) {
                    *inner = old_inner.clone();
                } else {
                    unmasked(inner, old_inner);
                }
            }
        }
        (Value::Array(items), Value::Array(old_items)) => {
            items.iter_mut().zip(old_items).for_each(|(item, old_item)| unmasked(item, old_item));
        }
        _ => {}
    }
}

/// 409 when `config`'s firewall would refuse the caller's own address (unspecified: in
/// process), so that no change locks its sender out.
pub(crate) fn keeps_caller_in(config: &Config, peer: IpAddr) -> Result<(), Refusal> {
    if !peer.is_unspecified() && !config.firewall.allows(peer) {
        return Err((
            StatusCode::CONFLICT,
            format!("the firewall would refuse your own address {peer}: add a rule that accepts it first"),
        ));
    }
    Ok(())
}

/// `config` with each field named by a JSON pointer (`/mail/port`) set to its new value (a
/// secret sent as `MASK` stays as it is); the first field that does not exist or does not
/// fit, by its path.
pub fn patched(config: &Config, changes: Map<String, Value>) -> Result<Config, String> {
    let old = serde_json::to_value(config).map_err(|e| e.to_string())?;
    let mut value = old.clone();
    for (pointer, mut new) in changes {
        let field = value.pointer_mut(&pointer).ok_or_else(|| format!("{pointer}: no such setting"))?;
        let key = pointer.rsplit('/').next().unwrap_or_default();
        if secret(key) && new.as_str() == Some(MASK) {
            continue;
        }
        if let Some(old_field) = old.pointer(&pointer) {
            unmasked(&mut new, old_field);
        }
        *field = new;
    }
    let config: Config =
        serde_path_to_error::deserialize(value).map_err(|e| format!("{}: {}", e.path(), e.inner()))?;
    config.check()?;
    Ok(config)
}

/// `PATCH /api/config`, body `{"/json/pointer": value, …}`: changes those settings. 400 with
/// the field and what was expected when the result is not a valid configuration; 409 when the
/// firewall would then refuse the caller's own address.
pub async fn patch(
    role: Role,
    PeerIp(peer): PeerIp,
    State(shared): State<Shared>,
    body: String,
) -> Result<Response, Refusal> {
    role.may_change()?;
    let changes: Map<String, Value> = serde_json::from_str(&body)
        .map_err(|e| (StatusCode::BAD_REQUEST, format!("expected {{\"/setting/path\": value, …}}: {e}")))?;
    let mut agent = shared.lock();
    let config = patched(&agent.config, changes).map_err(|e| (StatusCode::BAD_REQUEST, e))?;
    keeps_caller_in(&config, peer)?;
    let changed =
        agent.put_config(config, "HTTP", role.name()).map_err(|refused| super::config_refusal(&refused))?;
    Ok(json(&changed))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn changes(value: Value) -> Map<String, Value> {
        value.as_object().unwrap().clone()
    }

    #[test]
    fn fields_change_by_pointer_and_are_checked_like_a_file() {
        let config = Config::default();
        let new = patched(&config, changes(json!({"/mail/port": 2525, "/system_name": "Room 4"}))).unwrap();
        assert_eq!((new.mail.port, new.system_name.as_str()), (2525, "Room 4"));
        let error = patched(&config, changes(json!({"/mail/port": 70000}))).unwrap_err();
        assert!(error.starts_with("mail.port: "), "{error}");
        let error = patched(&config, changes(json!({"/mail/bogus": 1}))).unwrap_err();
        assert_eq!(error, "/mail/bogus: no such setting");
        let error = patched(&config, changes(json!({"/polling_s": 0.0}))).unwrap_err();
        assert!(error.starts_with("polling_s: seconds"), "{error}");
        let rows =
            json!({"/firewall/rules": [{"address": "10.0.0.0", "prefix_length": 40, "action": "Accept"}]});
        assert!(patched(&config, changes(rows)).unwrap_err().contains("from 0 to 32"));
    }

    #[test]
    fn a_masked_secret_sent_back_keeps_its_value() {
        let mut config = Config::default();
        config.mail.password = "hunter2".into();
        let mut mail = without_secrets(serde_json::to_value(&config).unwrap())["mail"].clone();
        mail["port"] = json!(2525);
        let new = patched(&config, changes(json!({ "/mail": mail }))).unwrap();
        assert_eq!((new.mail.port, new.mail.password.as_str()), (2525, "hunter2"));
        let masked = json!({ "/snmp/write_community": MASK, "/mail/password": "new one" });
        let new = patched(&config, changes(masked)).unwrap();
        assert_eq!(new.snmp.write_community, config.snmp.write_community);
        assert_eq!(new.mail.password, "new one", "a secret may be set without being read");
    }

    #[test]
    fn read_only_callers_see_no_secrets() {
        let mut config = Config::default();
        config.mail.password = "hunter2".into();
        let shown = without_secrets(serde_json::to_value(&config).unwrap());
        assert_eq!(shown["mail"]["password"], MASK);
        assert_eq!(shown["snmp"]["read_community"], MASK);
        assert_eq!(shown["mail"]["port"], config.mail.port);
    }
}
