//! `render`: what people and machines read — diagnostics, plans, reports.
pub mod check;
pub mod diagnostics;
pub mod plan;
pub mod report;
pub mod drift;
pub mod graph;
pub mod progress;
