//! `upstwin inject`, `clear` and `command`: thin clients of a running `upstwin serve`'s
//! control API.

use super::{CommandResult, Failure};
use crate::cli::ControlArgs;
use serde_json::{Value, json};

fn params(args: &ControlArgs) -> Result<Value, Failure> {
    let mut params = serde_json::Map::new();
    for pair in &args.params {
        let (key, value) = pair
            .split_once('=')
            .ok_or_else(|| Failure::bad_input(format!("bad parameter `{pair}`: expected key=value")))?;
        let number: f64 = value
            .parse()
            .map_err(|_| Failure::bad_input(format!("{key}: expected a number, found `{value}`")))?;
        params.insert(key.to_string(), json!(number));
    }
    Ok(Value::Object(params))
}

/// Sends a request; a 4xx from the server is the caller's bad input (exit 2).
fn send(args: &ControlArgs, method: &str, path: &str, body: Option<Value>) -> CommandResult {
    let base = args.control.trim_end_matches('/');
    // `127.0.0.1:8700`, as `serve --control` takes it, is the same server as its URL.
    let url = if base.contains("://") { format!("{base}{path}") } else { format!("http://{base}{path}") };
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
    let authorization = args.token.as_ref().map(|t| format!("Bearer {t}"));
    let response = match (method, body) {
        ("POST", Some(body)) => {
            let mut request = agent.post(&url);
            if let Some(value) = &authorization {
                request = request.header("Authorization", value);
            }
            request.send_json(body)
        }
        _ => {
            let mut request = agent.delete(&url);
            if let Some(value) = &authorization {
                request = request.header("Authorization", value);
            }
            request.call()
        }
    };
    let mut response = response.map_err(|e| Failure::failed(format!("{url}: {e}")))?;
    let status = response.status().as_u16();
    let body: Value = response.body_mut().read_json().unwrap_or(Value::Null);
    match status {
        200..=299 => {
            println!("{body}");
            Ok(())
        }
        400..=499 => Err(Failure::bad_input(body["error"].as_str().unwrap_or("refused").to_string())),
        _ => Err(Failure::failed(format!("{url}: HTTP {status}"))),
    }
}

pub fn inject(args: &ControlArgs) -> CommandResult {
    let path = if args.wire { "/api/wire-faults" } else { "/api/faults" };
    send(args, "POST", path, Some(json!({ "name": args.name, "params": params(args)? })))
}

pub fn clear(args: &ControlArgs) -> CommandResult {
    let path = if args.wire {
        format!("/api/wire-faults/{}", args.name)
    } else {
        format!("/api/faults/{}", args.name)
    };
    send(args, "DELETE", &path, None)
}

pub fn command(args: &ControlArgs) -> CommandResult {
    send(args, "POST", "/api/commands", Some(json!({ "name": args.name, "params": params(args)? })))
}
