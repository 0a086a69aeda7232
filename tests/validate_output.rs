//! Snapshots of what people read from `oktaform validate`: the summary of a valid config and the
//! located, caret-annotated errors of a broken one.

mod common;

use common::{Workdir, stderr, stdout};

fn examples_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples")
}

#[test]
fn examples_validate() {
    for name in ["luciq", "lightrun", "accessiq", "org"] {
        let work = Workdir::new();
        let path = examples_dir().join(format!("{name}.yaml"));
        let output = work.run(&["validate", "-c", path.to_str().unwrap()]);
        assert_eq!(output.status.code(), Some(0), "{name}: {}", stderr(&output));
        assert_eq!(stderr(&output), "", "{name} has warnings");
        insta::assert_snapshot!(format!("example_{name}"), stdout(&output));
    }
}

#[test]
fn example_directory_merges_and_reports_both_places() {
    let work = Workdir::new();
    let output = work.run(&["validate", "-c", examples_dir().to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    let text = stderr(&output).replace(examples_dir().to_str().unwrap(), "examples");
    insta::assert_snapshot!(text);
}

fn broken(files: &[(&str, &str)], extra: &[&str]) -> String {
    let work = Workdir::new();
    let mut args = vec!["validate"];
    for (name, text) in files {
        work.write(name, text);
        args.extend(["-c", name]);
    }
    args.extend(extra);
    let output = work.run(&args);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    stderr(&output)
}

const LUCIQ: &str = "\
apps:
  luciq:
    find: { label: Luciq }
    provisioning:
      scim:
        base_url: https://api.luciq.ai/scim/v2
        unique_identifier: email
        actions: [push_new_users]
        auth: { mode: header, token: 9f8e7d6c5b4a }
      to_app:
        create_users: true
        update_user_attributes: true
    attributes:
      instabugRole:
        title: Instabug Role
        type: string
        external_namespace: urn:ietf:params:scim:schemas:extension:instabug:2.0:User
        enum: { adminstrator: Admin, member: Member }
    assignments:
      users:
        alice@example.com: { instabugRole: administrator }
";

#[test]
fn several_errors_and_a_warning() {
    insta::assert_snapshot!(broken(&[("luciq.yaml", LUCIQ)], &[]));
}

#[test]
fn unknown_key() {
    let text = "apps:\n  luciq:\n    find: { label: Luciq }\n    attributes:\n      instabugRole:\n        titel: Instabug Role\n        type: string\n";
    insta::assert_snapshot!(broken(&[("luciq.yaml", text)], &[]));
}

#[test]
fn json_report() {
    let work = Workdir::new();
    work.write("luciq.yaml", LUCIQ);
    let output = work.run(&["validate", "-c", "luciq.yaml", "--format", "json"]);
    assert_eq!(output.status.code(), Some(1));
    insta::assert_snapshot!(stdout(&output));
}
