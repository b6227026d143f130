//! The benchmark's tables, as Markdown, and their place in `BENCHMARKS.md`.
use std::path::Path;

use anyhow::Context;

use super::BenchArgs;
use super::floor::Floor;
use super::load::{Figures, Tool};

/// One query at one concurrency on one server.
pub struct Row {
    pub server: &'static str,
    pub database: &'static str,
    pub query: &'static str,
    pub concurrency: usize,
    pub figures: Figures,
    pub statements: Option<f64>,
}

pub struct Measured {
    header: String,
    pub rows: Vec<Row>,
    pub floors: Vec<(&'static str, &'static str, Floor)>,
    pub peak_mb: Vec<(String, Option<f64>)>,
}

impl Measured {
    pub fn new(args: &BenchArgs, tool: Tool) -> Self {
        let cpu = std::fs::read_to_string("/proc/cpuinfo")
            .ok()
            .and_then(|c| {
                c.lines()
                    .find(|l| l.starts_with("model name"))
                    .map(|l| l[l.find(':').map_or(0, |i| i + 2)..].to_owned())
            })
            .unwrap_or_else(|| "unknown CPU".to_owned());
        let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
        let round = args.round_seconds();
        let header = format!(
            "{} works (seed {}), load by {}; {cores} cores ({cpu}), servers, databases and load generator on \
             one machine. Each query at each concurrency ran in {} rounds of {round} s, each round on every \
             server in turn; req/s is the rounds' mean, p50 and p99 their medians. \
             Command: `scholargraph bench --works {} --seconds {} --rounds {}`",
            args.works,
            args.seed,
            match tool {
                Tool::Wrk => "wrk",
                _ => "the built-in client",
            },
            args.rounds,
            args.works,
            args.seconds,
            args.rounds,
        );
        Self { header, rows: Vec::new(), floors: Vec::new(), peak_mb: Vec::new() }
    }

    fn find(&self, server: &str, database: &str, query: &str, c: usize) -> Option<&Row> {
        self.rows
            .iter()
            .find(|r| r.server == server && r.database == database && r.query == query && r.concurrency == c)
    }

    pub fn markdown(&self) -> String {
        let mut out = format!("{}\n\n", self.header);
        out.push_str("| server | database | query | connections | req/s | p50 ms | p99 ms | SQL statements / request | errors |\n");
        out.push_str("|---|---|---|---:|---:|---:|---:|---:|---:|\n");
        for r in &self.rows {
            let f = &r.figures;
            out.push_str(&format!(
                "| {} | {} | {} | {} | {:.0} | {:.2} | {:.2} | {} | {} |\n",
                r.server,
                r.database,
                r.query,
                r.concurrency,
                f.per_second,
                f.p50_ms,
                f.p99_ms,
                r.statements.map_or("–".to_owned(), |s| format!("{s:.1}")),
                f.errors
            ));
        }
        let shared: Vec<&Row> = self.rows.iter().filter(|r| r.server != "scholargraph").collect();
        if !shared.is_empty() {
            out.push_str("\nSide by side on the same PostgreSQL database (ratio: scholargraph ÷ PostGraphile for req/s, PostGraphile ÷ scholargraph for p50):\n\n");
            out.push_str("| query | connections | scholargraph req/s | PostGraphile req/s | req/s ratio | scholargraph p50 ms | PostGraphile p50 ms | p50 ratio | scholargraph on SQLite req/s |\n");
            out.push_str("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
            for peer in shared {
                let Some(ours) = self.find("scholargraph", "PostgreSQL", peer.query, peer.concurrency) else {
                    continue;
                };
                let lite = self.find("scholargraph", "SQLite", peer.query, peer.concurrency);
                let (o, p) = (&ours.figures, &peer.figures);
                out.push_str(&format!(
                    "| {} | {} | {:.0} | {:.0} | {} | {:.2} | {:.2} | {} | {} |\n",
                    peer.query,
                    peer.concurrency,
                    o.per_second,
                    p.per_second,
                    ratio(o.per_second, p.per_second),
                    o.p50_ms,
                    p.p50_ms,
                    ratio(p.p50_ms, o.p50_ms),
                    lite.map_or("–".to_owned(), |l| format!("{:.0}", l.figures.per_second)),
                ));
            }
        }
        if !self.floors.is_empty() {
            out.push_str("\nThe floor: the statements our loaders issue for one request, run directly one after another (no GraphQL, no HTTP), against the same request through the schema in-process and over HTTP (serial p50):\n\n");
            out.push_str(
                "| database | query | statements | SQL floor ms | in-process ms | HTTP p50 ms | HTTP ÷ floor |\n",
            );
            out.push_str("|---|---|---:|---:|---:|---:|---:|\n");
            // Measured query by query; shown database by database.
            let mut databases: Vec<&str> = Vec::new();
            for (database, _, _) in &self.floors {
                if !databases.contains(database) {
                    databases.push(database);
                }
            }
            let floors =
                databases.iter().flat_map(|d| self.floors.iter().filter(move |(database, _, _)| database == d));
            for (database, query, f) in floors {
                let http = self.find("scholargraph", database, query, 1).map(|r| r.figures.p50_ms);
                out.push_str(&format!(
                    "| {database} | {query} | {} | {:.2} | {:.2} | {} | {} |\n",
                    f.statements,
                    f.sql_ms,
                    f.in_process_ms,
                    http.map_or("–".to_owned(), |h| format!("{h:.2}")),
                    http.map_or("–".to_owned(), |h| format!("{:.2}", h / f.sql_ms.max(1e-9))),
                ));
            }
        }
        out.push_str("\nPeak resident memory (VmHWM) of each server over its runs:\n\n");
        for (name, mb) in &self.peak_mb {
            out.push_str(&format!("- {name}: {}\n", mb.map_or("unknown".to_owned(), |m| format!("{m:.0} MB"))));
        }
        out
    }
}

/// Replaces the section of `works` works in `path` (between its markers),
/// or appends it, keeping everything else in the file.
pub fn write_into(path: &Path, works: usize, markdown: &str) -> anyhow::Result<()> {
    let begin = format!("<!-- bench {works} works: begin -->");
    let end = format!("<!-- bench {works} works: end -->");
    let old = std::fs::read_to_string(path).unwrap_or_default();
    let section = format!("{begin}\n{markdown}{end}");
    let new = match (old.find(&begin), old.find(&end)) {
        (Some(b), Some(e)) if e > b => format!("{}{section}{}", &old[..b], &old[e + end.len()..]),
        _ if old.is_empty() => format!("# Benchmarks\n\n{section}\n"),
        _ => format!("{}\n{section}\n", old.trim_end()),
    };
    std::fs::write(path, new).with_context(|| format!("writing {}", path.display()))
}

/// `a ÷ b` as `2.5×`; `–` when either side finished no request in the run
/// (a peer's 0 req/s made it 54,440,000,000×).
fn ratio(a: f64, b: f64) -> String {
    if a > 0.0 && b > 0.0 { format!("{:.1}×", a / b) } else { "–".to_owned() }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_ratio_over_nothing_is_a_dash() {
        assert_eq!(super::ratio(5.0, 2.0), "2.5×");
        assert_eq!(super::ratio(54.0, 0.0), "–");
        assert_eq!(super::ratio(0.0, 3.0), "–");
    }
}
