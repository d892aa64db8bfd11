//! The authorization table: every route the card serves × every method it answers × {no
//! session, read-only, read/write, administrator}. The routes come from the router itself
//! (`web::routes`), so a route added without a row here fails the test; and no route shows
//! a secret of the settings to anyone but the administrator.

use super::accounts::{ADMIN, Level, Store};
use super::{Site, cookies, gate::CSRF_HEADER, role_of};
use crate::clock::Clock;
use crate::config::Config;
use crate::config::{AuthProtocol, PrivProtocol, SecurityLevel, SnmpUser};
use crate::link::Link;
use crate::stack::Stack;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use tower::ServiceExt;

/// Who may: the answer each caller gets, by kind.
#[derive(Debug, Clone, Copy, PartialEq)]
enum May {
    /// Anyone, logged in or not.
    Anyone,
    /// Any logged-in user.
    LoggedIn,
    /// Read/write users and the administrator.
    Writer,
    /// The administrator only.
    Admin,
}

use May::*;

/// Every (method, path) the card serves and who may use it. A parameter is filled by
/// `sample`.
const TABLE: &[(&str, &str, May)] = &[
    ("GET", "/login", Anyone),
    ("POST", "/login", Anyone),
    ("GET", "/favicon.ico", Anyone),
    ("POST", "/logout", LoggedIn),
    ("GET", "/password", LoggedIn),
    ("POST", "/password", LoggedIn),
    ("GET", "/", LoggedIn),
    ("GET", "/alarms", LoggedIn),
    ("POST", "/alarms/ack", Writer),
    ("GET", "/clients", LoggedIn),
    ("GET", "/dashboard", LoggedIn),
    ("GET", "/realtime", LoggedIn),
    ("GET", "/ups/battery-test", LoggedIn),
    ("POST", "/ups/battery-test", Writer),
    ("GET", "/ups/power-share", Admin),
    ("POST", "/ups/power-share", Admin),
    ("GET", "/card/users", Admin),
    ("POST", "/card/users", Admin),
    ("GET", "/card/https", LoggedIn),
    ("GET", "/ups/control", LoggedIn),
    ("POST", "/ups/control", Writer),
    ("GET", "/card/configuration", LoggedIn),
    ("POST", "/card/configuration", Writer),
    ("GET", "/history/save", Writer),
    ("GET", "/history/{name}", LoggedIn),
    ("POST", "/history/{name}/clear", Writer),
    ("GET", "/api/status", LoggedIn),
    ("GET", "/api/flags", LoggedIn),
    ("GET", "/api/view", LoggedIn),
    ("GET", "/api/alarms", LoggedIn),
    ("POST", "/api/alarms/ack", Writer),
    ("GET", "/api/controls", LoggedIn),
    ("POST", "/api/controls/{name}", Writer),
    ("GET", "/api/battery-test", LoggedIn),
    ("POST", "/api/traps/test", Writer),
    ("POST", "/api/mail/test", Writer),
    ("POST", "/api/wake-on-lan/test", Writer),
    ("GET", "/api/shutdown", LoggedIn),
    ("POST", "/api/shutdown/test", Writer),
    ("GET", "/api/clients", LoggedIn),
    ("GET", "/api/schedules", LoggedIn),
    ("PUT", "/api/schedules", Writer),
    ("GET", "/api/logs", LoggedIn),
    ("GET", "/api/logs/{name}", LoggedIn),
    ("DELETE", "/api/logs/{name}", Writer),
    ("GET", "/api/config", LoggedIn),
    ("PUT", "/api/config", Admin),
    ("PATCH", "/api/config", Writer),
    ("GET", "/api/config/schema", LoggedIn),
    ("GET", "/api/config/backup", Admin),
    ("POST", "/api/config/factory-reset", Admin),
    ("GET", "/api/mib", LoggedIn),
    ("GET", "/api/https/certificate", LoggedIn),
    ("PUT", "/api/https/certificate", Admin),
    ("GET", "/api/users", Admin),
    ("PUT", "/api/users/{name}", Admin),
    ("DELETE", "/api/users/{name}", Admin),
];

/// The settings pages and the pages' files are many paths of one kind each.
fn kind_of(path: &str) -> Option<May> {
    if path.starts_with("/assets/") {
        return Some(Anyone);
    }
    let settings = super::pages::settings_paths();
    settings.contains(&path).then_some(LoggedIn)
}

fn sample(path: &str) -> String {
    let name =
        if path.starts_with("/api/logs/") || path.starts_with("/history/") { "events" } else { "nosuch" };
    path.replace("{name}", name)
}

const SECRETS: [&str; 6] = [
    "mail-pw-SECRET",
    "write-SECRET",
    "read-SECRET",
    "agents-SECRET-0123456789",
    "auth-SECRET",
    "priv-SECRET",
];

fn config() -> Config {
    let mut config = Config::default();
    config.mail.password = SECRETS[0].into();
    config.snmp.write_community = SECRETS[1].into();
    config.snmp.read_community = SECRETS[2].into();
    config.shutdown.agents.secret = SECRETS[3].into();
    config.snmp.users.push(SnmpUser {
        name: "nms".into(),
        level: SecurityLevel::AuthPriv,
        auth_protocol: AuthProtocol::Sha,
        auth_password: SECRETS[4].into(),
        priv_protocol: PrivProtocol::Aes,
        priv_password: SECRETS[5].into(),
    });
    config
}

/// A card with an administrator and one user of each level, and nothing to poll.
fn site(dir: &std::path::Path) -> Site {
    // Sessions are opened directly (`login`): the passwords only need to pass the policy.
    let mut accounts = Store::open(None, "Admin#Pass2026", 0).unwrap();
    accounts.put_user("reader", Level::ReadOnly, Some("Reader#Pass2026"), false, 0).unwrap();
    accounts.put_user("writer", Level::ReadWrite, Some("Writer#Pass2026"), false, 0).unwrap();
    let link = Link::Tcp(([127, 0, 0, 1], 9).into());
    Stack::new(link, Clock::system(), config(), dir).accounts(accounts).build().unwrap().site
}

/// A session for `user` (none: no cookie); its cookie and CSRF token.
fn login(site: &Site, user: Option<&str>) -> Option<(String, String)> {
    let user = user?;
    let mut web = site.web.lock();
    let role = role_of(web.accounts.as_ref().unwrap().find(user).unwrap());
    let session = web.sessions.open(user, role, false, site.card.lock().clock.now_s());
    Some((session.token.clone(), session.csrf.clone()))
}

/// Whether the answer lets the caller in: neither a login (401, the gate's redirect to the
/// login page) nor 403. (Logging out also ends on the login page, saying so.)
fn let_in(status: StatusCode, location: Option<&str>) -> bool {
    let to_login = status.is_redirection() && location == Some("/login");
    !(status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN || to_login)
}

async fn ask(
    site: &Site,
    method: &Method,
    path: &str,
    user: Option<&str>,
) -> (StatusCode, Option<String>, String) {
    let session = login(site, user);
    let mut request = Request::builder().method(method).uri(sample(path));
    if let Some((token, csrf)) = &session {
        request = request
            .header(header::COOKIE, format!("{}={token}", cookies::SESSION))
            .header(CSRF_HEADER, csrf.as_str());
    }
    let response = super::app(site.clone(), super::Transport::Http { https_port: None })
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let location = response.headers().get(header::LOCATION).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let body = axum::body::to_bytes(response.into_body(), 4 << 20).await.unwrap();
    (status, location, String::from_utf8_lossy(&body).into_owned())
}

const USERS: [(Option<&str>, u8); 4] =
    [(None, 0), (Some("reader"), 1), (Some("writer"), 2), (Some(ADMIN), 3)];
const METHODS: [Method; 5] = [Method::GET, Method::POST, Method::PUT, Method::PATCH, Method::DELETE];

#[tokio::test]
async fn every_route_answers_each_role_as_the_table_says() {
    let dir = std::env::temp_dir().join(format!("upstwin-authz-{}", std::process::id()));
    let site = site(&dir);
    let paths = super::routes().paths().to_vec();
    let mut wrong = Vec::new();
    let mut rows_seen = Vec::new();
    for path in &paths {
        for method in &METHODS {
            let row = TABLE.iter().find(|(m, p, _)| *m == method.as_str() && p == path);
            let may =
                row.map(|(_, _, may)| *may).or(if *method == Method::GET { kind_of(path) } else { None });
            let (status, ..) = ask(&site, method, path, Some(ADMIN)).await;
            let routed = status != StatusCode::METHOD_NOT_ALLOWED;
            let Some(may) = may else {
                if routed {
                    wrong.push(format!("{method} {path}: served ({status}) but not in the table"));
                }
                continue;
            };
            if !routed {
                wrong.push(format!("{method} {path}: in the table but not served"));
                continue;
            }
            rows_seen.push((method.as_str().to_owned(), *path));
            for (user, rank) in USERS {
                let allowed = match may {
                    Anyone => true,
                    LoggedIn => rank >= 1,
                    Writer => rank >= 2,
                    Admin => rank == 3,
                };
                let (status, location, _) = ask(&site, method, path, user).await;
                if let_in(status, location.as_deref()) != allowed {
                    let who = user.unwrap_or("no session");
                    wrong.push(format!("{method} {path} as {who}: {status} {location:?}, expected {may:?}"));
                }
            }
        }
    }
    for (method, path, _) in TABLE {
        if !rows_seen.iter().any(|(m, p)| m == method && p == path) && !wrong.iter().any(|w| w.contains(path))
        {
            wrong.push(format!("{method} {path}: in the table but no route has this path"));
        }
    }
    println!(
        "{} paths of the router × {} methods: {} served, each asked as {} users",
        paths.len(),
        METHODS.len(),
        rows_seen.len(),
        USERS.len()
    );
    assert!(wrong.is_empty(), "{} wrong:\n{}", wrong.len(), wrong.join("\n"));
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn no_route_shows_a_secret_to_anyone_but_the_administrator() {
    let dir = std::env::temp_dir().join(format!("upstwin-secrets-{}", std::process::id()));
    let site = site(&dir);
    let mut leaks = Vec::new();
    for path in super::routes().paths() {
        for user in ["reader", "writer"] {
            let (_, _, body) = ask(&site, &Method::GET, path, Some(user)).await;
            for secret in SECRETS.iter().filter(|s| body.contains(**s)) {
                leaks.push(format!("GET {path} as {user} shows {secret}"));
            }
        }
    }
    assert!(leaks.is_empty(), "{}", leaks.join("\n"));
    // The administrator's backup holds them all: the check above can see a secret.
    let (status, _, backup) = ask(&site, &Method::GET, "/api/config/backup", Some(ADMIN)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(SECRETS.iter().all(|s| backup.contains(s)), "{backup}");
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn a_restored_file_that_would_lock_its_sender_out_is_refused() {
    use crate::config::{FirewallAction, FirewallRule};
    use axum::extract::ConnectInfo;
    let dir = std::env::temp_dir().join(format!("upstwin-lockout-{}", std::process::id()));
    let site = site(&dir);
    let mut locked = config();
    locked.firewall.enabled = true;
    let rule = FirewallRule {
        address: "10.9.9.9".parse().unwrap(),
        prefix_length: 32,
        action: FirewallAction::Accept,
    };
    locked.firewall.rules.push(rule);
    let (token, csrf) = login(&site, Some(ADMIN)).unwrap();
    let put = |body: String| {
        let mut request = Request::put("/api/config")
            .header(header::COOKIE, format!("{}={token}", cookies::SESSION))
            .header(CSRF_HEADER, csrf.as_str())
            .body(Body::from(body))
            .unwrap();
        let peer: std::net::SocketAddr = ([10, 0, 0, 5], 40000).into();
        request.extensions_mut().insert(ConnectInfo(peer));
        super::app(site.clone(), super::Transport::Http { https_port: None }).oneshot(request)
    };
    let answer = put(locked.to_text()).await.unwrap();
    assert_eq!(answer.status(), StatusCode::CONFLICT);
    assert!(!site.card.lock().config.firewall.enabled, "nothing changed");
    // The same file with the sender's address accepted first is taken.
    let rule = FirewallRule {
        address: "10.0.0.5".parse().unwrap(),
        prefix_length: 32,
        action: FirewallAction::Accept,
    };
    locked.firewall.rules.insert(0, rule);
    assert_eq!(put(locked.to_text()).await.unwrap().status(), StatusCode::OK);
    let _ = std::fs::remove_dir_all(dir);
}

/// Polls `future` once: whether it finished at once.
async fn ready_at_once<F: std::future::Future>(future: std::pin::Pin<&mut F>) -> bool {
    let mut future = future;
    std::future::poll_fn(|cx| std::task::Poll::Ready(future.as_mut().poll(cx).is_ready())).await
}

#[tokio::test]
async fn the_password_check_runs_off_the_runtime_thread_and_a_verified_one_is_remembered() {
    use super::authenticate::authenticate;
    let dir = std::env::temp_dir().join(format!("upstwin-argon-{}", std::process::id()));
    let site = site(&dir);
    let from = "10.0.0.5".parse().unwrap();
    // Argon2 on the runtime thread would finish within the first poll.
    let mut check = std::pin::pin!(authenticate(&site, from, "reader", "Reader#Pass2026"));
    assert!(!ready_at_once(check.as_mut()).await, "the check waited on the blocking pool");
    assert_eq!(check.await.map(|who| who.user), Ok("reader".to_owned()));
    let mut again = std::pin::pin!(authenticate(&site, from, "reader", "Reader#Pass2026"));
    assert!(ready_at_once(again.as_mut()).await, "verified lately: no Argon2");
    let mut wrong = std::pin::pin!(authenticate(&site, from, "reader", "Reader#Pass2027"));
    assert!(!ready_at_once(wrong.as_mut()).await, "another password is checked");
    assert_eq!(wrong.await, Err(super::authenticate::Denied::Wrong));
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn many_requests_with_one_right_password_at_once_cost_one_check_and_no_wait() {
    use super::authenticate::authenticate;
    let dir = std::env::temp_dir().join(format!("upstwin-burst-{}", std::process::id()));
    let site = site(&dir);
    let from: std::net::IpAddr = "10.0.0.5".parse().unwrap();
    // 20 connections open at once with the same credentials, none verified yet.
    let checks: Vec<_> = (0..20)
        .map(|_| {
            let site = site.clone();
            tokio::spawn(async move {
                authenticate(&site, from, "writer", "Writer#Pass2026").await.map(|w| w.user)
            })
        })
        .collect();
    for check in checks {
        assert_eq!(check.await.unwrap(), Ok("writer".to_owned()), "none refused, none made to wait");
    }
    assert_eq!(site.web.lock().throttle.wait_s(from, 0.0), None, "no failure counted");
    let _ = std::fs::remove_dir_all(dir);
}
