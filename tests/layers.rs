//! The import graph follows the data flow: each top-level module may use only the modules
//! below it (`src/lib.rs` lists them in that order). Read from the source text: every
//! `crate::<module>` outside comments counts, in `use` lines and in paths alike.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Each module and what it may use besides itself.
const ALLOWED: &[(&str, &[&str])] = &[
    ("ids", &[]),
    ("secret", &[]),
    ("facts", &[]),
    ("okta", &["ids", "secret", "facts"]),
    // The sandbox plays Okta: it must not borrow the client's code to judge the client.
    ("sandbox", &["ids"]),
    // The SCIM client asks the vendor, as `okta` asks Okta: plain inputs, no config.
    ("scim", &["ids", "secret", "facts"]),
    ("config", &["ids", "secret", "facts"]),
    ("plan", &["ids", "secret", "facts", "okta", "config"]),
    (
        "drift",
        &["ids", "secret", "facts", "okta", "config", "plan"],
    ),
    (
        "export",
        &["ids", "secret", "facts", "okta", "config", "plan"],
    ),
    (
        "apply",
        &["ids", "secret", "facts", "okta", "config", "plan"],
    ),
    (
        "render",
        &[
            "ids", "secret", "facts", "okta", "scim", "config", "plan", "apply", "drift", "export",
        ],
    ),
    (
        "cli",
        &[
            "ids", "secret", "facts", "okta", "sandbox", "scim", "config", "plan", "apply",
            "drift", "export", "render",
        ],
    ),
];

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `module → modules it uses` over `src/`.
fn imports() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in files {
        let relative = file.strip_prefix(&src).unwrap();
        let module = relative
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_string();
        if module == "lib" || module == "main" {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        for line in text.lines() {
            let code = line.split("//").next().unwrap_or_default();
            for (i, _) in code.match_indices("crate::") {
                let rest = &code[i + "crate::".len()..];
                let used: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if !used.is_empty() && used != module {
                    graph.entry(module.clone()).or_default().insert(used);
                }
            }
        }
    }
    graph
}

#[test]
fn every_module_uses_only_the_layers_below_it() {
    let allowed: BTreeMap<&str, &[&str]> = ALLOWED.iter().copied().collect();
    let mut wrong = Vec::new();
    for (module, uses) in imports() {
        let Some(may) = allowed.get(module.as_str()) else {
            wrong.push(format!(
                "{module}: not in the layer table of tests/layers.rs"
            ));
            continue;
        };
        for used in uses {
            if !may.contains(&used.as_str()) {
                wrong.push(format!("{module} uses {used}"));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "imports against the data flow:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn okta_error_codes_are_matched_only_in_the_provider() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let outside: Vec<String> = files
        .iter()
        .filter(|f| !f.starts_with(src.join("okta")) && !f.starts_with(src.join("sandbox")))
        .filter(|f| std::fs::read_to_string(f).unwrap().contains("\"E00000"))
        .map(|f| f.display().to_string())
        .collect();
    assert!(
        outside.is_empty(),
        "Okta error codes outside okta/: {outside:?}"
    );
}
