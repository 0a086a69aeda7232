//! The Mermaid that `oktaform graph` and `plan --format markdown` print is checked with
//! Mermaid's own parser (mermaid 11's `mermaid.parse`, under Node with jsdom as its DOM), not
//! only by string matching. The test installs the pinned packages of `tests/mermaid/package.json`
//! into `target/` once (npm; later runs reuse them) and needs `node` and `npm` on PATH.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use common::{SandboxProcess, Workdir, example, run_against, stderr, stdout};

/// `target/mermaid-check` with the pinned packages installed.
fn parser_dir() -> PathBuf {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/mermaid");
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("mermaid-check");
    std::fs::create_dir_all(&dir).unwrap();
    let manifest = std::fs::read_to_string(source.join("package.json")).unwrap();
    let installed = dir.join("package.json");
    let fresh = std::fs::read_to_string(&installed).ok().as_deref() == Some(manifest.as_str())
        && dir.join("node_modules/mermaid/package.json").exists()
        && dir.join("node_modules/jsdom/package.json").exists();
    if !fresh {
        std::fs::write(&installed, &manifest).unwrap();
        let status = Command::new("npm")
            .args([
                "install",
                "--no-audit",
                "--no-fund",
                "--loglevel=error",
                "--no-package-lock",
            ])
            .current_dir(&dir)
            .status()
            .expect("npm must be on PATH for the Mermaid check (Node 18 or newer)");
        assert!(status.success(), "npm install of mermaid and jsdom failed");
    }
    std::fs::copy(source.join("parse.mjs"), dir.join("parse.mjs")).unwrap();
    dir
}

/// Mermaid's verdict on each diagram: its type, or the parse error.
fn parse(diagrams: &[String]) -> Vec<serde_json::Value> {
    let dir = parser_dir();
    let mut child = Command::new("node")
        .arg("parse.mjs")
        .current_dir(&dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("node must be on PATH for the Mermaid check");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(serde_json::to_string(diagrams).unwrap().as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

fn mermaid_blocks(markdown: &str) -> Vec<String> {
    markdown
        .split("```mermaid\n")
        .skip(1)
        .map(|rest| rest.split("```").next().unwrap().to_string())
        .collect()
}

#[test]
fn graphs_and_the_pr_comment_diagram_parse_as_mermaid() {
    let work = Workdir::new();
    let mut diagrams = Vec::new();
    for name in ["luciq", "lightrun", "accessiq", "org"] {
        let output = work.run(&["graph", "-c", &example(name)]);
        assert_eq!(output.status.code(), Some(0), "{name}: {}", stderr(&output));
        diagrams.push(stdout(&output));
    }
    // With an org: marks for what the plan changes, and the PR comment's embedded diagram.
    let sandbox = SandboxProcess::start(&work);
    let output = run_against(
        &work,
        &sandbox,
        &["graph", "-c", &example("org"), "--org", &sandbox.url],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        stdout(&output)
            .lines()
            .any(|l| l.starts_with("  class ") && l.ends_with(" add")),
        "{}",
        stdout(&output)
    );
    diagrams.push(stdout(&output));
    let output = run_against(
        &work,
        &sandbox,
        &["plan", "-c", &example("luciq"), "--format", "markdown"],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let embedded = mermaid_blocks(&stdout(&output));
    assert_eq!(embedded.len(), 1, "{}", stdout(&output));
    assert!(stdout(&output).contains("<details><summary>Attribute flow"));
    diagrams.extend(embedded);

    // The parser does refuse a broken diagram (so a pass means something).
    diagrams.push("flowchart LR\n  a[\"x\"] -->| b[[\n".into());
    let verdicts = parse(&diagrams);
    let (broken, good) = verdicts.split_last().unwrap();
    assert_eq!(broken["ok"], false, "{broken}");
    for (diagram, verdict) in diagrams.iter().zip(good) {
        assert_eq!(verdict["ok"], true, "{verdict}\n{diagram}");
        assert_eq!(verdict["type"], "flowchart-v2");
    }
}
