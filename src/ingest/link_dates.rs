//! The copies of each work's publication date and year on its authorships
//! and topic links (migration 000010), by which an author's or a topic's
//! works are listed newest first straight from an index. A link written for
//! a work created in the same batch takes the values just inserted; every
//! other link, and every link of a work whose values changed, is set from
//! `works` once the batch's links are written.
use std::collections::{BTreeSet, HashMap};

use sea_orm::{ConnectionTrait, DbErr, Value};

use super::specs::WORKS;
use super::upsert::Outcome;
use crate::db::{Pipe, Sink, in_chunks, stmt};

/// The tables holding the copies.
const LINKS: [&str; 2] = ["authorships", "work_topics"];

/// The link columns, in the order [`LinkDates::of`] gives their values.
pub const COLUMNS: [&str; 2] = ["work_date", "work_year"];

pub struct LinkDates {
    created: HashMap<i64, [Value; 2]>,
    /// works whose links are set from `works` at the end of the batch
    stale: BTreeSet<i64>,
}

impl LinkDates {
    /// From the outcome of the batch's works upsert.
    pub fn new(works: &Outcome) -> Self {
        let (date, year) = (WORKS.index("publication_date"), WORKS.index("year"));
        let created = works.inserted.iter().map(|(id, row)| (*id, [row[date].clone(), row[year].clone()])).collect();
        Self { created, stale: works.updated().collect() }
    }

    /// The values of a link of `work` about to be inserted.
    pub fn of(&mut self, work: i64) -> [Value; 2] {
        match self.created.get(&work) {
            Some(values) => values.clone(),
            None => {
                self.stale.insert(work);
                [Value::ChronoDate(None), Value::Int(None)]
            }
        }
    }

    /// Sets the links of the works not known from this batch.
    pub async fn write(self, tx: &Pipe) -> Result<(), DbErr> {
        let stale: Vec<i64> = self.stale.into_iter().collect();
        for table in LINKS {
            for (list, values) in in_chunks(&stale) {
                let sql = format!(
                    "UPDATE {table} SET \
                       work_date = (SELECT w.publication_date FROM works w WHERE w.id = {table}.work_id), \
                       work_year = (SELECT w.year FROM works w WHERE w.id = {table}.work_id) \
                     WHERE work_id IN ({list})"
                );
                tx.send(stmt(tx.get_database_backend(), &sql, values)).await?;
            }
        }
        Ok(())
    }
}
