//! `plan`: the desired state (config) against the live state (read from Okta) → typed changes.
//!
//! Nothing here talks HTTP: the live state comes in as data ([`live`]), so the diff is tested
//! without a network and the same engine serves plan, apply and drift.

pub mod attribute;
