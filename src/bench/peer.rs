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

/// PostGraphile (Amber preset, the `public` schema) on a free port.
pub async fn start(dir: &Path, database_url: &str, log: &Path) -> anyhow::Result<Process> {
    let port = process::free_port()?;
    let path = format!("{}:{}", bin(dir).display(), std::env::var("PATH").unwrap_or_default());
    let mut command = Command::new(bin(dir).join("postgraphile"));
    command
        .args(["-P", "postgraphile/presets/amber", "-s", "public", "-n", "127.0.0.1"])
        .args(["-p", &port.to_string(), "-c", database_url])
        .env("PATH", path)
        .env("GRAPHILE_ENV", "production")
        .current_dir(dir);
    let peer = process::spawn(command, log, format!("http://127.0.0.1:{port}/graphql"))?;
    process::wait_until_answering(&peer.url, "{ __typename }").await?;
    Ok(peer)
}
