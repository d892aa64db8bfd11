//! What a published OpenAPI document must be, for the twin's control API and the fleet's:
//! valid OpenAPI 3 (openapi-spec-validator, PyPI), every route it lists served and answering
//! JSON, each with an example, and its Markdown rendering in docs/ current.

use serde_json::Value;
use std::process::Command;

/// Checks `document` (served at `base`) lists exactly `expected` paths, that each listed
/// route answers (no 405, a JSON body: `{name}`-like parameters are filled with `no_such`,
/// numeric ones with 0, bodies are `{}`), that each has an example, that it validates, and
/// that `upstwin openapi ARGS --markdown` prints `reference` (a path in the repository).
pub fn check(document: &Value, base: &str, expected: &[&str], args: &[&str], reference: &str) {
    assert!(document["openapi"].as_str().is_some_and(|v| v.starts_with("3.")), "{document}");
    let paths = document["paths"].as_object().expect("paths");
    let mut listed: Vec<&str> = paths.keys().map(String::as_str).collect();
    listed.sort();
    assert_eq!(listed, expected);
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
    for (path, item) in paths {
        for (method, operation) in item.as_object().unwrap() {
            let url = format!("{base}{}", path.replace("{name}", "no_such_name").replace("{id}", "0"));
            let answer = match method.as_str() {
                "get" => agent.get(&url).call(),
                "post" => agent.post(&url).send("{}"),
                "delete" => agent.delete(&url).call(),
                other => panic!("{other} {path}: a method the test does not know"),
            };
            let mut answer = answer.unwrap();
            let status = answer.status().as_u16();
            let body = answer.body_mut().read_to_string().unwrap();
            println!("{method} {path}: {status} {}", body.chars().take(80).collect::<String>());
            assert_ne!(status, 405, "{method} {path} is served");
            if path != "/metrics" {
                assert!(serde_json::from_str::<Value>(&body).is_ok(), "{method} {path} answers JSON");
            }
            if path != "/api/openapi.json" {
                assert!(operation.to_string().contains("\"example\""), "{method} {path} has an example");
                // The token, when the server has one, or nothing; without it, 401.
                let token_or_none = serde_json::json!([{ "token": [] }, {}]);
                assert_eq!(operation["security"], token_or_none, "{method} {path} says it takes the token");
                assert!(operation["responses"]["401"].is_object(), "{method} {path} documents its 401");
            }
        }
    }
    validate(document);
    let rendered = Command::new(env!("CARGO_BIN_EXE_upstwin"))
        .arg("openapi")
        .args(args)
        .arg("--markdown")
        .output()
        .expect("upstwin openapi runs");
    let written = std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(reference))
        .unwrap_or_default();
    assert_eq!(
        String::from_utf8_lossy(&rendered.stdout),
        written,
        "{reference} is stale: upstwin openapi {} --markdown > {reference}",
        args.join(" ")
    );
}

/// Validates `document` as OpenAPI 3 with openapi-spec-validator (scripts/test installs it;
/// under CI=true its absence fails the test).
fn validate(document: &Value) {
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), document.to_string()).unwrap();
    let installed = Command::new("python3")
        .args(["-c", "import openapi_spec_validator"])
        .status()
        .is_ok_and(|s| s.success());
    if !installed {
        assert!(
            !std::env::var("CI").is_ok_and(|v| v == "true"),
            "openapi-spec-validator is missing: pip install openapi-spec-validator (scripts/test does)"
        );
        eprintln!(
            "SKIPPED the validation: openapi-spec-validator is not installed; scripts/test installs it"
        );
        return;
    }
    let validator = "from openapi_spec_validator import validate; import json, sys; validate(json.load(open(sys.argv[1])))";
    let output = Command::new("python3").args(["-c", validator]).arg(file.path()).output().unwrap();
    assert!(output.status.success(), "not valid OpenAPI: {}", String::from_utf8_lossy(&output.stderr));
}

/// A request refused for want of the token got what `document` says a 401 of `path`'s GET
/// carries.
pub fn refused_as_documented(document: &Value, path: &str, body: &str) {
    let documented =
        &document["paths"][path]["get"]["responses"]["401"]["content"]["application/json"]["example"];
    let answered: Value = serde_json::from_str(body).expect("a 401 answers JSON");
    assert_eq!(&answered, documented, "GET {path} without the token");
}
