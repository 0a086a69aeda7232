//! `plan`: the desired state (config) against the live state (read from Okta) → typed changes.
//!
//! Nothing here talks HTTP: the live state comes in as data ([`live`]), so the diff is tested
//! without a network and the same engine serves plan, apply and drift.

pub mod attribute;
pub mod change;
pub mod diff;
pub mod live;
pub mod saved;
#[cfg(test)]
pub(crate) mod testing;

pub use change::{Action, Change, Direction, Note, Op, Risk, Subject};
pub use diff::{Changes, DiffError, diff};
pub use live::LiveOrg;
pub use saved::{Plan, SavedPlan, Summary};
