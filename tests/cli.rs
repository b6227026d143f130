//! The command line as a user meets it: exit codes, messages naming the file
//! and line, and commands that leave the database consistent.
mod common;

use std::process::Command;

fn scholargraph(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_scholargraph"))
        .args(args)
        .env("RUST_LOG", "warn")
        .output()
        .expect("run the binary");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn import_reports_bad_records_by_file_and_line_and_exits_3() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}?mode=rwc", dir.path().join("cli.db").display());
    let input = dir.path().join("works.jsonl");
    std::fs::write(
        &input,
        "{\"id\": \"https://openalex.org/W1\", \"title\": \"One\", \"type\": \"article\"}\n{\"id\": \"W2\", \"title\": \n",
    )
    .unwrap();
    let file = input.display().to_string();
    let (code, stdout, stderr) = scholargraph(&["import", "openalex", &file, "--database-url", &db]);
    assert_eq!(code, 3, "{stdout}{stderr}");
    assert!(stderr.contains(&format!("{file}:2: ")), "{stderr}");
    assert!(stdout.contains("2 records read") && stdout.contains("1 rejected"), "{stdout}");

    let (code, _, stderr) = scholargraph(&["import", "openalex", &file, "--strict", "--database-url", &db]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("--strict") && stderr.contains("up to line 1"), "{stderr}");

    let (code, _, stderr) = scholargraph(&["import", "openalex", "/no/such/file.jsonl", "--database-url", &db]);
    assert_eq!(code, 1);
    assert!(stderr.contains("/no/such/file.jsonl"), "{stderr}");

    let (code, stdout, _) = scholargraph(&["reindex", "--database-url", &db]);
    assert_eq!(code, 0);
    assert!(stdout.contains("derived data and search index rebuilt"), "{stdout}");
}

#[test]
fn a_bad_database_url_is_a_message_not_a_panic() {
    let (code, _, stderr) = scholargraph(&["migrate", "--database-url", "mysql://nope"]);
    assert_ne!(code, 0);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(stderr.to_lowercase().contains("database"), "{stderr}");
}

#[test]
fn export_writes_an_authors_bibliography_and_all_works_as_csl_json() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}?mode=rwc", dir.path().join("export.db").display());
    assert_eq!(scholargraph(&["seed-demo", "--database-url", &db]).0, 0);
    let (code, bib, stderr) = scholargraph(&["export", "bibtex", "--author", "eric-shea-brown", "--database-url", &db]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(bib.matches("\n@").count() + usize::from(bib.starts_with('@')), 18, "{bib}");
    assert!(bib.contains("author = {Chen, Shirui and Recanatesi, Stefano and Shea-Brown, Eric}"), "{bib}");
    let (code, csl, stderr) = scholargraph(&["export", "csl-json", "--all", "--database-url", &db]);
    assert_eq!(code, 0, "{stderr}");
    let items: Vec<serde_json::Value> = serde_json::from_str(&csl).unwrap();
    assert_eq!(items.len(), 75);
    let (code, _, stderr) = scholargraph(&["export", "bibtex", "--author", "nobody", "--database-url", &db]);
    assert_ne!(code, 0);
    assert!(stderr.contains("nobody"), "{stderr}");
}

/// Accounts as an operator meets them: tokens revoked, administrators made,
/// claims decided from the command line; and a server logging at `trace`
/// never writes a password or token.
#[tokio::test]
async fn operators_manage_accounts_and_logs_hold_no_secret() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}?mode=rwc", dir.path().join("ops.db").display());
    let log = dir.path().join("server.log");
    let (mut server, addr) = common::spawn_server(&db, &log, &[("RUST_LOG", "trace")]);
    let url = format!("http://{addr}/graphql");
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    let call = |token: Option<String>, query: String| {
        let mut request = client.post(&url).json(&serde_json::json!({ "query": query }));
        if let Some(t) = token {
            request = request.bearer_auth(t);
        }
        async move { request.send().await.unwrap().json::<serde_json::Value>().await.unwrap() }
    };
    let password = "a long and secret passphrase";
    let body =
        call(None, format!(r#"mutation {{ signUp(input: {{ handle: "ops", password: "{password}" }}) {{ token }} }}"#))
            .await;
    let token = body["data"]["signUp"]["token"].as_str().unwrap_or_else(|| panic!("{body}")).to_owned();
    let body = call(Some(token.clone()), r#"mutation { createApiToken(name: "cron") }"#.into()).await;
    let api = body["data"]["createApiToken"].as_str().unwrap().to_owned();
    let eric = call(None, r#"{ author(slug: "eric-shea-brown") { id } }"#.into()).await["data"]["author"]["id"].clone();
    let body = call(Some(api.clone()), format!(r#"mutation {{ claimAuthor(authorId: {eric}) {{ status }} }}"#)).await;
    assert_eq!(body["data"]["claimAuthor"]["status"], "PENDING", "{body}");
    let _ = call(None, format!(r#"mutation {{ signIn(handle: "ops", password: "{password}") {{ token }} }}"#)).await;
    server.kill().unwrap();
    let _ = server.wait();
    let logged = std::fs::read_to_string(&log).unwrap();
    assert!(logged.len() > 1_000, "the server logged at trace level");
    for secret in [password, &token, &api, &token[3..], &api[3..]] {
        assert!(!logged.contains(secret), "a secret is in the log");
    }

    let (code, out, err) = scholargraph(&["admin", "claims", "--database-url", &db]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("@ops") && out.contains("ORCID -"), "{out}");
    let id = out.split('\t').next().unwrap().trim().to_owned();
    let (code, out, err) = scholargraph(&["admin", "claims", "--approve", &id, "--database-url", &db]);
    assert_eq!((code, out.trim()), (0, format!("claim {id} is VERIFIED").as_str()), "{err}");
    let (code, out, _) = scholargraph(&["admin", "claims", "--database-url", &db]);
    assert_eq!((code, out.trim()), (0, "no pending claims"));
    let (code, out, _) = scholargraph(&["admin", "grant", "OPS", "--database-url", &db]);
    assert_eq!((code, out.trim()), (0, "ops is an administrator"));
    let (code, _, err) = scholargraph(&["admin", "grant", "nobody", "--database-url", &db]);
    assert!(code != 0 && err.contains("nobody") && !err.contains("panicked"), "{err}");
    let (code, out, _) = scholargraph(&["token", "revoke", &api, "--database-url", &db]);
    assert_eq!((code, out.trim()), (0, "1 token revoked"));
    let (code, out, _) = scholargraph(&["token", "revoke", "ops", "--database-url", &db]);
    assert_eq!((code, out.trim()), (0, "2 tokens revoked"), "sign-up and sign-in tokens");
    let (code, _, err) = scholargraph(&["token", "revoke", "sg_unknown", "--database-url", &db]);
    assert!(code != 0 && err.contains("no such token"), "{err}");
}

#[test]
fn persisted_operations_are_registered_from_files() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}?mode=rwc", dir.path().join("persisted.db").display());
    let card = dir.path().join("card.graphql");
    std::fs::write(&card, "query Card { author(slug: \"eric-shea-brown\") { displayName } }").unwrap();
    let broken = dir.path().join("broken.graphql");
    std::fs::write(&broken, "query { author(").unwrap();
    let (code, out, err) = scholargraph(&["persisted", "add", card.to_str().unwrap(), "--database-url", &db]);
    assert_eq!(code, 0, "{err}");
    let hash = out.split('\t').next().unwrap();
    assert_eq!(hash.len(), 64, "{out}");
    let (code, _, err) = scholargraph(&["persisted", "add", broken.to_str().unwrap(), "--database-url", &db]);
    assert!(code != 0 && err.contains("broken.graphql"), "{err}");
    let (code, out, _) = scholargraph(&["persisted", "list", "--database-url", &db]);
    assert_eq!(code, 0);
    assert!(out.starts_with(&format!("{hash}\tALLOWED\tquery Card")), "{out}");
}
