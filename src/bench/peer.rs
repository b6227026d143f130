//! The peer: PostGraphile 5 from npm, installed into a scratch folder
//! outside the repository (with the npm package `node@22`, since it needs
//! node ≥ 22), pointed at the same PostgreSQL database as our server.
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};

use super::process::{self, Process};

pub const VERSION: &str = "5.1.5";

pub fn default_dir() -> PathBuf {
    let home = std::env::var_os("HOME").map(PathBuf::from).unwrap_or_else(std::env::temp_dir);
    home.join(".cache/scholargraph/postgraphile")
}

fn bin(dir: &Path) -> PathBuf {
    dir.join("node_modules/.bin")
}

/// Installs PostGraphile and node 22 into `dir` unless they are there.
pub fn install(dir: &Path) -> anyhow::Result<()> {
    if bin(dir).join("postgraphile").exists() && bin(dir).join("node").exists() {
        return Ok(());
    }
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    if !dir.join("package.json").exists() {
        std::fs::write(dir.join("package.json"), "{\"private\": true}\n")?;
    }
    eprintln!("bench: installing postgraphile@{VERSION} and node@22 into {}", dir.display());
    let status = Command::new("npm")
        .args(["install", "--no-audit", "--no-fund", "--prefix"])
        .arg(dir)
        .args([format!("postgraphile@{VERSION}"), "node@22".to_owned()])
        .status()
        .context("running npm (is node installed?)")?;
    if !status.success() {
        bail!("npm install of postgraphile@{VERSION} failed");
    }
    Ok(())
}

/// The `application_name` of PostGraphile's connections, by which its
/// statements are found in `pg_stat_activity` (see [`cancel_leftovers`]).
const APPLICATION_NAME: &str = "scholargraph_bench_peer";

/// PostGraphile (Amber preset, the `public` schema) on a free port.
pub async fn start(dir: &Path, database_url: &str, log: &Path) -> anyhow::Result<Process> {
    let port = process::free_port()?;
    let joiner = if database_url.contains('?') { '&' } else { '?' };
    let database_url = format!("{database_url}{joiner}application_name={APPLICATION_NAME}");
    let path = format!("{}:{}", bin(dir).display(), std::env::var("PATH").unwrap_or_default());
    let mut command = Command::new(bin(dir).join("postgraphile"));
    command
        .args(["-P", "postgraphile/presets/amber", "-s", "public", "-n", "127.0.0.1"])
        .args(["-p", &port.to_string(), "-c", &database_url])
        .env("PATH", path)
        .env("GRAPHILE_ENV", "production")
        .current_dir(dir);
    let peer = process::spawn(command, log, format!("http://127.0.0.1:{port}/graphql"))?;
    process::wait_until_answering(&peer.url, "{ __typename }").await?;
    Ok(peer)
}

/// Cancels the statements PostGraphile still runs for requests whose
/// connections the load generator closed: a run at 64 connections leaves
/// dozens of its nested queries (1.4 s each) queued behind its pool, and
/// the next server measured shared the machine with them (ours on SQLite:
/// 196 req/s right after it, 331-348 alone). Until none is left running
/// (each cancelled one lets a queued one start), for at most 30 s.
pub async fn cancel_leftovers(db: &crate::db::Db) -> anyhow::Result<()> {
    let sql = "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE application_name = ? AND state = 'active'";
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while std::time::Instant::now() < deadline {
        let statement = crate::db::stmt(db.backend(), sql, vec![APPLICATION_NAME.into()]);
        if db.rows(statement).await?.is_empty() {
            return Ok(());
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    Ok(())
}
