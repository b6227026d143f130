#!/bin/sh
# What SQLite alone needs to write an imported graph: the rows of an
# imported file copied into an empty file of the same schema (one
# INSERT … SELECT per table in rowid order), every index built afterwards,
# and the search index written in 100 transactions as an import batches it.
# No parsing, matching or derived data: the floor under `scholargraph import`.
#
#   scholargraph generate --works 100000 --seed 42 > w.jsonl
#   scholargraph import openalex w.jsonl --database-url 'sqlite://x.db?mode=rwc'
#   bench/sqlite-floor.sh x.db
set -eu
src=${1:?usage: bench/sqlite-floor.sh IMPORTED.db}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
db="$out/floor.db"
now() { date +%s%N; }
took() { echo "$1: $((($(now) - $2) / 1000000)) ms"; }

q() { sqlite3 "$src" "$1"; }
# tables of rows: not the search index, its shadow tables or SQLite's own
plain="sql NOT LIKE 'CREATE VIRTUAL%' AND name NOT LIKE 'search_index_%' AND name NOT LIKE 'sqlite_%'"
q "SELECT sql || ';' FROM sqlite_master WHERE type = 'table' AND $plain" >"$out/tables.sql"
q "SELECT sql || ';' FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL" >"$out/indexes.sql"
sqlite3 "$db" "PRAGMA journal_mode = WAL;" >/dev/null
sqlite3 "$db" <"$out/tables.sql"

{
  echo "PRAGMA synchronous = NORMAL; ATTACH '$src' AS s; BEGIN;"
  q "SELECT name FROM sqlite_master WHERE type = 'table' AND $plain AND name NOT LIKE 'seaql_%'" | while read -r t; do
    echo "INSERT INTO main.$t SELECT * FROM s.$t ORDER BY rowid;"
  done
  echo "COMMIT;"
} >"$out/copy.sql"
start=$(now)
sqlite3 "$db" <"$out/copy.sql"
took "tables (rows, primary keys, unique constraints)" "$start"

start=$(now)
{ echo "BEGIN;"; cat "$out/indexes.sql"; echo "COMMIT;"; } | sqlite3 "$db"
took "indexes ($(wc -l <"$out/indexes.sql"))" "$start"

# As src/search/index.rs makes it, one transaction per 1,000 works.
fts=$(q "SELECT sql FROM sqlite_master WHERE name = 'search_index'" | sed 's/, *contentless_delete *= *1//')
works=$(q "SELECT max(id) FROM works")
authors=$(q "SELECT max(id) FROM authors")
{
  echo "PRAGMA synchronous = NORMAL; ATTACH '$src' AS s; $fts;"
  for i in $(seq 0 99); do
    echo "BEGIN;
      INSERT INTO search_index (rowid, name, body) SELECT id * 4, title, coalesce(abstract, '') FROM s.works
        WHERE id > $((i * works / 100)) AND id <= $(((i + 1) * works / 100));
      INSERT INTO search_index (rowid, name, body) SELECT id * 4 + 1, display_name, '' FROM s.authors
        WHERE id > $((i * authors / 100)) AND id <= $(((i + 1) * authors / 100));
      COMMIT;"
  done
} >"$out/search.sql"
start=$(now)
sqlite3 "$db" <"$out/search.sql" >/dev/null
took "search index" "$start"
