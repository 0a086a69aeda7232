//! Helpers shared by the integration tests: run the real `oktaform` binary in a scratch directory.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub mod wire;

/// A scratch directory with config files in it.
pub struct Workdir {
    dir: tempfile::TempDir,
}

impl Workdir {
    pub fn new() -> Self {
        Workdir {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(&path, text).unwrap();
        path
    }

    /// Runs `oktaform ARGS` in this directory, with a clean environment for oktaform's own
    /// variables and no colour.
    pub fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().expect("run oktaform")
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_oktaform"));
        command
            .args(args)
            .current_dir(self.dir.path())
            .env("NO_COLOR", "1")
            .env_remove("OKTA_ORG_URL")
            .env_remove("OKTA_API_TOKEN");
        command
    }
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Asserts the exit code, showing both streams when it differs.
#[track_caller]
pub fn assert_exit(output: &Output, code: i32) {
    assert_eq!(
        output.status.code(),
        Some(code),
        "{}{}",
        stdout(output),
        stderr(output)
    );
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A sandbox org served by the real binary (`oktaform sandbox serve`), stopped on drop.
pub struct SandboxProcess {
    pub url: String,
    child: std::process::Child,
}

impl SandboxProcess {
    /// Starts `oktaform sandbox serve` with its state in `work` and waits for its URL.
    pub fn start(work: &Workdir) -> SandboxProcess {
        use std::io::BufRead;
        let mut child = Command::new(env!("CARGO_BIN_EXE_oktaform"))
            .args(["sandbox", "serve", "--state"])
            .arg(work.path().join("sandbox.json"))
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("start the sandbox");
        let stdout = child.stdout.take().expect("sandbox stdout");
        let mut line = String::new();
        std::io::BufReader::new(stdout)
            .read_line(&mut line)
            .expect("the sandbox prints its URL");
        let url = line.trim().to_string();
        assert!(
            url.starts_with("http://127.0.0.1:"),
            "unexpected first line {url:?}"
        );
        let sandbox = SandboxProcess { url, child };
        // The schema deletion window lasts minutes, as on Okta; the tests wait half a second.
        let (status, _) = sandbox.call(
            "PUT",
            "/__sandbox/config",
            Some(serde_json::json!({"deletion_window_ms": 500})),
        );
        assert_eq!(status, 200, "the deletion window knob");
        sandbox
    }

    /// A JSON request to the sandbox (knobs, or the API as another admin would call it).
    pub fn call(
        &self,
        method: &str,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> (u16, serde_json::Value) {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let client = reqwest::Client::new();
            let mut request = client
                .request(method.parse().unwrap(), format!("{}{path}", self.url))
                .header("authorization", "SSWS sandbox-token")
                .header("accept", "application/json");
            if let Some(body) = body {
                request = request.json(&body);
            }
            let response = request.send().await.expect("sandbox answers");
            let status = response.status().as_u16();
            let text = response.text().await.unwrap_or_default();
            (
                status,
                serde_json::from_str(&text).unwrap_or(serde_json::Value::Null),
            )
        })
    }

    /// The id of the app with this label.
    pub fn app_id(&self, label: &str) -> String {
        let (_, apps) = self.call("GET", "/api/v1/apps?limit=200", None);
        apps.as_array()
            .unwrap()
            .iter()
            .find(|a| a["label"] == label)
            .and_then(|a| a["id"].as_str())
            .unwrap_or_else(|| panic!("no app {label}"))
            .to_string()
    }
}

impl Drop for SandboxProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs oktaform against a sandbox with its API token.
pub fn run_against(work: &Workdir, sandbox: &SandboxProcess, args: &[&str]) -> Output {
    work.command(args)
        .env("OKTA_ORG_URL", &sandbox.url)
        .env("OKTA_API_TOKEN", "sandbox-token")
        .env("PARTNER_ORG_API_TOKEN", "partner-org-token-not-a-secret")
        .output()
        .expect("run oktaform")
}

/// The examples directory.
pub fn example(name: &str) -> String {
    format!("{}/examples/{name}.yaml", env!("CARGO_MANIFEST_DIR"))
}

/// An API-token client for an in-process sandbox.
pub fn sandbox_client(
    sandbox: &oktaform::sandbox::Sandbox,
    options: oktaform::okta::ClientOptions,
) -> oktaform::okta::Client {
    oktaform::okta::Client::new(
        oktaform::ids::OrgUrl::parse(sandbox.base_url()).unwrap(),
        oktaform::okta::Credentials::ApiToken(oktaform::secret::SecretString::new(
            sandbox.token().into(),
        )),
        oktaform::okta::Access::Manage,
        options,
    )
    .unwrap()
}
