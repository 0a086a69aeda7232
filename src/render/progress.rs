//! The progress line: on a terminal, one line on stderr for reads and writes that take longer
//! than [`SHOW_AFTER`] — apps being read and requests answered (pages included), writes done of
//! those to do, and rate-limit waits with the time left. Nothing on a pipe or with `--quiet`,
//! and never on stdout, so `--format json` output stays clean. Drawn by indicatif.

use std::io::IsTerminal;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::okta::progress::{Event, Observer, Progress};

/// Work shorter than this shows no line.
pub const SHOW_AFTER: Duration = Duration::from_millis(300);

/// The observer for a command: a line on stderr when it is a terminal and not `quiet`.
pub fn for_stderr(quiet: bool) -> Progress {
    if quiet || !std::io::stderr().is_terminal() {
        Progress::none()
    } else {
        Progress::new(Arc::new(Line::new(ProgressDrawTarget::stderr())))
    }
}

/// What the line says, from the events so far.
#[derive(Debug, Default, Clone, PartialEq)]
struct Status {
    apps: Option<usize>,
    sent: u64,
    answered: u64,
    writes: Option<(usize, usize)>,
    /// A rate-limit wait: the bucket and when it ends.
    wait: Option<(String, Instant)>,
}

impl Status {
    fn apply(&mut self, event: Event) {
        match event {
            Event::Reading { apps } => {
                *self = Status {
                    apps: Some(apps),
                    ..Status::default()
                };
            }
            Event::Requests { sent, answered } => {
                self.sent = sent;
                self.answered = answered;
                self.wait = self.wait.take().filter(|(_, end)| *end > Instant::now());
            }
            Event::RateLimitWait { bucket, left } => {
                self.wait = Some((bucket, Instant::now() + left));
            }
            Event::Writes { done, total } => self.writes = Some((done, total)),
            Event::ReadDone | Event::WritesDone => *self = Status::default(),
        }
    }

    /// The line's text.
    fn text(&self, now: Instant) -> String {
        let mut parts = Vec::new();
        match (self.writes, self.apps) {
            (Some((done, total)), _) => {
                parts.push(format!("applying: {done}/{total} changes written"))
            }
            (None, Some(apps)) => parts.push(format!(
                "reading {apps} app{}: {} of {} requests answered",
                if apps == 1 { "" } else { "s" },
                self.answered,
                self.sent
            )),
            (None, None) => parts.push(format!(
                "{} of {} requests answered",
                self.answered, self.sent
            )),
        }
        if let Some((bucket, end)) = &self.wait {
            let left = end.saturating_duration_since(now);
            if !left.is_zero() {
                parts.push(format!(
                    "waiting {}s for Okta's rate limit ({bucket})",
                    left.as_secs_f64().ceil() as u64
                ));
            }
        }
        parts.join(" · ")
    }
}

/// The line: shown once work has lasted [`SHOW_AFTER`] (or a wait is longer), cleared when
/// the read or apply ends.
struct Line {
    target: Mutex<Option<ProgressDrawTarget>>,
    state: Mutex<(Status, Option<ProgressBar>, Instant)>,
}

impl Line {
    fn new(target: ProgressDrawTarget) -> Line {
        Line {
            target: Mutex::new(Some(target)),
            state: Mutex::new((Status::default(), None, Instant::now())),
        }
    }
}

impl Observer for Line {
    fn event(&self, event: Event) {
        let ends = matches!(event, Event::ReadDone | Event::WritesDone);
        let long_wait = matches!(&event, Event::RateLimitWait { left, .. } if *left > SHOW_AFTER);
        let starts = matches!(event, Event::Reading { .. });
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let (status, bar, since) = &mut *state;
        if starts {
            *since = Instant::now();
        }
        status.apply(event);
        if ends {
            if let Some(bar) = bar.take() {
                bar.finish_and_clear();
                // A new bar draws to the same terminal next time.
                *self.target.lock().unwrap_or_else(|e| e.into_inner()) =
                    Some(ProgressDrawTarget::stderr());
            }
            *since = Instant::now();
            return;
        }
        if bar.is_none() && (since.elapsed() >= SHOW_AFTER || long_wait) {
            let target = self
                .target
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .take()
                .unwrap_or_else(ProgressDrawTarget::stderr);
            let new = ProgressBar::with_draw_target(None, target);
            new.set_style(
                ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            new.enable_steady_tick(Duration::from_millis(200));
            *bar = Some(new);
        }
        if let Some(bar) = bar {
            bar.set_message(status.text(Instant::now()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn says_what_is_read_written_and_waited_for() {
        let mut status = Status::default();
        status.apply(Event::Reading { apps: 25 });
        status.apply(Event::Requests {
            sent: 40,
            answered: 31,
        });
        let now = Instant::now();
        assert_eq!(
            status.text(now),
            "reading 25 apps: 31 of 40 requests answered"
        );
        status.apply(Event::RateLimitWait {
            bucket: "/api/v1/apps".into(),
            left: Duration::from_secs(12),
        });
        assert_eq!(
            status.text(Instant::now()),
            "reading 25 apps: 31 of 40 requests answered · waiting 12s for Okta's rate limit (/api/v1/apps)"
        );
        status.apply(Event::ReadDone);
        status.apply(Event::Writes {
            done: 120,
            total: 300,
        });
        assert_eq!(
            status.text(Instant::now()),
            "applying: 120/300 changes written"
        );
    }

    #[test]
    fn short_work_draws_nothing_and_the_line_goes_at_the_end() {
        let line = Line::new(ProgressDrawTarget::hidden());
        line.event(Event::Reading { apps: 1 });
        line.event(Event::Requests {
            sent: 1,
            answered: 1,
        });
        assert!(line.state.lock().unwrap().1.is_none(), "shown too early");
        line.event(Event::RateLimitWait {
            bucket: "/api/v1".into(),
            left: Duration::from_secs(5),
        });
        assert!(line.state.lock().unwrap().1.is_some(), "a long wait shows");
        line.event(Event::ReadDone);
        assert!(line.state.lock().unwrap().1.is_none(), "cleared at the end");
    }
}
