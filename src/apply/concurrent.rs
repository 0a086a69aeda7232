//! Two applies against one org at once undo each other (last writer wins, silently). Before
//! its first write an apply looks for another one, two ways, and says what it found:
//!
//! - **On this machine**: an advisory lock file per org in the temp directory (`flock`-style,
//!   released by the OS when the process ends, even on a crash). A second apply waits for the
//!   first, saying so, and gives up after [`LOCK_WAIT`]. It costs no API call.
//! - **From anywhere**: one System Log query for events written in the last
//!   [`RECENT`] (two minutes) by an oktaform whose run id (in its User-Agent) is not ours. Another CI job or a
//!   colleague's laptop shows up there — a warning, not a refusal: a finished run looks the same
//!   as a running one, and the user is the one who knows which.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::PathBuf;
use std::time::{Duration, Instant, SystemTime};

use crate::okta::types::LogEvent;
use crate::okta::{Client, Error, run_id};

/// How long a second apply on this machine waits for the first.
pub const LOCK_WAIT: Duration = Duration::from_secs(600);

/// How far back the System Log is searched for another run's writes: a run that wrote within
/// it may still be running (a long apply writes steadily; the log lags by seconds).
pub const RECENT: Duration = Duration::from_secs(120);

/// The lock of one org on this machine, held until dropped.
#[derive(Debug)]
pub struct OrgLock {
    _file: File,
}

/// Why the lock could not be taken.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error("cannot use the lock file {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "another oktaform apply against this org is still running on this machine ({holder}) after {}s of waiting; \
         nothing was changed. Let it finish, or stop it, then run apply again",
        waited.as_secs()
    )]
    StillHeld { holder: String, waited: Duration },
}

impl OrgLock {
    /// Takes the lock of `org`; while another process holds it, calls `waiting` once with what
    /// that process wrote into the lock file, and retries until [`LOCK_WAIT`] has passed.
    pub fn acquire(org: &str, waiting: impl FnOnce(&str)) -> Result<OrgLock, LockError> {
        Self::acquire_in(
            &std::env::temp_dir().join("oktaform-locks"),
            org,
            LOCK_WAIT,
            waiting,
        )
    }

    fn acquire_in(
        dir: &std::path::Path,
        org: &str,
        wait: Duration,
        waiting: impl FnOnce(&str),
    ) -> Result<OrgLock, LockError> {
        let digest = ring::digest::digest(&ring::digest::SHA256, org.as_bytes());
        let name: String = digest.as_ref()[..8]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let path = dir.join(format!("{name}.lock"));
        let io = |source| LockError::Io {
            path: path.clone(),
            source,
        };
        std::fs::create_dir_all(dir).map_err(io)?;
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(io)?;
        let started = Instant::now();
        let mut waiting = Some(waiting);
        loop {
            match file.try_lock() {
                Ok(()) => break,
                Err(TryLockError::WouldBlock) => {
                    let mut holder = String::new();
                    let _ = file.read_to_string(&mut holder);
                    let _ = file.rewind();
                    let holder = holder.trim().to_string();
                    if started.elapsed() >= wait {
                        return Err(LockError::StillHeld {
                            holder,
                            waited: started.elapsed(),
                        });
                    }
                    if let Some(waiting) = waiting.take() {
                        waiting(&holder);
                    }
                    std::thread::sleep(Duration::from_millis(200));
                }
                Err(TryLockError::Error(e)) => return Err(io(e)),
            }
        }
        let since = humantime::format_rfc3339_seconds(SystemTime::now());
        let note = format!(
            "pid {}, run {}, since {since}, org {org}",
            std::process::id(),
            run_id()
        );
        file.set_len(0).map_err(io)?;
        file.write_all(note.as_bytes()).map_err(io)?;
        file.flush().map_err(io)?;
        Ok(OrgLock { _file: file })
    }
}

/// Another oktaform run's recent writes, as the System Log shows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OtherRun {
    /// Its run id, or the User-Agent when it has none (an older oktaform).
    pub run: String,
    pub events: usize,
    pub last: String,
    pub actor: Option<String>,
    pub ip: Option<String>,
}

impl std::fmt::Display for OtherRun {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "oktaform run {} wrote {} change{} to this org, the last at {}",
            self.run,
            self.events,
            if self.events == 1 { "" } else { "s" },
            self.last
        )?;
        if let Some(actor) = &self.actor {
            write!(f, ", as {actor}")?;
        }
        if let Some(ip) = &self.ip {
            write!(f, " from {ip}")?;
        }
        Ok(())
    }
}

/// Other oktaform runs that wrote to the org in the last [`RECENT`] (one System Log request).
pub async fn other_runs(client: &Client) -> Result<Vec<OtherRun>, Error> {
    let since = humantime::format_rfc3339_seconds(SystemTime::now() - RECENT).to_string();
    let events = client.oktaform_events(&since).await?;
    Ok(group_by_run(&events, run_id()))
}

fn group_by_run(events: &[LogEvent], ours: &str) -> Vec<OtherRun> {
    let mut runs: Vec<OtherRun> = Vec::new();
    for event in events {
        let Some(agent) = event
            .client
            .as_ref()
            .and_then(|c| c.user_agent.as_ref())
            .and_then(|u| u.raw_user_agent.as_deref())
        else {
            continue;
        };
        let run = agent
            .split_once("(run ")
            .and_then(|(_, rest)| rest.split(')').next())
            .unwrap_or(agent)
            .to_string();
        if run == ours {
            continue;
        }
        match runs.iter_mut().find(|r| r.run == run) {
            Some(known) => {
                known.events += 1;
                if event.published > known.last {
                    known.last = event.published.clone();
                }
            }
            None => runs.push(OtherRun {
                run,
                events: 1,
                last: event.published.clone(),
                actor: event
                    .actor
                    .as_ref()
                    .and_then(|a| a.alternate_id.clone().or(a.display_name.clone())),
                ip: event.client.as_ref().and_then(|c| c.ip_address.clone()),
            }),
        }
    }
    runs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_holder_waits_is_told_who_holds_it_and_gives_up_in_time() {
        let dir = tempfile::tempdir().unwrap();
        let first = OrgLock::acquire_in(dir.path(), "https://acme.okta.com", LOCK_WAIT, |_| {
            panic!("free")
        })
        .unwrap();
        let mut told = String::new();
        let error = OrgLock::acquire_in(
            dir.path(),
            "https://acme.okta.com",
            Duration::from_millis(300),
            |holder| told = holder.to_string(),
        )
        .unwrap_err();
        assert!(
            told.contains(&format!("pid {}", std::process::id())),
            "{told}"
        );
        assert!(matches!(error, LockError::StillHeld { .. }), "{error}");
        // Another org is not held; and once the first is dropped, the org is free again.
        OrgLock::acquire_in(dir.path(), "https://other.okta.com", LOCK_WAIT, |_| {
            panic!("free")
        })
        .unwrap();
        drop(first);
        OrgLock::acquire_in(dir.path(), "https://acme.okta.com", LOCK_WAIT, |_| {
            panic!("free")
        })
        .unwrap();
    }

    #[test]
    fn other_runs_are_told_apart_from_ours_by_the_run_id_in_the_user_agent() {
        let event = |agent: &str, at: &str| -> LogEvent {
            serde_json::from_value(serde_json::json!({
                "published": at, "eventType": "application.user_membership.add",
                "actor": {"id": "00u1", "type": "User", "alternateId": "ci@example.com"},
                "client": {"userAgent": {"rawUserAgent": agent}, "ipAddress": "10.0.0.7"}
            }))
            .unwrap()
        };
        let events = [
            event("oktaform/0.1.0 (run aaaa0001)", "2026-12-01T10:00:00.000Z"),
            event("oktaform/0.1.0 (run bbbb0002)", "2026-12-01T10:00:01.000Z"),
            event("oktaform/0.1.0 (run bbbb0002)", "2026-12-01T10:00:03.000Z"),
        ];
        let runs = group_by_run(&events, "aaaa0001");
        assert_eq!(runs.len(), 1, "{runs:?}");
        assert_eq!(
            runs[0].to_string(),
            "oktaform run bbbb0002 wrote 2 changes to this org, the last at 2026-12-01T10:00:03.000Z, as ci@example.com from 10.0.0.7"
        );
    }
}
