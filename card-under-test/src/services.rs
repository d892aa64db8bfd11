//! The services that send what the card raises and logs, each at its own pace: mail,
//! syslog, and shutdown management. (The trap sender starts with the SNMP agent, which owns
//! the v3 engine; the agents' listener with its socket.)

use crate::run::Shared;
use crate::shutdown::Shutdown;
use tokio::task::JoinSet;

pub fn spawn(shared: &Shared, shutdown: &Shutdown, tasks: &mut JoinSet<()>) {
    tasks.spawn(crate::mail::send(shared.clone()));
    tasks.spawn(crate::syslog::send(shared.clone()));
    tasks.spawn(crate::shutdown::run(shared.clone(), shutdown.clone()));
}
