//! `config`: YAML files → the desired state, typed, located and validated offline.
//!
//! [`load`] reads and merges files into a [`Config`] (positions on every value, see
//! [`located`]); [`validate()`] checks it as a whole before anything touches the network.

pub mod diagnostic;
pub mod expression;
pub mod interpolate;
pub mod load;
pub mod located;
pub mod model;
pub mod preset;
pub mod schema;
pub mod validate;

pub use diagnostic::{Code, Diagnostic, Severity};
pub use load::Sources;
pub use located::{FileId, Loc, Pos};
pub use model::Config;
pub use validate::validate;

use std::path::PathBuf;

/// Reads and merges the files ([`load::load`]), then fills in what the apps' `preset:` gives
/// ([`preset::apply`]); the presets' text joins the sources, so a diagnostic can point into
/// a preset and a saved plan goes stale when a preset changes.
pub fn load(paths: &[PathBuf]) -> (Sources, Result<Config, Vec<Diagnostic>>) {
    let (mut sources, loaded) = load::load(paths);
    let loaded = loaded.and_then(|mut config| {
        let errors = preset::apply(&mut config, &mut sources);
        if errors.is_empty() {
            Ok(config)
        } else {
            Err(errors)
        }
    });
    (sources, loaded)
}
