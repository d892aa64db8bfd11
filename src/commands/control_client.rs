//! `upstwin inject`, `clear` and `command`: thin clients of a running `upstwin serve`'s
//! control API.

use super::{CommandResult, Failure};
use crate::cli::ControlArgs;
use serde_json::{Value, json};

/// `key=value` pairs as a JSON object of numbers.
pub fn params(pairs: &[String]) -> Result<Value, Failure> {
    let mut params = serde_json::Map::new();
    for pair in pairs {
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

/// Which HTTP method a request uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Delete,
}

/// One request to a control API at `base` (a URL, or `HOST:PORT` as `--control` takes it):
/// its status and JSON body (null when it has none).
pub fn request(
    base: &str,
    token: Option<&str>,
    method: Method,
    path: &str,
    body: Option<&Value>,
) -> Result<(u16, Value), Failure> {
    let base = base.trim_end_matches('/');
    let url = if base.contains("://") { format!("{base}{path}") } else { format!("http://{base}{path}") };
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(std::time::Duration::from_secs(30)))
        .build()
        .into();
    let authorization = token.map(|t| format!("Bearer {t}"));
    let response = match method {
        Method::Post => {
            let mut request = agent.post(&url);
            if let Some(value) = &authorization {
                request = request.header("Authorization", value);
            }
            request.send_json(body.cloned().unwrap_or(Value::Null))
        }
        Method::Get | Method::Delete => {
            let mut request = if method == Method::Get { agent.get(&url) } else { agent.delete(&url) };
            if let Some(value) = &authorization {
                request = request.header("Authorization", value);
            }
            request.call()
        }
    };
    let mut response = response.map_err(|e| Failure::failed(format!("{url}: {e}")))?;
    let status = response.status().as_u16();
    Ok((status, response.body_mut().read_json().unwrap_or(Value::Null)))
}

/// Sends a request; a 4xx from the server is the caller's bad input (exit 2).
fn send(args: &ControlArgs, method: Method, path: &str, body: Option<Value>) -> CommandResult {
    let (status, body) = request(&args.control, args.token.as_deref(), method, path, body.as_ref())?;
    match status {
        200..=299 => {
            println!("{body}");
            Ok(())
        }
        400..=499 => Err(Failure::bad_input(body["error"].as_str().unwrap_or("refused").to_string())),
        _ => Err(Failure::failed(format!("{}{path}: HTTP {status}", args.control))),
    }
}

pub fn inject(args: &ControlArgs) -> CommandResult {
    let path = if args.wire { "/api/wire-faults" } else { "/api/faults" };
    send(args, Method::Post, path, Some(json!({ "name": args.name, "params": params(&args.params)? })))
}

pub fn clear(args: &ControlArgs) -> CommandResult {
    let path = if args.wire {
        format!("/api/wire-faults/{}", args.name)
    } else {
        format!("/api/faults/{}", args.name)
    };
    send(args, Method::Delete, &path, None)
}

pub fn command(args: &ControlArgs) -> CommandResult {
    send(
        args,
        Method::Post,
        "/api/commands",
        Some(json!({ "name": args.name, "params": params(&args.params)? })),
    )
}
