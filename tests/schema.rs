//! The committed JSON Schema is the one the Rust types generate, and every example passes it.

use std::path::Path;

const SCHEMA_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/schemas/oktaform.schema.json");

#[test]
fn committed_schema_is_current() {
    let generated = oktaform::config::schema::json_schema();
    let committed = std::fs::read_to_string(SCHEMA_PATH).unwrap_or_default();
    if generated != committed {
        if std::env::var_os("OKTAFORM_BLESS").is_some() {
            std::fs::write(SCHEMA_PATH, &generated).unwrap();
            return;
        }
        panic!(
            "schemas/oktaform.schema.json is stale: regenerate it with \
             `cargo run -- schema > schemas/oktaform.schema.json` (or OKTAFORM_BLESS=1 cargo test --test schema)"
        );
    }
}

fn examples() -> Vec<std::path::PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    assert!(
        files.len() >= 4,
        "expected the four examples, found {files:?}"
    );
    files
}

#[test]
fn every_example_passes_the_json_schema() {
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(SCHEMA_PATH).unwrap()).unwrap();
    let validator = jsonschema::draft7::new(&schema).expect("the schema itself is valid draft-07");
    for path in examples() {
        let text = std::fs::read_to_string(&path).unwrap();
        let document: serde_json::Value =
            serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let errors: Vec<String> = validator
            .iter_errors(&document)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(
            errors.is_empty(),
            "{}:\n{}",
            path.display(),
            errors.join("\n")
        );
    }
}

#[test]
fn the_schema_rejects_what_validate_rejects_structurally() {
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(SCHEMA_PATH).unwrap()).unwrap();
    let validator = jsonschema::draft7::new(&schema).unwrap();
    for bad in [
        "apps: { a: { find: { label: A }, attributes: { x: { titel: X, type: string } } } }",
        "apps: { a: { find: { label: A }, attributes: { x: { title: X, type: strng } } } }",
        "apps: { a: { find: { label: A }, provisioning: { scim: { base_url: https://x, unique_identifier: email, auth: { mode: header, token: inline-token } } } } }",
        "apps: { a: {} }",
    ] {
        let document: serde_json::Value = serde_saphyr::from_str(bad).unwrap();
        assert!(!validator.is_valid(&document), "schema accepted: {bad}");
    }
}

#[test]
fn every_example_starts_with_the_schema_modeline() {
    for path in examples() {
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.starts_with("# yaml-language-server: $schema=../schemas/oktaform.schema.json\n"),
            "{} must start with the yaml-language-server modeline",
            path.display()
        );
    }
}
