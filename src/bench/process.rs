//! The processes a benchmark runs: our server (this very binary, `serve`)
//! and the peer, started on free loopback ports, stopped when dropped, with
//! their peak memory read from /proc.
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

pub struct Process {
    child: Child,
    pub url: String,
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Process {
    /// Peak resident memory (VmHWM) in MB, where /proc tells it.
    pub fn peak_mb(&self) -> Option<f64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).ok()?;
        let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
        let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
        Some(kb / 1024.0)
    }
}

/// Waits until the machine's CPUs were nine tenths idle over a quarter of
/// a second (at most `limit`, then goes on and says so), where /proc
/// tells it. Before every run: a
/// run at 64 connections leaves requests queued, and a peer's go on in
/// PostgreSQL's backends after the peer's own process is idle (the nested
/// query measured 156 req/s at 64 connections right after PostGraphile's
/// run, 366 alone): those the bench cancels first
/// (`peer::cancel_leftovers`), since 5 s did not see them through. After
/// the imports: PostgreSQL's checkpointer and autovacuum, and the kernel
/// writing out pages, run on for a while.
pub async fn settle(limit: Duration) {
    fn idle_and_total() -> Option<(u64, u64)> {
        let stat = std::fs::read_to_string("/proc/stat").ok()?;
        let cpu = stat.lines().next()?.strip_prefix("cpu ")?;
        let ticks: Vec<u64> = cpu.split_whitespace().filter_map(|t| t.parse().ok()).collect();
        // idle, and stolen by the hypervisor (no waiting gives that back)
        Some((ticks.get(3)? + ticks.get(7).unwrap_or(&0), ticks.iter().sum()))
    }
    let deadline = Instant::now() + limit;
    let Some(mut last) = idle_and_total() else { return };
    while Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(250)).await;
        let Some(now) = idle_and_total() else { return };
        let (idle, total) = (now.0 - last.0, now.1 - last.1);
        if total > 0 && idle * 10 >= total * 9 {
            return;
        }
        last = now;
    }
    eprintln!("bench: the machine stayed busy for {} s; measuring anyway", limit.as_secs());
}

pub fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// `scholargraph serve` on `database_url`, without rate limits (the load
/// would be refused otherwise); the benchmark loads the demo corpus itself.
pub async fn serve(database_url: &str, log: &std::path::Path) -> anyhow::Result<Process> {
    let port = free_port()?;
    // On Linux through /proc: the binary running now, even when a rebuild
    // has replaced its file since (its path then ends in " (deleted)").
    let proc_exe = std::path::Path::new("/proc/self/exe");
    let exe = match proc_exe.exists() {
        true => proc_exe.to_path_buf(),
        false => std::env::current_exe().context("locating this binary")?,
    };
    let mut command = Command::new(exe);
    command
        .args(["serve", "--listen", &format!("127.0.0.1:{port}"), "--database-url", database_url])
        .args(["--rate-limit", "0", "--no-demo"])
        .env("RUST_LOG", "warn");
    let process = spawn(command, log, format!("http://127.0.0.1:{port}/graphql"))?;
    wait_until_answering(&process.url, "{ __typename }").await?;
    Ok(process)
}

/// Waits for a GraphQL endpoint to answer `query` (up to two minutes: a
/// peer introspects the database first).
pub async fn wait_until_answering(url: &str, query: &str) -> anyhow::Result<()> {
    let client = reqwest::Client::new();
    let started = Instant::now();
    loop {
        let answer = client.post(url).json(&serde_json::json!({ "query": query })).send().await;
        if let Ok(r) = answer {
            if r.status().is_success() {
                return Ok(());
            }
        }
        if started.elapsed() > Duration::from_secs(120) {
            bail!("{url} did not answer within two minutes");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

pub fn spawn(mut command: Command, log: &std::path::Path, url: String) -> anyhow::Result<Process> {
    let child = command
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(log).with_context(|| format!("creating {}", log.display()))?)
        .spawn()
        .with_context(|| format!("starting {:?}", command.get_program()))?;
    Ok(Process { child, url })
}
