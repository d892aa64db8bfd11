//! `upstwin fleet status|inject|clear|command --shards …`: one request to every shard's
//! control API at once, their answers added up. A scheduled action (`--at`) goes to all
//! with the same absolute instant, so it happens at once everywhere.

use super::schedule::{AHEAD_AT_MOST, rfc3339};
use crate::cli::{FleetActionArgs, FleetClient, ShardsArgs};
use crate::commands::control_client::{Method, params, request};
use crate::commands::{CommandResult, Failure};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::net::Ipv4Addr;
use std::time::{Duration, SystemTime};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// A shard further behind than this (its clock steps every 0.1 s) cannot keep up.
const LAGGING_S: f64 = 1.0;

pub fn run(client: &FleetClient) -> CommandResult {
    match client {
        FleetClient::Status { shards, json } => status(shards, *json),
        FleetClient::Inject(args) => {
            let body = body(args)?;
            act(&args.shards, Method::Post, "/api/fleet/faults".into(), Some(body), args.at.is_some())
        }
        FleetClient::Send(args) => {
            let body = body(args)?;
            act(&args.shards, Method::Post, "/api/fleet/commands".into(), Some(body), args.at.is_some())
        }
        FleetClient::Clear(args) => {
            let target = body(args)?;
            let mut query = form_urlencoded::Serializer::new(String::new());
            for key in ["device", "group", "feed", "site", "at"] {
                if let Some(value) = target[key].as_str() {
                    query.append_pair(key, value);
                }
            }
            if args.all {
                query.append_pair("all", "true");
            }
            act(
                &args.shards,
                Method::Delete,
                format!("/api/fleet/faults/{}?{}", args.name, query.finish()),
                None,
                args.at.is_some(),
            )
        }
    }
}

/// `--at`: an RFC 3339 instant as it is, or `+DURATION` from now made one.
fn instant(text: &str) -> Result<String, Failure> {
    let Some(delay) = text.strip_prefix('+') else {
        OffsetDateTime::parse(text, &Rfc3339)
            .map_err(|e| Failure::bad_input(format!("--at {text}: RFC 3339 or +DURATION ({e})")))?;
        return Ok(text.to_string());
    };
    let delay_s =
        sim::run::script::parse_duration_s(delay).map_err(|e| Failure::bad_input(format!("--at: {e}")))?;
    // As the shards: at most a year ahead.
    let at = Duration::try_from_secs_f64(delay_s)
        .ok()
        .filter(|delay| *delay <= AHEAD_AT_MOST)
        .and_then(|delay| SystemTime::now().checked_add(delay))
        .ok_or_else(|| Failure::bad_input(format!("--at {text}: at most a year ahead")))?;
    Ok(rfc3339(at))
}

fn body(args: &FleetActionArgs) -> Result<Value, Failure> {
    let mut body = json!({ "name": args.name, "params": params(&args.params)? });
    for (key, value) in
        [("device", &args.device), ("group", &args.group), ("feed", &args.feed), ("site", &args.site)]
    {
        if let Some(value) = value {
            body[key] = json!(value);
        }
    }
    if args.all {
        body["all"] = json!(true);
    }
    if let Some(at) = &args.at {
        body["at"] = json!(instant(at)?);
    }
    Ok(body)
}

/// The same request to every shard at once: their answers in order.
fn fan_out(
    shards: &ShardsArgs,
    method: Method,
    path: &str,
    body: Option<&Value>,
) -> Vec<Result<(u16, Value), Failure>> {
    std::thread::scope(|scope| {
        let asked: Vec<_> = shards
            .shards
            .iter()
            .map(|shard| scope.spawn(move || request(shard, shards.token.as_deref(), method, path, body)))
            .collect();
        asked
            .into_iter()
            .map(|answer| answer.join().unwrap_or_else(|_| Err(Failure::failed("the request panicked"))))
            .collect()
    })
}

/// Prints each shard's answer; fails if any shard did not take it.
/// `held`: the action waits for an instant (`--at`), so no device has taken it yet.
fn act(shards: &ShardsArgs, method: Method, path: String, body: Option<Value>, held: bool) -> CommandResult {
    let answers = fan_out(shards, method, &path, body.as_ref());
    let mut devices = 0;
    let mut failed = Vec::new();
    for (shard, answer) in shards.shards.iter().zip(answers) {
        match answer {
            Ok((200..=299, body)) => {
                devices += body["devices"].as_u64().unwrap_or(0);
                println!("{shard} {body}");
            }
            Ok((status, body)) => {
                let why = body["error"].as_str().unwrap_or("refused").to_string();
                println!("{shard} HTTP {status}: {why}");
                failed.push(format!("{shard}: {why}"));
            }
            Err(e) => {
                println!("{shard} {}", e.message);
                failed.push(format!("{shard}: {}", e.message));
            }
        }
    }
    if !held {
        println!("total devices={devices}");
    }
    match failed.is_empty() {
        true => Ok(()),
        false => Err(Failure::failed(format!(
            "{} of {} shards did not take it: {}",
            failed.len(),
            shards.shards.len(),
            failed.join("; ")
        ))),
    }
}

/// Adds the shards' summaries up: devices, modes, on battery, per feed; says whether the
/// shards cover the fleet exactly once.
fn status(shards: &ShardsArgs, as_json: bool) -> CommandResult {
    let answers = fan_out(shards, Method::Get, "/api/fleet", None);
    let mut summaries = Vec::new();
    let mut failed = Vec::new();
    for (shard, answer) in shards.shards.iter().zip(answers) {
        match answer {
            Ok((200, body)) => summaries.push((shard.clone(), body)),
            Ok((status, body)) => failed.push(format!("{shard}: HTTP {status} {}", body["error"])),
            Err(e) => failed.push(format!("{shard}: {}", e.message)),
        }
    }
    let mut total = json!({ "devices": 0, "on_battery": 0, "modes": {}, "feeds": {}, "cards": { "devices": 0, "online": 0 } });
    let mut covered: Vec<(u64, u64)> = Vec::new();
    let mut sizes = std::collections::BTreeSet::new();
    for (_, summary) in &summaries {
        add(&mut total["devices"], &summary["devices"]);
        add(&mut total["on_battery"], &summary["on_battery"]);
        add(&mut total["cards"]["devices"], &summary["cards"]["devices"]);
        add(&mut total["cards"]["online"], &summary["cards"]["online"]);
        for (mode, count) in summary["modes"].as_object().into_iter().flatten() {
            add(&mut total["modes"][mode], count);
        }
        for feed in summary["feeds"].as_array().into_iter().flatten() {
            let name = feed["name"].as_str().unwrap_or_default();
            add(&mut total["feeds"][name]["devices"], &feed["devices"]);
            add(&mut total["feeds"][name]["on_battery"], &feed["on_battery"]);
        }
        covered.push((
            summary["shard"]["first"].as_u64().unwrap_or(0),
            summary["shard"]["end"].as_u64().unwrap_or(0),
        ));
        sizes.insert(summary["fleet_devices"].as_u64().unwrap_or(0));
    }
    let fleet_devices = sizes.iter().copied().max().unwrap_or(0);
    let coverage = match (summaries.is_empty(), sizes.len()) {
        (true, _) => "no shard answered".to_string(),
        (false, 1) => coverage(&mut covered, fleet_devices),
        _ => format!("the shards serve different fleets (of {sizes:?} devices)"),
    };
    total["fleet_devices"] = json!(fleet_devices);
    total["coverage"] = json!(coverage);
    if as_json {
        let shards: BTreeMap<&str, &Value> = summaries.iter().map(|(s, v)| (s.as_str(), v)).collect();
        println!("{}", json!({ "shards": shards, "total": total, "unreachable": failed }));
    } else {
        for (shard, summary) in &summaries {
            println!(
                "{shard} devices={} on_battery={} modes={} cards={}/{} time_s={:.1} lag_s={:.2} addresses={}",
                summary["devices"],
                summary["on_battery"],
                summary["modes"],
                summary["cards"]["online"],
                summary["cards"]["devices"],
                summary["time_s"].as_f64().unwrap_or(0.0),
                summary["clock_lag_s"].as_f64().unwrap_or(0.0),
                blocks(&summary["addresses"]).join(",")
            );
        }
        for (shard, summary) in &summaries {
            let lag_s = summary["clock_lag_s"].as_f64().unwrap_or(0.0);
            if lag_s > LAGGING_S {
                println!(
                    "warning: {shard} is {lag_s:.1} s behind the wall clock: more twins than its cores step \
                     in real time (deploy/README.md: how big a shard)"
                );
            }
        }
        for (feed, counts) in total["feeds"].as_object().into_iter().flatten() {
            println!("feed {feed} devices={} on_battery={}", counts["devices"], counts["on_battery"]);
        }
        println!(
            "total devices={} of {fleet_devices} on_battery={} modes={} cards={}/{} coverage: {coverage}",
            total["devices"],
            total["on_battery"],
            total["modes"],
            total["cards"]["online"],
            total["cards"]["devices"]
        );
    }
    match failed.is_empty() {
        true => Ok(()),
        false => Err(Failure::failed(format!("unreachable: {}", failed.join("; ")))),
    }
}

/// A shard's device addresses as the fewest CIDR blocks: what a route to the shard covers.
fn blocks(addresses: &Value) -> Vec<String> {
    let address = |key: &str| addresses[key].as_str().and_then(|a| a.parse::<Ipv4Addr>().ok());
    match (address("first"), address("last")) {
        (Some(first), Some(last)) if first <= last => cidrs(first, last),
        _ => Vec::new(),
    }
}

/// The fewest CIDR blocks covering exactly first..=last.
fn cidrs(first: Ipv4Addr, last: Ipv4Addr) -> Vec<String> {
    let (mut next, last) = (u64::from(u32::from(first)), u64::from(u32::from(last)));
    let mut blocks = Vec::new();
    while next <= last {
        // The largest block aligned at `next` that does not pass `last`.
        let mut size = if next == 0 { 1 << 32 } else { 1u64 << next.trailing_zeros() };
        while next + size - 1 > last {
            size /= 2;
        }
        let prefix = 32 - size.trailing_zeros();
        blocks.push(format!("{}/{prefix}", Ipv4Addr::from(next as u32)));
        next += size;
    }
    blocks
}

fn add(sum: &mut Value, value: &Value) {
    *sum = json!(sum.as_u64().unwrap_or(0) + value.as_u64().unwrap_or(0));
}

/// `every device once`, or which devices no shard serves and which more than one does.
fn coverage(ranges: &mut [(u64, u64)], devices: u64) -> String {
    ranges.sort_unstable();
    let mut next = 0;
    let mut problems = Vec::new();
    for &(first, end) in ranges.iter() {
        if first > next {
            problems.push(format!("devices {}..{} unserved", next + 1, first));
        } else if first < next {
            problems.push(format!("devices {}..{} served twice", first + 1, next.min(end)));
        }
        next = next.max(end);
    }
    if next < devices {
        problems.push(format!("devices {}..{} unserved", next + 1, devices));
    }
    match problems.is_empty() {
        true => "every device once".into(),
        false => problems.join(", "),
    }
}

#[cfg(test)]
mod tests {
    use super::{cidrs, coverage};

    #[test]
    fn a_range_is_the_fewest_blocks() {
        let a = |text: &str| text.parse().unwrap();
        assert_eq!(cidrs(a("10.201.0.32"), a("10.201.0.63")), ["10.201.0.32/27"]);
        assert_eq!(
            cidrs(a("127.1.0.1"), a("127.1.0.150")),
            [
                "127.1.0.1/32",
                "127.1.0.2/31",
                "127.1.0.4/30",
                "127.1.0.8/29",
                "127.1.0.16/28",
                "127.1.0.32/27",
                "127.1.0.64/26",
                "127.1.0.128/28",
                "127.1.0.144/30",
                "127.1.0.148/31",
                "127.1.0.150/32"
            ]
        );
        assert_eq!(cidrs(a("10.0.0.7"), a("10.0.0.7")), ["10.0.0.7/32"]);
        assert_eq!(cidrs(a("0.0.0.0"), a("255.255.255.255")), ["0.0.0.0/0"]);
    }

    #[test]
    fn coverage_names_gaps_and_overlaps() {
        assert_eq!(coverage(&mut [(50, 100), (0, 50)], 100), "every device once");
        assert_eq!(coverage(&mut [(0, 40), (50, 100)], 100), "devices 41..50 unserved");
        assert_eq!(
            coverage(&mut [(0, 60), (50, 90)], 100),
            "devices 51..60 served twice, devices 91..100 unserved"
        );
    }
}
