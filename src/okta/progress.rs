//! What long work tells the person waiting for it: a small observer the client, the read and
//! apply report to, with no idea how (or whether) it is shown — `render::progress` draws it on
//! a terminal; everywhere else nobody listens.

use std::sync::Arc;
use std::time::Duration;

/// One thing that happened.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// A read of `apps` apps started.
    Reading { apps: usize },
    /// A read finished; the line may go.
    ReadDone,
    /// The client has sent `sent` requests, `answered` of them answered (pages included).
    Requests { sent: u64, answered: u64 },
    /// A request waits for a rate-limit bucket to reset, `left` from now.
    RateLimitWait { bucket: String, left: Duration },
    /// Apply: `done` writes of `total` are finished.
    Writes { done: usize, total: usize },
    /// Apply finished.
    WritesDone,
}

/// Someone listening.
pub trait Observer: Send + Sync {
    fn event(&self, event: Event);
}

/// A handle to an observer, or to nobody.
#[derive(Clone, Default)]
pub struct Progress(Option<Arc<dyn Observer>>);

impl std::fmt::Debug for Progress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() {
            "Progress(observed)"
        } else {
            "Progress(none)"
        })
    }
}

impl Progress {
    pub fn new(observer: Arc<dyn Observer>) -> Progress {
        Progress(Some(observer))
    }

    /// Nobody listens.
    pub fn none() -> Progress {
        Progress(None)
    }

    pub fn event(&self, event: Event) {
        if let Some(o) = &self.0 {
            o.event(event);
        }
    }
}
