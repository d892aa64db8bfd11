//! The scenario file format (RON): what happens to the UPS, and what must be seen. Described
//! with a complete annotated example in `scenarios/README.md`.

use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// Bundled model name or path to a model file (relative to the scenario file).
    pub model: String,
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// Virtual time to run, e.g. "2h".
    pub duration: String,
    /// Simulation step in `none` mode.
    #[serde(default = "default_dt")]
    pub dt: String,
    /// What the scenario needs beyond the twin; without it the scenario is skipped, saying so.
    #[serde(default)]
    pub needs: Vec<Need>,
    /// The reference card's settings file (RON, as `upstwin card --config` reads it),
    /// relative to the scenario: mail recipients, syslog, Wake-on-LAN targets, …. What the
    /// card sends goes to the runner's observers whatever addresses the file names.
    #[serde(default)]
    pub card_settings: Option<String>,
    #[serde(default)]
    pub initial: Initial,
    #[serde(default)]
    pub timeline: Vec<Event>,
    #[serde(default)]
    pub expect: Vec<Expectation>,
}

fn default_seed() -> u64 {
    1
}

fn default_dt() -> String {
    "100ms".into()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum Need {
    /// A card under test (`--card reference` or `--card exec:…`).
    Card,
    /// The reference card stack specifically (its API for card actions).
    ReferenceCard,
}

/// Where the run starts.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Initial {
    /// Load as a share of the active-power rating, %.
    pub load_pct: f64,
    /// Or per output phase, each as a share of that phase's part of the rating, %
    /// (unbalanced loads): `[80, 40, 60]`.
    pub phase_load_pct: Option<[f64; 3]>,
    /// Or a load profile CSV (`time_s,l1_kw[,l2_kw,l3_kw]`), relative to the scenario file.
    pub load_profile: Option<String>,
    /// The mode to start in: `OnInverter` (default), `Eco`, `OnBypass`, `Standby` or
    /// `LineInteractive` (given to the firmware as its command at 0 s).
    pub mode: Option<String>,
    pub power_factor: f64,
    pub ambient_c: f64,
    pub state_of_charge_pct: f64,
    pub state_of_health_pct: f64,
}

impl Default for Initial {
    fn default() -> Self {
        Self {
            load_pct: 50.0,
            phase_load_pct: None,
            load_profile: None,
            mode: None,
            power_factor: 0.9,
            ambient_c: 25.0,
            state_of_charge_pct: 100.0,
            state_of_health_pct: 100.0,
        }
    }
}

/// Something that happens: at a time, after another event, or when a condition holds.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Event {
    /// Name other events and expectations refer to.
    #[serde(default)]
    pub label: Option<String>,
    /// Virtual time, e.g. "90s".
    #[serde(default)]
    pub at: Option<String>,
    /// (label, delay): this long after that event.
    #[serde(default)]
    pub after: Option<(String, String)>,
    /// The first moment this condition holds, e.g. "battery.charge_pct < 30".
    #[serde(default)]
    pub when: Option<String>,
    #[serde(rename = "do")]
    pub action: Action,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub enum Action {
    /// A fault of the catalogue with its parameters.
    Fault(String, #[serde(default)] BTreeMap<String, f64>),
    Clear(String),
    /// A wire fault (needs a wire: `exec:` mode).
    WireFault(String, #[serde(default)] BTreeMap<String, f64>),
    ClearWireFault(String),
    /// A firmware command, as a card would send it.
    Command(String, #[serde(default)] BTreeMap<String, f64>),
    /// Load as a share of the rating, %.
    Load(f64),
    /// Follow a load profile CSV from now (relative to the scenario file).
    LoadProfile(String),
    /// Follow recorded mains from now: CSV `time_s,l1_v,l2_v,l3_v,frequency_hz`.
    MainsProfile(String),
    /// Ask the reference card through its API: `"POST /api/alarms/ack"` (needs the
    /// reference card).
    CardAction(String),
}

/// What must be seen. Exactly one of `that`, `always`, `never`, `probe`, `reports`,
/// `received`, `not_received`, `api`, `api_never`; the window is
/// `of`/`from` … `within`/`until` (default: the whole run).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expectation {
    #[serde(default)]
    pub label: Option<String>,
    /// Becomes true at some moment in the window.
    #[serde(default)]
    pub that: Option<String>,
    /// True all through the window.
    #[serde(default)]
    pub always: Option<String>,
    /// False all through the window.
    #[serde(default)]
    pub never: Option<String>,
    /// A command (run with the card's environment) whose output must contain a text at some
    /// moment in the window: how an external card's outputs are checked.
    #[serde(default)]
    pub probe: Option<Probe>,
    /// A value the card reports over Modbus TCP, SNMP or HTTP equals the twin's truth within
    /// a tolerance at some moment in the window.
    #[serde(default)]
    pub reports: Option<Reports>,
    /// An observer must receive this from the card in the window…
    #[serde(default)]
    pub received: Option<Received>,
    /// …or must not.
    #[serde(default)]
    pub not_received: Option<Received>,
    /// A value of the reference card's REST API passes a test at some moment in the window
    /// (needs: [ReferenceCard])…
    #[serde(default)]
    pub api: Option<Api>,
    /// …or at no moment.
    #[serde(default)]
    pub api_never: Option<Api>,
    /// The window starts at this event.
    #[serde(default)]
    pub of: Option<String>,
    /// …or at this time or event label.
    #[serde(default)]
    pub from: Option<String>,
    /// The window lasts this long…
    #[serde(default)]
    pub within: Option<String>,
    /// …or ends at this time or event label.
    #[serde(default)]
    pub until: Option<String>,
}

/// A value of the reference card's REST API: GET `get`, take the JSON value at `pointer`
/// (the whole body when empty) and test it with exactly one of `equals`, `contains`,
/// `at_least`, `at_most`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Api {
    pub get: String,
    #[serde(default)]
    pub pointer: String,
    /// The value as text is exactly this (a string without its quotes; `true`, `42`).
    #[serde(default)]
    pub equals: Option<String>,
    /// The value as text (arrays and objects as compact JSON) contains this. On a log's
    /// records (`/api/logs/…`) only those written since the window opened are looked at,
    /// unless `since_window: false`.
    #[serde(default)]
    pub contains: Option<String>,
    /// Whether `contains` on an array looks only at the items added since the window
    /// opened (default: for the logs, `/api/logs/…`, yes; for other arrays, no).
    #[serde(default)]
    pub since_window: Option<bool>,
    /// The number is at least this; an array's length counts as its number.
    #[serde(default)]
    pub at_least: Option<f64>,
    #[serde(default)]
    pub at_most: Option<f64>,
}

/// What an observer (a real protocol server the runner starts for the card) receives, by a
/// text it contains.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub enum Received {
    /// A syslog message (UDP or TCP, RFC 3164 or 5424) whose line contains this text.
    Syslog(String),
    /// A Wake-on-LAN magic packet for this MAC address (`00:11:22:33:44:55`).
    WakeOnLan(String),
    /// An SNMP trap or inform (v1, v2c) whose line — `v2c trap OID from ADDR community=C:
    /// OID = VALUE; …` — contains this text (a trap OID, a varbind value).
    SnmpTrap(String),
    /// A shutdown-protocol message heard by the scenario's shutdown agent (connected to the
    /// card as `upstwin agent` is), whose line — `warning: EVENT, shutdown in N s`,
    /// `shutdown: EVENT`, `cancel: EVENT`, ` (test)` after a test's — contains this text.
    Agent(String),
    /// An e-mail (SMTP, plain or STARTTLS) in which every part given contains its text.
    Mail {
        #[serde(default)]
        from: Option<String>,
        /// One of the recipients.
        #[serde(default)]
        to: Option<String>,
        #[serde(default)]
        subject: Option<String>,
        /// The text body, decoded (quoted-printable, base64); attachments' names count too.
        #[serde(default)]
        body: Option<String>,
        /// Sent over STARTTLS (`true`) or in clear (`false`).
        #[serde(default)]
        tls: Option<bool>,
    },
}

/// A value the card reports, read while the window is open, against the twin's truth.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reports {
    pub read: Read,
    /// The truth: a measurement such as `battery.charge_pct` or `input.voltage_v[1]`.
    pub truth: String,
    /// Largest accepted |reported − truth|, in the truth's unit.
    pub tolerance: f64,
    /// What the raw value read is multiplied by first (0.1 for a register in tenths).
    #[serde(default = "one")]
    pub scale: f64,
}

fn one() -> f64 {
    1.0
}

/// Where a reported value is read: the card's own servers, at the addresses the runner
/// gave it (`UPSTWIN_CARD_MODBUS`, `UPSTWIN_CARD_SNMP`, `UPSTWIN_CARD_HTTP`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub enum Read {
    /// Holding registers (function 03) of the card's Modbus TCP server; two words are read
    /// high word first.
    Modbus {
        address: u16,
        #[serde(default = "one_word")]
        words: u8,
        #[serde(default)]
        signed: bool,
        #[serde(default = "unit_one")]
        unit: u8,
    },
    /// An SNMP v2c GET of one object of the card's agent.
    Snmp {
        oid: String,
        #[serde(default = "public")]
        community: String,
    },
    /// An HTTP GET of a path on the card's web server; the number at a JSON pointer of the
    /// body (`/battery/charge_pct`), or the whole body when no pointer is given.
    Http {
        path: String,
        #[serde(default)]
        pointer: String,
    },
}

fn one_word() -> u8 {
    1
}

fn unit_one() -> u8 {
    1
}

fn public() -> String {
    "public".into()
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Probe {
    /// Shell command; `$UPSTWIN_*` variables are set (see README).
    pub run: String,
    pub contains: String,
}
