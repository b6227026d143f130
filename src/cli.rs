//! The command line: `serve`, `migrate`, `import`, `export-schema`,
//! `seed-demo`, `generate`, `reindex`, `export`, `token`, `admin` and
//! `persisted`. Every
//! flag can also come from the environment; the values are
//! checked here and turned into one [`Config`].
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::config::{self, Config, DatabaseUrl};
use crate::db::Db;
use crate::graphql::{self, SchemaLimits};
use crate::ingest::formats::Format;
use crate::ingest::import::{self, ImportOptions};
use crate::{demo, server};

/// A GraphQL API over a scholarly knowledge graph, on SQLite or PostgreSQL.
#[derive(Debug, Parser)]
#[command(name = "scholargraph", version, propagate_version = true)]
pub struct Cli {
    /// Log line format (filter with RUST_LOG, e.g. RUST_LOG=debug).
    #[arg(long, env = "SCHOLARGRAPH_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text, global = true)]
    pub log_format: LogFormat,
    /// Export traces over OTLP/HTTP to this collector (base URL, e.g.
    /// http://127.0.0.1:4318; `/v1/traces` is appended).
    #[arg(long, env = "OTEL_EXPORTER_OTLP_ENDPOINT", global = true)]
    pub otlp_endpoint: Option<String>,
    #[command(subcommand)]
    pub command: Command,
}

/// How log lines are written (always to stderr, so stdout stays clean for
/// `export-schema` and `generate`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

/// What to do.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the GraphQL API (POST/GET /graphql) and GraphiQL (GET /).
    Serve(ServeArgs),
    /// Apply pending database migrations, then exit.
    Migrate(DbArgs),
    /// Import records from files; exit code 0: all imported, 3: some
    /// records rejected (listed on stderr), 1: stopped early.
    Import(ImportArgs),
    /// Print the GraphQL schema (SDL) to stdout.
    ExportSchema,
    /// Migrate, load the demo corpus and print what was written.
    SeedDemo(DbArgs),
    /// Write reproducible synthetic OpenAlex works as JSON lines to stdout.
    Generate(GenerateArgs),
    /// Benchmark: generate and import N works into SQLite and PostgreSQL,
    /// serve them, drive a query mix with wrk at several concurrencies, the
    /// same on PostGraphile, and write the tables (see BENCHMARKS.md).
    Bench(crate::bench::BenchArgs),
    /// Recompute all derived data (metrics, counts, coauthor pairs) and the search index from scratch.
    Reindex(DbArgs),
    /// Write citations (BibTeX or CSL-JSON) of an author's works or of all works to stdout.
    Export(ExportArgs),
    /// Bearer tokens.
    #[command(subcommand)]
    Token(crate::admin::TokenCommand),
    /// Administrators and profile claims.
    #[command(subcommand)]
    Admin(crate::admin::AdminCommand),
    /// Operations registered for `serve --persisted-only`.
    #[command(subcommand)]
    Persisted(crate::admin::PersistedCommand),
}

/// Flags of `export`.
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("which").required(true).args(["author", "all"])))]
pub struct ExportArgs {
    /// Output format.
    #[arg(value_enum)]
    pub format: crate::export::command::ExportFormat,
    /// The works of the author with this slug (e.g. eric-shea-brown).
    #[arg(long)]
    pub author: Option<String>,
    /// Every work.
    #[arg(long)]
    pub all: bool,
    #[command(flatten)]
    pub db: DbArgs,
}

/// Which database to use.
#[derive(Debug, Args)]
pub struct DbArgs {
    /// sqlite://PATH?mode=rwc (the file is created) or postgres://USER[:PASSWORD]@HOST[:PORT]/DB
    // hide_env_values: `--help` must not print a password taken from the environment.
    #[arg(long, env = "DATABASE_URL", default_value = config::DEFAULT_DATABASE_URL, hide_env_values = true)]
    pub database_url: DatabaseUrl,
}

/// Flags of `serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "SCHOLARGRAPH_LISTEN", default_value = config::DEFAULT_LISTEN)]
    pub listen: SocketAddr,
    #[command(flatten)]
    pub db: DbArgs,
    /// Never load the demo corpus (by default it is loaded into an empty database).
    #[arg(long, env = "SCHOLARGRAPH_NO_DEMO")]
    pub no_demo: bool,
    /// A PostgreSQL read replica to send queries to; writes, subscriptions
    /// and mutations stay on --database-url (the primary).
    #[arg(long, env = "DATABASE_READ_URL", hide_env_values = true)]
    pub database_read_url: Option<DatabaseUrl>,
    /// Origins allowed by CORS, comma-separated (e.g. https://app.example); default: any origin, without credentials.
    #[arg(long = "cors-origin", env = "SCHOLARGRAPH_CORS_ORIGINS", value_delimiter = ',')]
    pub cors_origins: Vec<String>,
    /// Behind a reverse proxy: take each client's address from the last `X-Forwarded-For` entry.
    #[arg(long, env = "SCHOLARGRAPH_TRUST_FORWARDED_FOR")]
    pub trust_forwarded_for: bool,
    /// Largest request body (e.g. 1048576, 512KiB, 1MiB); larger ones get 413.
    #[arg(long, env = "SCHOLARGRAPH_BODY_LIMIT", default_value = "1MiB", value_parser = config::parse_size)]
    pub body_limit: usize,
    /// Per-request time limit (e.g. 30, 30s, 500ms); slower requests get 504.
    #[arg(long, env = "SCHOLARGRAPH_REQUEST_TIMEOUT", default_value = "30s", value_parser = config::parse_duration)]
    pub request_timeout: Duration,
    /// GraphQL requests executed at once; more wait their turn (bounds memory under load).
    #[arg(long, env = "SCHOLARGRAPH_MAX_IN_FLIGHT", default_value_t = config::DEFAULT_MAX_IN_FLIGHT)]
    pub max_in_flight: usize,
    /// Deepest nesting a GraphQL operation may have (introspection needs 13).
    #[arg(long, env = "SCHOLARGRAPH_MAX_DEPTH", default_value_t = SchemaLimits::default().max_depth)]
    pub max_depth: usize,
    /// Highest cost a GraphQL operation may have (list sizes multiply).
    #[arg(long, env = "SCHOLARGRAPH_MAX_COMPLEXITY", default_value_t = SchemaLimits::default().max_complexity)]
    pub max_complexity: usize,
    /// Longest query text in bytes (larger ones get QUERY_TOO_LARGE).
    #[arg(long, env = "SCHOLARGRAPH_MAX_QUERY_BYTES", default_value_t = graphql::limits::QueryLimits::default().max_bytes)]
    pub max_query_bytes: usize,
    /// Cost units (see `extensions.cost`) each token or IP address may spend per minute; 0 turns the limit off.
    #[arg(long, env = "SCHOLARGRAPH_RATE_LIMIT", default_value_t = SchemaLimits::default().budget_per_minute)]
    pub rate_limit: u32,
    /// Run only operations registered with `scholargraph persisted add` (by hash or by text).
    #[arg(long, env = "SCHOLARGRAPH_PERSISTED_ONLY")]
    pub persisted_only: bool,
    /// Refuse introspection (`__schema`, `__type`), e.g. in production.
    #[arg(long, env = "SCHOLARGRAPH_NO_INTROSPECTION")]
    pub no_introspection: bool,
}

/// Flags of `import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Format of the input files.
    #[arg(value_enum)]
    pub format: Format,
    /// Files to read, `-` for stdin; gzip-compressed input is decompressed.
    #[arg(required = true)]
    pub files: Vec<String>,
    #[command(flatten)]
    pub db: DbArgs,
    /// Stop at the first bad record instead of skipping it.
    #[arg(long)]
    pub strict: bool,
    /// Copy rejected records, with their reasons, to this file.
    #[arg(long)]
    pub rejects: Option<PathBuf>,
    /// For Semantic Scholar citation edges: the paper they cite.
    #[arg(long)]
    pub cited: Option<String>,
    /// No progress (by default a bar on a terminal, else a line every 5 s).
    #[arg(long)]
    pub no_progress: bool,
}

/// Flags of `generate`.
#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// How many works to write.
    #[arg(long, default_value_t = 1000)]
    pub works: usize,
    /// Seed of the generator: the same seed gives the same output.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
}

impl ServeArgs {
    /// Checks the flags and turns them into the server's [`Config`].
    pub fn into_config(self) -> anyhow::Result<Config> {
        let mut cors_origins = Vec::new();
        for origin in self.cors_origins.iter().map(|o| o.trim()).filter(|o| !o.is_empty()) {
            // `*` is the default (any origin) spelled out.
            if origin != "*" {
                check_origin(origin)?;
                cors_origins.push(origin.trim_end_matches('/').to_owned());
            }
        }
        anyhow::ensure!(
            self.max_depth >= 13,
            "--max-depth {} is below 13, the depth of the standard introspection query",
            self.max_depth
        );
        anyhow::ensure!(self.max_complexity > 0, "--max-complexity must be positive");
        anyhow::ensure!(self.max_in_flight > 0, "--max-in-flight must be positive");
        anyhow::ensure!(
            self.rate_limit == 0 || self.rate_limit as usize >= self.max_complexity,
            "--rate-limit {} is below --max-complexity {}: the costliest allowed query could never run",
            self.rate_limit,
            self.max_complexity
        );
        Ok(Config {
            listen: self.listen,
            database_url: self.db.database_url,
            database_read_url: self.database_read_url,
            demo: !self.no_demo,
            cors_origins,
            trust_forwarded_for: self.trust_forwarded_for,
            body_limit: self.body_limit,
            request_timeout: self.request_timeout,
            max_in_flight: self.max_in_flight,
            limits: SchemaLimits {
                max_depth: self.max_depth,
                max_complexity: self.max_complexity,
                query: graphql::limits::QueryLimits { max_bytes: self.max_query_bytes, ..Default::default() },
                introspection: !self.no_introspection,
                budget_per_minute: self.rate_limit,
                persisted_only: self.persisted_only,
            },
        })
    }
}

/// An origin is `scheme://host[:port]`, nothing more.
fn check_origin(origin: &str) -> anyhow::Result<()> {
    let parsed = url::Url::parse(origin).with_context(|| format!("CORS origin {origin:?} is not a URL"))?;
    let bare = parsed.path() == "/" && parsed.query().is_none() && parsed.fragment().is_none();
    anyhow::ensure!(parsed.has_host() && bare, "CORS origin {origin:?} must look like https://host[:port]");
    Ok(())
}

/// Runs one command to completion; returns the process exit code (0 on
/// success; `import` has its own codes).
pub async fn run(cli: Cli) -> anyhow::Result<u8> {
    match cli.command {
        Command::Import(args) => return run_import(args).await,
        Command::Serve(args) => server::serve(args.into_config()?).await?,
        Command::Migrate(args) => {
            server::open_database(&args.database_url).await?;
            println!("migrated {}", args.database_url);
        }
        Command::ExportSchema => {
            let sdl = schema_sdl().await?;
            let mut out = std::io::stdout().lock();
            out.write_all(sdl.as_bytes()).and_then(|()| out.flush()).context("writing the schema to stdout")?;
        }
        Command::SeedDemo(args) => {
            let db = server::open_database(&args.database_url).await?;
            let summary = demo::load(&db).await?;
            println!(
                "demo corpus loaded into {}: {} rows created, {} updated",
                args.database_url, summary.created, summary.updated
            );
        }
        Command::Reindex(args) => {
            let db = server::open_database(&args.database_url).await?;
            let started = std::time::Instant::now();
            crate::ingest::derive::rebuild(&db).await.context("recomputing derived data")?;
            crate::search::index::rebuild(&db).await.context("rebuilding the search index")?;
            println!("derived data and search index rebuilt in {:.1} s", started.elapsed().as_secs_f64());
        }
        Command::Export(args) => {
            let db = server::open_database(&args.db.database_url).await?;
            let selection = match args.author {
                Some(slug) => crate::export::command::Selection::Author(slug),
                None => crate::export::command::Selection::All,
            };
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            let n = crate::export::command::export(&db, args.format, &selection, &mut out).await?;
            eprintln!("{n} works exported");
        }
        Command::Token(command) => crate::admin::token(command).await?,
        Command::Admin(command) => crate::admin::admin(command).await?,
        Command::Persisted(command) => crate::admin::persisted(command).await?,
        Command::Bench(args) => crate::bench::run(args).await?,
        Command::Generate(args) => {
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            crate::ingest::generate::generate(args.works, args.seed, &mut out)
                .context("writing generated works to stdout")?;
        }
    }
    Ok(0)
}

async fn run_import(args: ImportArgs) -> anyhow::Result<u8> {
    let db = server::open_database(&args.db.database_url).await?;
    let options =
        ImportOptions { strict: args.strict, rejects: args.rejects, progress: !args.no_progress, cited: args.cited };
    let report = import::import(&db, args.format, &args.files, &options).await;
    println!("{}", report.summary());
    if let Some(why) = &report.stopped {
        eprintln!("error: import stopped: {why}");
    }
    Ok(report.exit_code())
}

/// The schema's SDL, as `export-schema` prints it. The schema does not touch
/// the database while it is built, so a throwaway in-memory SQLite stands in.
pub async fn schema_sdl() -> anyhow::Result<String> {
    let db = Db::connect("sqlite::memory:").await.context("opening an in-memory SQLite database")?;
    Ok(graphql::build_schema(db, &SchemaLimits::default()).sdl())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn serve_flags_become_a_config() {
        let cli = Cli::try_parse_from([
            "scholargraph",
            "serve",
            "--listen",
            "0.0.0.0:9000",
            "--no-demo",
            "--cors-origin",
            "https://a.example,https://b.example/",
            "--body-limit",
            "64KiB",
            "--request-timeout",
            "5s",
        ])
        .unwrap();
        let Command::Serve(args) = cli.command else { panic!("not serve") };
        let config = args.into_config().unwrap();
        assert_eq!(config.listen.to_string(), "0.0.0.0:9000");
        assert!(!config.demo);
        assert_eq!(config.cors_origins, ["https://a.example", "https://b.example"]);
        assert_eq!((config.body_limit, config.request_timeout), (65536, Duration::from_secs(5)));
    }

    #[test]
    fn import_takes_a_format_and_files() {
        let cli = Cli::try_parse_from(["scholargraph", "import", "openalex", "a.jsonl.gz", "-", "--strict"]).unwrap();
        let Command::Import(args) = cli.command else { panic!("not import") };
        assert_eq!(
            (args.format, args.files.as_slice(), args.strict),
            (Format::OpenAlex, &["a.jsonl.gz".to_owned(), "-".to_owned()][..], true)
        );
        assert!(Cli::try_parse_from(["scholargraph", "import", "openalex"]).is_err(), "files are required");
    }

    #[test]
    fn bad_values_are_rejected_with_a_message() {
        assert!(Cli::try_parse_from(["scholargraph", "serve", "--listen", "nowhere"]).is_err());
        assert!(Cli::try_parse_from(["scholargraph", "serve", "--body-limit", "huge"]).is_err());
        let cli = Cli::try_parse_from(["scholargraph", "serve", "--cors-origin", "example.com/path"]).unwrap();
        let Command::Serve(args) = cli.command else { panic!("not serve") };
        assert!(args.into_config().unwrap_err().to_string().contains("CORS origin"));
    }
}
