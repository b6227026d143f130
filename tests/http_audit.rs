//! GraphQL over HTTP as the spec says: the whole audit of the `graphql-http`
//! npm package (`serverAudits`) against the real binary; any MUST or SHOULD
//! failure fails the test. The package is installed into this test's scratch
//! folder (under the target directory), never into the repository.
mod common;

use std::path::Path;
use std::process::Command;

fn node() -> bool {
    Command::new("node").arg("--version").output().is_ok_and(|o| o.status.success())
}

#[test]
fn the_server_passes_the_graphql_over_http_audit() {
    if !node() {
        assert!(std::env::var_os("CI").is_none(), "CI must run the GraphQL-over-HTTP audit: node is missing");
        eprintln!("SKIPPED GraphQL-over-HTTP audit: node not found");
        return;
    }
    let modules = Path::new(env!("CARGO_TARGET_TMPDIR")).join("graphql-http-audit");
    if !modules.join("node_modules/graphql-http/package.json").exists() {
        std::fs::create_dir_all(&modules).unwrap();
        let out = Command::new("npm")
            .args(["install", "--silent", "--no-audit", "--no-fund", "--prefix"])
            .arg(&modules)
            .args(["graphql-http@1.23.1", "graphql@16"])
            .output()
            .expect("run npm");
        assert!(out.status.success(), "npm install: {}", String::from_utf8_lossy(&out.stderr));
    }
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}?mode=rwc", dir.path().join("audit.db").display());
    let (mut server, addr) = common::spawn_server(&db, &dir.path().join("server.log"), &[("RUST_LOG", "warn")]);
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/audit/audit.mjs");
    let out = Command::new("node").arg(script).arg(&modules).arg(format!("http://{addr}/graphql")).output();
    let _ = server.kill();
    let _ = server.wait();
    let out = out.expect("run the audit");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}{}", String::from_utf8_lossy(&out.stderr));
    assert!(text.contains("0 MUST or SHOULD audits failed"), "{text}");
    assert!(text.lines().filter(|l| l.starts_with("ok")).count() >= 50, "{text}");
}
