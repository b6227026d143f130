//! `scholargraph export bibtex|csl-json|openalex (--author SLUG | --all)`: streams
//! citations page by page, in constant memory.
use std::collections::HashMap;
use std::io::Write;

use anyhow::Context;
use sea_orm::{FromQueryResult, Value};

use super::cite::{Citable, Name, bibtex, csl_json};
use crate::db::{Db, in_list, stmt};
use crate::entities::work;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    Bibtex,
    CslJson,
    /// OpenAlex Work records, one per line (what `import openalex` reads)
    Openalex,
}

pub enum Selection {
    Author(String),
    All,
}

const PAGE: u64 = 500;

#[derive(FromQueryResult)]
struct NameRow {
    work_id: i64,
    raw_name: String,
    given_name: Option<String>,
    family_name: Option<String>,
}

#[derive(FromQueryResult)]
struct VenueRow {
    id: i64,
    name: String,
}

#[derive(FromQueryResult)]
struct IdRow {
    id: i64,
}

/// Writes the citations; returns how many.
pub async fn export(
    db: &Db,
    format: ExportFormat,
    selection: &Selection,
    out: &mut impl Write,
) -> anyhow::Result<usize> {
    let conn = &db.read;
    let backend = conn.get_database_backend();
    let author = match selection {
        Selection::All => None,
        Selection::Author(slug) => {
            let row = IdRow::find_by_statement(stmt(
                backend,
                "SELECT id FROM authors WHERE slug = ?",
                vec![slug.clone().into()],
            ))
            .one(conn)
            .await?;
            Some(row.with_context(|| format!("no author with slug {slug:?}"))?.id)
        }
    };
    if format == ExportFormat::CslJson {
        out.write_all(b"[")?;
    }
    let (mut after, mut written) = (0i64, 0usize);
    loop {
        let (sql, values): (&str, Vec<Value>) = match author {
            None => ("SELECT w.* FROM works w WHERE w.id > ? ORDER BY w.id LIMIT ?", vec![after.into(), PAGE.into()]),
            Some(a) => (
                "SELECT w.* FROM authorships p JOIN works w ON w.id = p.work_id WHERE p.author_id = ? AND w.id > ? ORDER BY w.id LIMIT ?",
                vec![a.into(), after.into(), PAGE.into()],
            ),
        };
        let works = work::Model::find_by_statement(stmt(backend, sql, values)).all(conn).await?;
        let Some(last) = works.last() else { break };
        after = last.id;
        if format == ExportFormat::Openalex {
            let mut extras = super::openalex::extras(conn, &works).await?;
            for w in &works {
                serde_json::to_writer(&mut *out, &super::openalex::record(w, &mut extras))?;
                out.write_all(b"\n")?;
            }
            written += works.len();
            continue;
        }
        let ids: Vec<Value> = works.iter().map(|w| Value::from(w.id)).collect();
        let sql = format!(
            "SELECT a.work_id, a.raw_name, au.given_name, au.family_name FROM authorships a \
             LEFT JOIN authors au ON au.id = a.author_id WHERE a.work_id IN ({}) ORDER BY a.work_id, a.position",
            in_list(ids.len())
        );
        let mut names: HashMap<i64, Vec<Name>> = HashMap::new();
        for r in NameRow::find_by_statement(stmt(backend, &sql, ids)).all(conn).await? {
            names.entry(r.work_id).or_default().push(Name::new(
                r.given_name.as_deref(),
                r.family_name.as_deref(),
                &r.raw_name,
            ));
        }
        let venue_ids: Vec<Value> = works.iter().filter_map(|w| w.venue_id).map(Value::from).collect();
        let mut venues: HashMap<i64, String> = HashMap::new();
        if !venue_ids.is_empty() {
            let sql = format!("SELECT id, name FROM venues WHERE id IN ({})", in_list(venue_ids.len()));
            venues.extend(
                VenueRow::find_by_statement(stmt(backend, &sql, venue_ids))
                    .all(conn)
                    .await?
                    .into_iter()
                    .map(|v| (v.id, v.name)),
            );
        }
        for w in &works {
            let c = Citable {
                work: w,
                authors: names.remove(&w.id).unwrap_or_default(),
                venue: w.venue_id.and_then(|v| venues.get(&v).cloned()),
            };
            match format {
                ExportFormat::Bibtex => {
                    out.write_all(bibtex(&c).as_bytes())?;
                    out.write_all(b"\n")?;
                }
                // CSL-JSON (OpenAlex records are written above)
                _ => {
                    out.write_all(if written == 0 { b"\n" } else { b",\n" })?;
                    serde_json::to_writer(&mut *out, &csl_json(&c))?;
                }
            }
            written += 1;
        }
    }
    if format == ExportFormat::CslJson {
        out.write_all(b"\n]\n")?;
    }
    out.flush()?;
    Ok(written)
}
