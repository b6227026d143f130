//! `scholargraph import`: streams records from files into the graph in
//! batches, with constant memory. Bad records are reported as `FILE:LINE:
//! reason`, skipped and copied to the rejects file; the good ones land. Each
//! batch is a transaction and the derived-data queue is durable, so a killed
//! import, run again, ends where an uninterrupted one would.
use std::fs::File;
use std::io::{self, BufRead, BufReader, IsTerminal, Read, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use sea_orm::{ConnectionTrait, DbErr};
use serde_json::json;

use super::batch::{BatchCounts, Queue, write_batch};
use super::derive;
use super::formats::{self, Format, Options, Record, RecordError};
use super::known::Known;
use super::prepare::{Prepared, prepare};
use super::runs;
use crate::db::{Db, Pipe};

/// Records per transaction: big enough for few statements, small enough to
/// keep memory flat and a failed batch cheap to retry record by record.
pub const BATCH: usize = 1_000;

#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// stop at the first bad record
    pub strict: bool,
    /// where to copy rejected records, with their reasons
    pub rejects: Option<std::path::PathBuf>,
    /// progress on stderr
    pub progress: bool,
    /// for Semantic Scholar citation edges: the paper they cite
    pub cited: Option<String>,
}

#[derive(Debug, Default, Clone)]
pub struct ImportReport {
    pub read: u64,
    pub rejected: u64,
    /// batches the database refused whole, then written record by record
    pub split_batches: u64,
    pub counts: BatchCounts,
    pub seconds: f64,
    /// set when the import stopped early: why, and what is in
    pub stopped: Option<String>,
}

impl ImportReport {
    /// 0: all imported; 3: some records rejected; 1: stopped early.
    pub fn exit_code(&self) -> u8 {
        if self.stopped.is_some() {
            1
        } else if self.rejected > 0 {
            3
        } else {
            0
        }
    }

    pub fn summary(&self) -> String {
        let c = &self.counts;
        format!(
            "{} records read; works {} created, {} updated, {} unchanged; authors {} created, {} updated; other {} created, {} updated; {} rejected; {:.1} s ({:.0} records/s)",
            self.read,
            c.works.created,
            c.works.updated,
            c.works.unchanged,
            c.authors.created,
            c.authors.updated,
            c.other.created,
            c.other.updated,
            self.rejected,
            self.seconds,
            self.read as f64 / self.seconds.max(1e-9)
        )
    }
}

fn add(total: &mut BatchCounts, c: BatchCounts) {
    for (t, c) in [(&mut total.works, c.works), (&mut total.authors, c.authors), (&mut total.other, c.other)] {
        t.created += c.created;
        t.updated += c.updated;
        t.unchanged += c.unchanged;
    }
}

/// Counts the bytes read from a file, for progress and ETA.
struct Counting<R> {
    inner: R,
    read: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

fn open(path: &str, read: Arc<AtomicU64>) -> io::Result<(Box<dyn BufRead + Send>, Option<u64>)> {
    if path == "-" {
        return Ok((formats::open(path)?, None));
    }
    let file = File::open(path)?;
    let size = file.metadata().ok().map(|m| m.len());
    let mut reader = BufReader::with_capacity(1 << 16, Counting { inner: file, read });
    let gz = path.ends_with(".gz") || reader.fill_buf()?.starts_with(&[0x1f, 0x8b]);
    let reader: Box<dyn BufRead + Send> = if gz {
        Box::new(BufReader::with_capacity(1 << 16, flate2::bufread::MultiGzDecoder::new(reader)))
    } else {
        Box::new(reader)
    };
    Ok((reader, size))
}

struct Rejects {
    out: Option<io::BufWriter<File>>,
}

impl Rejects {
    fn write(&mut self, file: &str, line: usize, reason: &str, raw: &str) -> io::Result<()> {
        eprintln!("{file}:{line}: {reason}");
        if let Some(out) = &mut self.out {
            serde_json::to_writer(&mut *out, &json!({"file": file, "line": line, "reason": reason, "record": raw}))?;
            out.write_all(b"\n")?;
        }
        Ok(())
    }
}

/// Shows progress: a bar on a terminal, a line every few seconds otherwise.
struct Progress {
    bar: Option<indicatif::ProgressBar>,
    started: Instant,
    last_line: Instant,
}

impl Progress {
    fn new(enabled: bool, total: Option<u64>, file: &str) -> Self {
        let bar = (enabled && io::stderr().is_terminal()).then(|| {
            let bar = match total {
                Some(t) => indicatif::ProgressBar::new(t),
                None => indicatif::ProgressBar::new_spinner(),
            };
            let style =
                indicatif::ProgressStyle::with_template("{msg} [{bar:30}] {bytes}/{total_bytes} {per_sec} ETA {eta}")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
            bar.set_style(style);
            bar.set_message(file.to_owned());
            bar
        });
        Self { bar, started: Instant::now(), last_line: Instant::now() }
    }

    fn update(&mut self, enabled: bool, bytes: u64, records: u64) {
        let rate = records as f64 / self.started.elapsed().as_secs_f64().max(1e-9);
        match &self.bar {
            Some(bar) => {
                bar.set_position(bytes);
                bar.set_message(format!("{records} records, {rate:.0}/s"));
            }
            None if enabled && self.last_line.elapsed() >= Duration::from_secs(5) => {
                eprintln!("import: {records} records, {rate:.0} records/s");
                self.last_line = Instant::now();
            }
            None => {}
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

pub async fn import(db: &Db, format: Format, files: &[String], options: &ImportOptions) -> ImportReport {
    let started = Instant::now();
    let mut report = ImportReport::default();
    let result = run(db, format, files, options, &mut report).await;
    if let Err(why) = result {
        report.stopped = Some(why);
    }
    report.seconds = started.elapsed().as_secs_f64();
    report
}

async fn run(
    db: &Db,
    format: Format,
    files: &[String],
    options: &ImportOptions,
    report: &mut ImportReport,
) -> Result<(), String> {
    // Leftovers of an interrupted run first.
    derive::flush(db).await.map_err(|e| format!("database: {e}"))?;
    // Before anything is set aside: an unwritable rejects file stops here.
    let mut rejects = Rejects {
        out: match &options.rejects {
            Some(path) => Some(io::BufWriter::new(File::create(path).map_err(|e| format!("{}: {e}", path.display()))?)),
            None => None,
        },
    };
    // The input's size, when every file has one (not stdin).
    let total: Option<u64> =
        files.iter().map(|f| if f == "-" { None } else { std::fs::metadata(f).ok().map(|m| m.len()) }).sum();
    let id = runs::start(db, format.name(), total).await.map_err(|e| format!("database: {e}"))?;
    let everything = derive::queue_everything_if_empty(db).await.map_err(|e| format!("database: {e}"))?;
    if everything {
        crate::db::deferred::defer(db).await.map_err(|e| format!("database: {e}"))?;
    }
    let known = Known::of_empty_tables(&db.write).await.map_err(|e| format!("database: {e}"))?;
    let mut target = Target { db, queue: if everything { Queue::Everything } else { Queue::Rows }, known };
    let mut tracker = Tracker { id, bytes_before: 0 };
    // Statement journals of the batches' multi-row writes stay in memory
    // (each is bounded by one statement); writing them to temporary files
    // took a tenth of an import. The derived-data rebuild's large sorts go
    // back to files.
    sqlite_pragmas(db, &["temp_store = MEMORY", "wal_autocheckpoint = 0"]).await?;
    let written = write_files(&mut target, format, files, options, report, &mut rejects, &mut tracker).await;
    // Its memory goes back before the derived data is rebuilt.
    target.known.forget();
    sqlite_pragmas(db, &["temp_store = FILE", "wal_autocheckpoint = 1000", "wal_checkpoint(TRUNCATE)"]).await?;
    let finished = async {
        written?;
        derive::flush(db).await.map_err(|e| format!("refreshing derived data: {e} (run `scholargraph reindex`)"))?;
        refresh_statistics(db, report).await.map_err(|e| format!("database: {e}"))
    }
    .await;
    let status = if finished.is_ok() { "DONE" } else { "STOPPED" };
    tracker.report(db, report, 0, status).await;
    finished?;
    // Live subscribers had an hour to see older events.
    crate::social::events::prune(&db.write, std::time::Duration::from_secs(3_600))
        .await
        .map_err(|e| format!("database: {e}"))?;
    Ok(())
}

async fn sqlite_pragmas(db: &Db, pragmas: &[&str]) -> Result<(), String> {
    if db.write.get_database_backend() == sea_orm::DbBackend::Sqlite {
        for pragma in pragmas {
            db.write.execute_unprepared(&format!("PRAGMA {pragma}")).await.map_err(|e| format!("database: {e}"))?;
        }
    }
    Ok(())
}

/// Where batches go, and how they queue derived data.
struct Target<'a> {
    db: &'a Db,
    queue: Queue,
    /// what earlier batches wrote into tables that were empty
    known: Known,
}

async fn write_files(
    target: &mut Target<'_>,
    format: Format,
    files: &[String],
    options: &ImportOptions,
    report: &mut ImportReport,
    rejects: &mut Rejects,
    tracker: &mut Tracker,
) -> Result<(), String> {
    for file in files {
        let bytes = Arc::new(AtomicU64::new(0));
        let (reader, size) = open(file, bytes.clone()).map_err(|e| format!("{file}: {e}"))?;
        let mut progress = Progress::new(options.progress, size, file);
        // Parsing and checking run on their own thread, beside the writes; a
        // bounded channel keeps memory flat.
        let (tx, mut rx) = tokio::sync::mpsc::channel::<Item>(BATCH);
        let opts = Options { cited: options.cited.clone(), ..Default::default() };
        let parser = std::thread::spawn(move || {
            for item in formats::records_with_options(format, reader, opts) {
                let item = match item {
                    Ok(Record { line, doc }) => match prepare(&doc) {
                        Ok(prepared) => Item::Good { line, doc, prepared: Box::new(prepared) },
                        Err(e) => Item::Bad {
                            line,
                            reason: e.to_string(),
                            raw: serde_json::to_string(&doc).unwrap_or_default(),
                        },
                    },
                    Err(RecordError { line, reason, raw }) => Item::Bad { line, reason, raw },
                };
                if tx.blocking_send(item).is_err() {
                    break;
                }
            }
        });
        let mut batch = Batch::default();
        let mut last_committed: Option<usize> = None;
        let mut stop: Option<String> = None;
        while let Some(item) = rx.recv().await {
            report.read += 1;
            match item {
                Item::Good { line, doc, prepared } => {
                    batch.prepared.push(*prepared);
                    batch.records.push((line, doc));
                }
                Item::Bad { line, reason, raw } => {
                    report.rejected += 1;
                    rejects.write(file, line, &reason, &raw).map_err(|e| format!("rejects file: {e}"))?;
                    if options.strict {
                        stop = Some(format!("{file}:{line}: {reason}"));
                        break;
                    }
                }
            }
            if batch.prepared.len() >= BATCH {
                last_committed =
                    flush_batch(target, &mut batch, file, report, rejects, options.strict).await?.or(last_committed);
                progress.update(options.progress, bytes.load(Ordering::Relaxed), report.read);
                tracker.report(target.db, report, bytes.load(Ordering::Relaxed), "RUNNING").await;
            }
        }
        drop(rx);
        let _ = parser.join();
        last_committed =
            flush_batch(target, &mut batch, file, report, rejects, options.strict).await?.or(last_committed);
        progress.finish();
        tracker.bytes_before += bytes.load(Ordering::Relaxed);
        if let Some(why) = stop {
            derive::flush(target.db).await.map_err(|e| format!("database: {e}"))?;
            let upto = last_committed
                .map_or("no record of this file".to_owned(), |l| format!("every good record up to line {l}"));
            return Err(format!("stopped at {why} (--strict); {upto} of {file} is imported"));
        }
    }
    Ok(())
}

/// The `imports` row of this run (see `runs`).
struct Tracker {
    id: i64,
    /// bytes of the files already read
    bytes_before: u64,
}

impl Tracker {
    /// Progress is advisory: a failure to record it is logged, and the
    /// import's own writes report the database's state.
    async fn report(&self, db: &Db, report: &ImportReport, bytes: u64, status: &str) {
        if let Err(e) = runs::update(db, self.id, report, self.bytes_before + bytes, status).await {
            tracing::debug!(error = %e, "import progress not recorded");
        }
    }
}

/// After a large import, Postgres' planner statistics are brought up to
/// date at once rather than whenever autovacuum comes by: with the sizes of
/// an empty database, the discovery queries chose plans 100× slower. The
/// tables are vacuumed too, so that their visibility maps let index-only
/// scans skip the rows (an author's works read 1,204 rows a second time:
/// 8.7 against 4.1 ms). On SQLite the search index's segments are merged.
async fn refresh_statistics(db: &Db, report: &ImportReport) -> Result<(), DbErr> {
    const LARGE: usize = 10_000;
    if report.counts.created() + report.counts.updated() >= LARGE {
        crate::search::index::optimize(db).await?;
    }
    if db.write.get_database_backend() == sea_orm::DbBackend::Postgres && report.counts.created() >= LARGE {
        db.write
            .execute_unprepared(
                "VACUUM (ANALYZE) works, authors, authorships, authorship_institutions, citations, work_topics, search_index, \
                 author_topics, author_institutions, coauthor_tops, topics, institutions, affiliations, venues, work_features, trend_scores",
            )
            .await?;
    }
    Ok(())
}

/// A record as the parsing thread hands it over: checked, or rejected.
enum Item {
    Good { line: usize, doc: super::model::Document, prepared: Box<Prepared> },
    Bad { line: usize, reason: String, raw: String },
}

/// Records waiting to be written together.
#[derive(Default)]
struct Batch {
    prepared: Vec<Prepared>,
    /// line and record of each, to report one the database refuses
    records: Vec<(usize, super::model::Document)>,
}

/// Writes a batch in one transaction. When the database refuses it, writes
/// its records one by one so that only the culprits are rejected. Returns the
/// last line committed.
async fn flush_batch(
    target: &mut Target<'_>,
    batch: &mut Batch,
    file: &str,
    report: &mut ImportReport,
    rejects: &mut Rejects,
    strict: bool,
) -> Result<Option<usize>, String> {
    if batch.prepared.is_empty() {
        return Ok(None);
    }
    let Batch { prepared, records } = std::mem::take(batch);
    let last = records.last().map(|(l, _)| *l);
    match write(target, &prepared).await {
        Ok(counts) => {
            add(&mut report.counts, counts);
            // Freeing a thousand records took a sixth of this thread's time,
            // which the database's thread waits for.
            std::thread::spawn(move || drop((prepared, records)));
            return Ok(last);
        }
        Err(e) if is_fatal(&e) => return Err(committed(file, records.first().map(|r| r.0), &e)),
        Err(e) => {
            // It noted rows that were rolled back.
            target.known.forget();
            report.split_batches += 1;
            tracing::debug!(error = %e, "batch refused, writing its records one by one");
        }
    }
    let mut last_ok = None;
    for (prepared, (line, doc)) in prepared.iter().zip(records) {
        let raw = serde_json::to_string(&doc).unwrap_or_default();
        match write(target, std::slice::from_ref(prepared)).await {
            Ok(counts) => {
                add(&mut report.counts, counts);
                last_ok = Some(line);
            }
            Err(e) if is_fatal(&e) => return Err(committed(file, Some(line), &e)),
            Err(e) => {
                report.rejected += 1;
                rejects
                    .write(file, line, &format!("refused by the database: {e}"), &raw)
                    .map_err(|e| format!("rejects file: {e}"))?;
                if strict {
                    return Err(format!(
                        "stopped at {file}:{line} (--strict); every good record before it is imported"
                    ));
                }
            }
        }
    }
    Ok(last_ok)
}

async fn write(target: &mut Target<'_>, docs: &[Prepared]) -> Result<BatchCounts, sea_orm::DbErr> {
    let span = tracing::info_span!("import_batch", records = docs.len());
    tracing::Instrument::instrument(write_in_transaction(target, docs), span).await
}

async fn write_in_transaction(target: &mut Target<'_>, docs: &[Prepared]) -> Result<BatchCounts, sea_orm::DbErr> {
    let tx = Pipe::begin(&target.db.write).await?;
    let counts = match write_batch(&tx, docs, target.queue, &mut target.known).await {
        Ok(counts) => counts,
        Err(e) => {
            tx.rollback().await;
            return Err(e);
        }
    };
    let started = Instant::now();
    tx.commit().await?;
    tracing::debug!(phase = "commit", ms = started.elapsed().as_secs_f64() * 1000.0, "batch phase");
    Ok(counts)
}

fn is_fatal(e: &sea_orm::DbErr) -> bool {
    matches!(e, sea_orm::DbErr::Conn(_) | sea_orm::DbErr::ConnectionAcquire(_))
}

fn committed(file: &str, line: Option<usize>, e: &sea_orm::DbErr) -> String {
    let at = line.map_or(String::new(), |l| format!(" at {file}:{l}"));
    format!("database error{at}: {e}; every record before it is imported, none after")
}
