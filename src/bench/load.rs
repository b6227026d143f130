//! Drives a GraphQL endpoint with one query at a given concurrency for a
//! fixed time: with `wrk` (Debian's package) when it is installed, else with
//! a small built-in closed-loop client, and reads throughput and latency.
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

/// What one run measured.
#[derive(Clone, Copy, Debug, Default)]
pub struct Figures {
    pub requests: u64,
    pub per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    /// non-2xx responses and socket errors
    pub errors: u64,
}

impl Figures {
    /// Rounds of equal length as one run: their requests and errors added,
    /// their requests/s averaged, and the median of their p50s and p99s
    /// (a round the machine slowed moves a median less than a mean).
    pub fn of_rounds(rounds: &[Figures]) -> Figures {
        let median = |pick: fn(&Figures) -> f64| {
            let mut v: Vec<f64> = rounds.iter().map(pick).collect();
            v.sort_by(f64::total_cmp);
            match v.len() {
                0 => 0.0,
                n if n % 2 == 1 => v[n / 2],
                n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
            }
        };
        Figures {
            requests: rounds.iter().map(|f| f.requests).sum(),
            per_second: rounds.iter().map(|f| f.per_second).sum::<f64>() / rounds.len().max(1) as f64,
            p50_ms: median(|f| f.p50_ms),
            p99_ms: median(|f| f.p99_ms),
            errors: rounds.iter().map(|f| f.errors).sum(),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Tool {
    /// wrk, if installed (`apt install wrk`); the built-in client otherwise
    Auto,
    Wrk,
    Builtin,
}

impl Tool {
    pub fn resolve(self) -> Tool {
        match self {
            Tool::Auto if Command::new("wrk").arg("--version").output().is_ok() => Tool::Wrk,
            Tool::Auto => Tool::Builtin,
            other => other,
        }
    }
}

pub async fn run(
    tool: Tool,
    url: &str,
    body: &str,
    connections: usize,
    seconds: u64,
    scratch: &Path,
) -> anyhow::Result<Figures> {
    match tool.resolve() {
        Tool::Wrk => {
            let (url, body, scratch) = (url.to_owned(), body.to_owned(), scratch.to_owned());
            tokio::task::spawn_blocking(move || wrk(&url, &body, connections, seconds, &scratch)).await?
        }
        _ => builtin(url, body, connections, seconds).await,
    }
}

fn wrk(url: &str, body: &str, connections: usize, seconds: u64, scratch: &Path) -> anyhow::Result<Figures> {
    let script = scratch.join("post.lua");
    // A Lua long string holds the body verbatim.
    let lua = format!(
        "wrk.method = \"POST\"\nwrk.headers[\"Content-Type\"] = \"application/json\"\nwrk.body = [==[{body}]==]\n"
    );
    std::fs::write(&script, lua).with_context(|| format!("writing {}", script.display()))?;
    let threads = connections.clamp(1, 2).to_string();
    let out = Command::new("wrk")
        .args(["-t", &threads, "-c", &connections.to_string(), "-d", &format!("{seconds}s"), "--latency"])
        // A slow query at 64 connections queues for seconds: measure that
        // rather than count it as wrk's default 2 s timeout.
        .args(["--timeout", "60s", "-s"])
        .arg(&script)
        .arg(url)
        .output()
        .context("running wrk")?;
    let text = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        bail!("wrk failed: {}{}", text, String::from_utf8_lossy(&out.stderr));
    }
    parse_wrk(&text).with_context(|| format!("reading wrk's report:\n{text}"))
}

/// Reads `wrk --latency` output.
pub fn parse_wrk(text: &str) -> Option<Figures> {
    let mut f = Figures::default();
    let mut seen = false;
    for line in text.lines().map(str::trim) {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["50%", v] => f.p50_ms = millis(v)?,
            ["99%", v] => f.p99_ms = millis(v)?,
            ["Requests/sec:", v] => f.per_second = v.parse().ok()?,
            [n, "requests", "in", ..] => {
                f.requests = n.parse().ok()?;
                seen = true;
            }
            ["Non-2xx", "or", "3xx", "responses:", n] => f.errors += n.parse::<u64>().ok()?,
            ["Socket", "errors:", rest @ ..] => {
                f.errors += rest.iter().filter_map(|w| w.trim_end_matches(',').parse::<u64>().ok()).sum::<u64>()
            }
            _ => {}
        }
    }
    seen.then_some(f)
}

fn millis(v: &str) -> Option<f64> {
    let split = v.find(|c: char| c.is_ascii_alphabetic())?;
    let (n, unit) = v.split_at(split);
    let n: f64 = n.parse().ok()?;
    Some(match unit {
        "us" => n / 1000.0,
        "ms" => n,
        "s" => n * 1000.0,
        "m" => n * 60_000.0,
        _ => return None,
    })
}

/// `connections` clients, each sending the next request when the last one
/// is answered, for `seconds`.
async fn builtin(url: &str, body: &str, connections: usize, seconds: u64) -> anyhow::Result<Figures> {
    let client = reqwest::Client::builder().pool_max_idle_per_host(connections).build()?;
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let tasks: Vec<_> = (0..connections)
        .map(|_| {
            let (client, url, body) = (client.clone(), url.to_owned(), body.to_owned());
            tokio::spawn(async move {
                let (mut latencies, mut errors) = (Vec::new(), 0u64);
                while Instant::now() < deadline {
                    let sent = Instant::now();
                    let ok = client
                        .post(&url)
                        .header("content-type", "application/json")
                        .body(body.clone())
                        .send()
                        .await
                        .map(|r| r.status().is_success());
                    match ok {
                        Ok(true) => latencies.push(sent.elapsed().as_secs_f64() * 1000.0),
                        _ => errors += 1,
                    }
                }
                (latencies, errors)
            })
        })
        .collect();
    let mut all = Vec::new();
    let mut errors = 0;
    for task in tasks {
        let (l, e) = task.await?;
        all.extend(l);
        errors += e;
    }
    let elapsed = started.elapsed().as_secs_f64();
    all.sort_by(f64::total_cmp);
    let at = |p: f64| all.get(((all.len().max(1) - 1) as f64 * p).round() as usize).copied().unwrap_or(0.0);
    Ok(Figures {
        requests: all.len() as u64 + errors,
        per_second: all.len() as f64 / elapsed,
        p50_ms: at(0.5),
        p99_ms: at(0.99),
        errors,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_wrk_report() {
        let report = "Running 5s test @ http://127.0.0.1:8000/graphql
  2 threads and 16 connections
  Latency Distribution
     50%  830.00us
     75%    1.20ms
     90%    2.10ms
     99%    4.52ms
  12345 requests in 5.00s, 10.00MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 4
Requests/sec:   2469.00
Transfer/sec:      2.00MB";
        let f = parse_wrk(report).unwrap();
        assert_eq!(f.requests, 12345);
        assert_eq!(f.p50_ms, 0.83);
        assert_eq!(f.p99_ms, 4.52);
        assert_eq!(f.per_second, 2469.0);
        assert_eq!(f.errors, 7);
        let none = parse_wrk("  0 requests in 3.02s, 0.00B read\nRequests/sec:      0.00").unwrap();
        assert_eq!((none.requests, none.per_second), (0, 0.0), "a run where nothing finished is a figure too");
    }

    #[test]
    fn rounds_add_up_to_one_run() {
        let round = |per_second, p50_ms, p99_ms| Figures { requests: 10, per_second, p50_ms, p99_ms, errors: 1 };
        let f = Figures::of_rounds(&[round(100.0, 3.0, 9.0), round(200.0, 1.0, 5.0), round(300.0, 2.0, 4.0)]);
        assert_eq!((f.requests, f.errors, f.per_second), (30, 3, 200.0));
        assert_eq!((f.p50_ms, f.p99_ms), (2.0, 5.0), "medians");
        assert_eq!(Figures::of_rounds(&[round(1.0, 1.0, 2.0), round(3.0, 3.0, 4.0)]).p50_ms, 2.0);
    }
}
