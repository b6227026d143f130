//! The benchmark in miniature, so that it never rots: `scholargraph bench`
//! on 10,000 works, one second per query and concurrency, on SQLite and (with
//! `TEST_DATABASE_URL`) on a PostgreSQL database of its own. PostGraphile is
//! left out (it is installed from npm); no figure is asserted, only that
//! every query ran without errors and the tables were written.
mod common;

#[test]
fn the_benchmark_runs_end_to_end() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("BENCHMARKS.md");
    std::fs::write(&out, "# Benchmarks\n\nHand-written notes stay.\n").unwrap();
    let mut databases = vec!["sqlite"];
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_scholargraph"));
    command.args(["bench", "--works", "10000", "--seconds", "1", "--rounds", "1", "--concurrency", "1,4"]);
    command.args(["--floor-runs", "3"]);
    if let Some(url) = common::postgres_url() {
        let mut url = url::Url::parse(&url).unwrap();
        url.set_path("/scholargraph_bench_test");
        command.args(["--postgres-url", url.as_str()]);
        databases.push("postgres");
    }
    let output = command
        .args(["--peer", "none", "--databases", &databases.join(",")])
        .arg("--work-dir")
        .arg(dir.path())
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let written = std::fs::read_to_string(&out).unwrap();
    assert!(written.starts_with("# Benchmarks\n\nHand-written notes stay.\n"), "{written}");
    assert!(written.contains("<!-- bench 10000 works: begin -->"));
    for database in databases {
        let name = if database == "sqlite" { "SQLite" } else { "PostgreSQL" };
        let rows: Vec<&str> =
            written.lines().filter(|l| l.starts_with(&format!("| scholargraph | {name} |"))).collect();
        assert_eq!(rows.len(), 7 * 2, "7 queries at 2 concurrencies on {name}:\n{written}");
        for row in rows {
            let cells: Vec<&str> = row.split('|').map(str::trim).collect();
            let (per_second, statements, errors) = (cells[5], cells[8], cells[9]);
            assert!(per_second.parse::<f64>().unwrap() > 0.0, "{row}");
            assert!(statements.parse::<f64>().unwrap() >= 1.0, "{row}");
            assert_eq!(errors, "0", "{row}");
        }
        assert_eq!(written.lines().filter(|l| l.starts_with(&format!("| {name} |"))).count(), 7, "floors");
    }

    // --reuse keeps a database that still holds the same generated works;
    // rounds of a run add up to one row.
    let again = std::process::Command::new(env!("CARGO_BIN_EXE_scholargraph"))
        .args(["bench", "--works", "10000", "--seconds", "2", "--rounds", "2", "--concurrency", "1"])
        .args(["--floor-runs", "1"])
        .args(["--peer", "none", "--databases", "sqlite", "--reuse"])
        .arg("--work-dir")
        .arg(dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert!(again.status.success(), "{stderr}");
    assert!(stderr.contains("bench: reusing sqlite://"), "{stderr}");
    assert!(!stderr.contains("bench: importing"), "{stderr}");
    assert!(stderr.contains("search at 1 (round 2 of 2)"), "{stderr}");
    let stdout = String::from_utf8_lossy(&again.stdout);
    assert_eq!(stdout.lines().filter(|l| l.starts_with("| scholargraph | SQLite |")).count(), 7, "{stdout}");
}
