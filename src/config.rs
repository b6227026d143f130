//! The server's configuration: one typed value, read once from the command
//! line and the environment (see [`crate::cli`]), then passed through the
//! application state. Secrets in it never reach a log line: the database URL
//! prints with its password masked.
use std::fmt;
use std::net::SocketAddr;
use std::time::Duration;

use crate::graphql::SchemaLimits;

/// Where the server listens unless told otherwise.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8000";
/// A SQLite file in the working directory, created on first use.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://scholargraph.db?mode=rwc";
/// Largest request body accepted: 1 MiB.
pub const DEFAULT_BODY_LIMIT: usize = 1024 * 1024;
/// Longest a request may take before the client gets a 504.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// GraphQL requests executed at once.
pub const DEFAULT_MAX_IN_FLIGHT: usize = 16;

/// Everything `serve` needs, read once at start-up.
#[derive(Clone, Debug)]
pub struct Config {
    /// Address the HTTP server binds.
    pub listen: SocketAddr,
    /// Database to connect to (SQLite file or PostgreSQL).
    pub database_url: DatabaseUrl,
    /// A PostgreSQL read replica for queries; writes, subscriptions and
    /// mutations (with what they read back) stay on `database_url`.
    pub database_read_url: Option<DatabaseUrl>,
    /// Load the demo corpus into an empty database at start-up.
    pub demo: bool,
    /// Origins allowed by CORS; empty means any origin (without credentials).
    pub cors_origins: Vec<String>,
    /// Behind a reverse proxy: a client's address is the last entry of
    /// `X-Forwarded-For` (rate limits per IP), not the proxy's.
    pub trust_forwarded_for: bool,
    /// Largest request body in bytes; larger ones get 413.
    pub body_limit: usize,
    /// Per-request time limit; slower requests get 504.
    pub request_timeout: Duration,
    /// GraphQL requests executed at once; more wait their turn. Past the
    /// cores and the database's connections, more at once only hold more
    /// rows in memory (100,000 works, 64 connections: 439 MB unbounded).
    pub max_in_flight: usize,
    /// Depth and complexity limits of GraphQL operations.
    pub limits: SchemaLimits,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8000)),
            database_url: DatabaseUrl::new(DEFAULT_DATABASE_URL),
            database_read_url: None,
            demo: true,
            cors_origins: Vec::new(),
            trust_forwarded_for: false,
            body_limit: DEFAULT_BODY_LIMIT,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            max_in_flight: DEFAULT_MAX_IN_FLIGHT,
            limits: SchemaLimits::default(),
        }
    }
}

/// A database URL that may hold a password. `Display` and `Debug` mask the
/// password, so the URL can be logged; [`DatabaseUrl::expose`] gives the
/// real one to the driver.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl(String);

impl DatabaseUrl {
    /// Wraps a URL as given.
    pub fn new(url: impl Into<String>) -> Self {
        Self(url.into())
    }

    /// The URL with its password, for connecting only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::str::FromStr for DatabaseUrl {
    type Err = std::convert::Infallible;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Self::new(s))
    }
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&redact_url(&self.0))
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DatabaseUrl({self})")
    }
}

/// `url` with the password of its user info and any `password=` query
/// parameter replaced by `***`. A URL that does not parse is masked whole,
/// since we cannot tell where a password in it would be.
pub fn redact_url(url: &str) -> String {
    let Ok(mut parsed) = url::Url::parse(url) else {
        return "<unparsable database URL>".to_owned();
    };
    if parsed.password().is_some() {
        // Only fails for URLs that cannot have credentials, and those have none.
        let _ = parsed.set_password(Some("***"));
    }
    let secret_query = parsed.query_pairs().any(|(k, _)| k.eq_ignore_ascii_case("password"));
    if secret_query {
        let pairs: Vec<(String, String)> = parsed
            .query_pairs()
            .map(|(k, v)| {
                let v = if k.eq_ignore_ascii_case("password") { "***".into() } else { v.into_owned() };
                (k.into_owned(), v)
            })
            .collect();
        parsed.query_pairs_mut().clear().extend_pairs(pairs);
    }
    parsed.to_string()
}

/// Parses a byte size: `1048576`, `512KiB`, `1MiB` (also `KB`/`MB`/`K`/`M`,
/// all binary multiples, since request bodies are measured in bytes).
pub fn parse_size(text: &str) -> Result<usize, String> {
    let text = text.trim();
    let split = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
    let (digits, unit) = text.split_at(split);
    let n: usize = digits.parse().map_err(|_| format!("{text:?} is not a size: use e.g. 1048576, 512KiB or 1MiB"))?;
    let factor = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1024,
        "m" | "mb" | "mib" => 1024 * 1024,
        other => return Err(format!("unknown size unit {other:?}: use KiB or MiB")),
    };
    n.checked_mul(factor).filter(|n| *n > 0).ok_or_else(|| format!("{text:?} is not a usable size"))
}

/// Parses a duration: `30` (seconds), `30s`, `500ms`, `2m`.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
    let (digits, unit) = text.split_at(split);
    let n: u64 = digits.parse().map_err(|_| format!("{text:?} is not a duration: use e.g. 30, 30s or 500ms"))?;
    let duration = match unit.trim() {
        "" | "s" => Duration::from_secs(n),
        "ms" => Duration::from_millis(n),
        "m" => Duration::from_secs(n.saturating_mul(60)),
        other => return Err(format!("unknown duration unit {other:?}: use ms, s or m")),
    };
    if duration.is_zero() {
        return Err("a timeout of zero would reject every request".to_owned());
    }
    Ok(duration)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_print() {
        let url = DatabaseUrl::new("postgres://app:s3cret@db.example:5432/graph?sslmode=disable");
        assert_eq!(url.to_string(), "postgres://app:***@db.example:5432/graph?sslmode=disable");
        assert!(!format!("{url:?}").contains("s3cret"));
        assert_eq!(url.expose(), "postgres://app:s3cret@db.example:5432/graph?sslmode=disable");
        let query = redact_url("postgres://app@h/db?password=s3cret&sslmode=disable");
        assert!(!query.contains("s3cret") && query.contains("sslmode=disable"), "{query}");
        assert_eq!(redact_url(DEFAULT_DATABASE_URL), DEFAULT_DATABASE_URL);
        assert_eq!(redact_url("postgres://u:p@[oops"), "<unparsable database URL>");
    }

    #[test]
    fn sizes_and_durations() {
        assert_eq!(parse_size("1MiB"), Ok(1024 * 1024));
        assert_eq!(parse_size("512 KiB"), Ok(512 * 1024));
        assert_eq!(parse_size("2048"), Ok(2048));
        assert!(parse_size("0").is_err() && parse_size("1GB").is_err() && parse_size("lots").is_err());
        assert_eq!(parse_duration("30"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert!(parse_duration("0s").is_err() && parse_duration("soon").is_err());
    }

    #[test]
    fn defaults_match_the_documented_ones() {
        let config = Config::default();
        assert_eq!(config.listen.to_string(), DEFAULT_LISTEN);
        assert_eq!(config.body_limit, 1 << 20);
        assert!(config.demo && config.cors_origins.is_empty());
    }
}
