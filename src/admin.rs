//! Operator commands: `scholargraph token revoke`, `scholargraph admin
//! grant|revoke HANDLE`, `scholargraph admin claims [--approve ID | --reject ID]`,
//! `scholargraph persisted add FILE… | list`.
use anyhow::Context;
use clap::{Args, Subcommand};

use crate::cli::DbArgs;
use crate::server;
use crate::social::{accounts, claims};

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Revoke one token (given in full), or every token of a handle.
    Revoke {
        /// the token, or an account's handle
        token_or_handle: String,
        #[command(flatten)]
        db: DbArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Make an account an administrator.
    Grant {
        handle: String,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Take administrator rights away.
    Revoke {
        handle: String,
        #[command(flatten)]
        db: DbArgs,
    },
    /// List pending claims, or approve or reject one.
    Claims(ClaimsArgs),
}

#[derive(Debug, Subcommand)]
pub enum PersistedCommand {
    /// Register the operations of GraphQL files (one document per file) for
    /// `serve --persisted-only`; prints each one's SHA-256.
    Add {
        #[arg(required = true)]
        files: Vec<std::path::PathBuf>,
        #[command(flatten)]
        db: DbArgs,
    },
    /// List the registered operations.
    List {
        #[command(flatten)]
        db: DbArgs,
    },
}

#[derive(Debug, Args)]
pub struct ClaimsArgs {
    /// approve this claim (number from the list)
    #[arg(long, conflicts_with = "reject")]
    pub approve: Option<i64>,
    /// reject this claim
    #[arg(long)]
    pub reject: Option<i64>,
    #[command(flatten)]
    pub db: DbArgs,
}

pub async fn token(command: TokenCommand) -> anyhow::Result<()> {
    let TokenCommand::Revoke { token_or_handle, db } = command;
    let db = server::open_database(&db.database_url).await?;
    let n = accounts::revoke(&db, &token_or_handle).await.context("revoking")?;
    println!("{n} token{} revoked", if n == 1 { "" } else { "s" });
    Ok(())
}

pub async fn admin(command: AdminCommand) -> anyhow::Result<()> {
    match command {
        AdminCommand::Grant { handle, db } => {
            let db = server::open_database(&db.database_url).await?;
            let account = accounts::set_admin(&db, &handle, true).await?;
            println!("{} is an administrator", account.handle);
        }
        AdminCommand::Revoke { handle, db } => {
            let db = server::open_database(&db.database_url).await?;
            let account = accounts::set_admin(&db, &handle, false).await?;
            println!("{} is no longer an administrator", account.handle);
        }
        AdminCommand::Claims(args) => {
            let db = server::open_database(&args.db.database_url).await?;
            let decision = args.approve.map(|id| (id, true)).or(args.reject.map(|id| (id, false)));
            if let Some((id, approve)) = decision {
                let claim = claims::decide(&db, None, id, approve).await?;
                println!("claim {} is {}", claim.id, claim.status);
                return Ok(());
            }
            let pending = claims::pending(&db).await?;
            if pending.is_empty() {
                println!("no pending claims");
            }
            for c in pending {
                let account = accounts::by_id(&db.read, c.account_id).await?;
                println!(
                    "{}\tauthor {}\tby @{}\tORCID {}\tsince {}",
                    c.id,
                    c.author_id,
                    account.handle,
                    c.orcid.as_deref().unwrap_or("-"),
                    c.created_at.format("%Y-%m-%d %H:%M")
                );
            }
        }
    }
    Ok(())
}

pub async fn persisted(command: PersistedCommand) -> anyhow::Result<()> {
    use crate::graphql::persisted::{ALLOWED, store};
    match command {
        PersistedCommand::Add { files, db } => {
            let mut documents = Vec::new();
            for file in &files {
                let text = std::fs::read_to_string(file).with_context(|| format!("{}", file.display()))?;
                if let Err(e) = async_graphql::parser::parse_query(&text) {
                    anyhow::bail!("{}: {e}", file.display());
                }
                documents.push((file, text));
            }
            let db = server::open_database(&db.database_url).await?;
            for (file, text) in documents {
                let hash = crate::social::credentials::sha256_hex(&text);
                store(&db, &hash, &text, ALLOWED).await.context("storing")?;
                println!("{hash}\t{}", file.display());
            }
        }
        PersistedCommand::List { db } => {
            use sea_orm::ConnectionTrait;
            let db = server::open_database(&db.database_url).await?;
            let sql = "SELECT hash, source, query FROM persisted_queries ORDER BY created_at, hash";
            for row in db.read.query_all_raw(crate::db::stmt(db.backend(), sql, vec![])).await? {
                let (hash, source, query): (String, String, String) =
                    (row.try_get("", "hash")?, row.try_get("", "source")?, row.try_get("", "query")?);
                let first = query.split_whitespace().take(8).collect::<Vec<_>>().join(" ");
                println!("{hash}\t{source}\t{first}");
            }
        }
    }
    Ok(())
}
