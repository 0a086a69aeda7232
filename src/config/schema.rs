//! The JSON Schema of the config, generated from the model's Rust types (draft-07, the version
//! yaml-language-server reads). `schemas/oktaform.schema.json` is this, committed.

use schemars::generate::SchemaSettings;

use super::model::Config;

/// The schema as pretty-printed JSON with a trailing newline.
pub fn json_schema() -> String {
    let generator = SchemaSettings::draft07().into_generator();
    let schema = generator.into_root_schema_for::<Config>();
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}
