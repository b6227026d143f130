//! The command line as a user meets it: exit codes, messages naming the file
//! and line, and commands that leave the database consistent.
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
