//! An org that misbehaves on purpose — an endless body, no answer at all, an answer one byte at
//! a time — served by a tiny raw-TCP server here (not the sandbox, which behaves). Each request
//! must fail within its deadline with an error that names the endpoint.

use std::time::{Duration, Instant};

use oktaform::ids::{AppId, OrgUrl};
use oktaform::okta::{Access, Client, ClientOptions, Credentials};
use oktaform::secret::SecretString;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

#[derive(Clone, Copy)]
enum Behaviour {
    /// 200 with a chunked body that never ends.
    Endless,
    /// Reads the request and never answers.
    Hang,
    /// 200 headers, then one byte of body every 50 ms, forever.
    Drip,
}

/// Serves `behaviour` on every connection; returns the base URL.
async fn hostile(behaviour: Behaviour) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = socket.read(&mut buf).await;
                match behaviour {
                    Behaviour::Endless => {
                        let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n";
                        if socket.write_all(head.as_bytes()).await.is_err() {
                            return;
                        }
                        let chunk = format!("{:x}\r\n{}\r\n", 65536, " ".repeat(65536));
                        while socket.write_all(chunk.as_bytes()).await.is_ok() {}
                    }
                    Behaviour::Hang => {
                        tokio::time::sleep(Duration::from_secs(3600)).await;
                    }
                    Behaviour::Drip => {
                        let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100000\r\n\r\n";
                        if socket.write_all(head.as_bytes()).await.is_err() {
                            return;
                        }
                        loop {
                            if socket.write_all(b" ").await.is_err() {
                                return;
                            }
                            tokio::time::sleep(Duration::from_millis(50)).await;
                        }
                    }
                }
            });
        }
    });
    format!("http://{addr}")
}

fn client(base: &str, timeout: Duration, deadline: Duration) -> Client {
    Client::new(
        OrgUrl::parse(base).unwrap(),
        Credentials::ApiToken(SecretString::new("hostile-test-token".into())),
        Access::Read,
        ClientOptions {
            timeout,
            deadline: Some(deadline),
            backoff: Duration::from_millis(10),
            ..ClientOptions::default()
        },
    )
    .unwrap()
}

const APP: &str = "0oa1b2c3d4e5f6g7h8i9";

#[tokio::test]
async fn an_endless_body_is_cut_at_its_cap() {
    let base = hostile(Behaviour::Endless).await;
    let client = client(&base, Duration::from_secs(60), Duration::from_secs(60));
    let started = Instant::now();
    let error = client.app(&AppId::from(APP)).await.unwrap_err().to_string();
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
    assert!(
        error.contains(&format!("GET /api/v1/apps/{APP}")) && error.contains("larger than 4 MiB"),
        "{error}"
    );
}

#[tokio::test]
async fn an_org_that_never_answers_times_out_per_request() {
    let base = hostile(Behaviour::Hang).await;
    // Four attempts of 200 ms each, well inside the deadline.
    let client = client(&base, Duration::from_millis(200), Duration::from_secs(30));
    let started = Instant::now();
    let error = client.user_schema().await.unwrap_err().to_string();
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert!(
        error.contains("GET /api/v1/meta/schemas/user/default")
            && error.contains("timed out after 200ms"),
        "{error}"
    );
}

#[tokio::test]
async fn a_slow_drip_times_out() {
    let base = hostile(Behaviour::Drip).await;
    let client = client(&base, Duration::from_millis(300), Duration::from_secs(30));
    let started = Instant::now();
    let error = client.app(&AppId::from(APP)).await.unwrap_err().to_string();
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert!(
        error.contains(&format!("GET /api/v1/apps/{APP}"))
            && error.contains("timed out after 300ms"),
        "{error}"
    );
}

#[tokio::test]
async fn the_command_deadline_ends_every_wait() {
    let base = hostile(Behaviour::Hang).await;
    // Each request may take a minute, but the command only 500 ms.
    let client = client(&base, Duration::from_secs(60), Duration::from_millis(500));
    let started = Instant::now();
    let error = client.all_apps().await.unwrap_err().to_string();
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(450) && took < Duration::from_secs(3),
        "{took:?}"
    );
    assert!(
        error.contains("GET /api/v1/apps") && error.contains("--timeout 500ms"),
        "{error}"
    );
}
