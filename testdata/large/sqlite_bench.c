/*
 * sqlite_bench.c: a driver that turns the SQLite amalgamation into a large WebAssembly test module
 * for wasm-host (see README.md and build.sh in this directory).
 *
 * The module is a WASI "reactor": it has no main; a host calls _initialize once, then the exported
 * functions below. Every export takes and returns plain i32 values, so a host needs no access to
 * the module's memory to use it. All databases are in memory (":memory:"); no file is ever opened.
 *
 * The same file builds natively (cc -O2 -DSQLITE_BENCH_MAIN sqlite_bench.c sqlite3.c) with a main
 * that prints the expected results, which README.md records.
 */
#include <stdio.h>
#include <string.h>

#include "sqlite3.h"

#if defined(__wasm__)
#define BENCH_EXPORT(name) __attribute__((export_name(name)))
#else
#define BENCH_EXPORT(name)
#endif

/* Rows inserted into table t by bench_setup. */
#define BENCH_ROWS 10000
/* Rows of the group table g. */
#define BENCH_GROUPS 37

static sqlite3 *db;

/* A small deterministic generator, so the data and every checksum are the same everywhere. */
static unsigned int lcg_state;

static unsigned int lcg_next(void) {
  lcg_state = lcg_state * 1103515245u + 12345u;
  return (lcg_state >> 8) & 0xffffffu;
}

static unsigned int mix(unsigned int h, unsigned int v) {
  h ^= v;
  h *= 16777619u; /* FNV-1a prime */
  return h;
}

static unsigned int mix_text(unsigned int h, const unsigned char *s) {
  if (s == 0) {
    return mix(h, 0xdeadu);
  }
  while (*s) {
    h = mix(h, *s++);
  }
  return h;
}

static int exec(const char *sql) {
  return sqlite3_exec(db, sql, 0, 0, 0);
}

/*
 * Opens a fresh in-memory database and fills it: table g with BENCH_GROUPS labelled groups, table
 * t with BENCH_ROWS rows (id, grp, val, name), and an index on t(grp). Returns 0 (SQLITE_OK) on
 * success, or SQLite's error code. May be called again: it closes the previous database first.
 */
BENCH_EXPORT("bench_setup")
int bench_setup(void) {
  static const char *const words[] = {"alpha", "bravo", "charlie", "delta", "echo", "foxtrot",
                                      "golf",  "hotel", "india",   "juliet", "kilo", "lima"};
  sqlite3_stmt *stmt = 0;
  int rc;
  int i;
  char name[64];

  if (db != 0) {
    sqlite3_close(db);
    db = 0;
  }
  rc = sqlite3_open(":memory:", &db);
  if (rc != SQLITE_OK) {
    return rc;
  }
  rc = exec("CREATE TABLE g(grp INTEGER PRIMARY KEY, label TEXT NOT NULL);"
            "CREATE TABLE t(id INTEGER PRIMARY KEY, grp INTEGER NOT NULL, val INTEGER NOT NULL,"
            " name TEXT NOT NULL);");
  if (rc != SQLITE_OK) {
    return rc;
  }
  rc = exec("BEGIN");
  if (rc != SQLITE_OK) {
    return rc;
  }
  rc = sqlite3_prepare_v2(db, "INSERT INTO g(grp, label) VALUES (?1, ?2)", -1, &stmt, 0);
  if (rc != SQLITE_OK) {
    return rc;
  }
  for (i = 0; i < BENCH_GROUPS; i++) {
    snprintf(name, sizeof name, "group-%s-%02d", words[i % 12], i);
    sqlite3_bind_int(stmt, 1, i);
    sqlite3_bind_text(stmt, 2, name, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(stmt) != SQLITE_DONE) {
      sqlite3_finalize(stmt);
      return sqlite3_errcode(db);
    }
    sqlite3_reset(stmt);
  }
  sqlite3_finalize(stmt);

  lcg_state = 20240531u;
  rc = sqlite3_prepare_v2(db, "INSERT INTO t(id, grp, val, name) VALUES (?1, ?2, ?3, ?4)", -1,
                          &stmt, 0);
  if (rc != SQLITE_OK) {
    return rc;
  }
  for (i = 1; i <= BENCH_ROWS; i++) {
    unsigned int r = lcg_next();
    snprintf(name, sizeof name, "%s %s %u", words[r % 12], words[(r >> 4) % 12], r % 1000u);
    sqlite3_bind_int(stmt, 1, i);
    sqlite3_bind_int(stmt, 2, (int)(lcg_next() % BENCH_GROUPS));
    sqlite3_bind_int(stmt, 3, (int)(lcg_next() % 100000u) - 50000);
    sqlite3_bind_text(stmt, 4, name, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(stmt) != SQLITE_DONE) {
      sqlite3_finalize(stmt);
      return sqlite3_errcode(db);
    }
    sqlite3_reset(stmt);
  }
  sqlite3_finalize(stmt);
  rc = exec("COMMIT; CREATE INDEX t_grp ON t(grp); ANALYZE;");
  return rc;
}

/*
 * Runs one reporting query over the rows of t with id <= n: a join with g, a GROUP BY with
 * count/sum/min/max/avg, count(DISTINCT ...) and string functions (length, substr, instr, LIKE,
 * upper), a HAVING and an ORDER BY. It prepares the
 * statement anew on each call, so the SQL parser and planner run too. Returns a 32-bit checksum
 * of every result row (as an int), or -1 after bench_setup was not called or on an SQL error.
 */
BENCH_EXPORT("bench_query")
int bench_query(int n) {
  static const char *const sql =
      "SELECT g.label, count(*), sum(t.val), min(t.val), max(t.val),"
      "       CAST(avg(t.val) AS INTEGER), sum(length(t.name)),"
      "       count(DISTINCT substr(t.name, 1, instr(t.name, ' ') - 1)),"
      "       sum(t.name LIKE '%a%'), upper(max(t.name))"
      "  FROM t JOIN g ON g.grp = t.grp"
      " WHERE t.id <= ?1"
      " GROUP BY g.label"
      " HAVING count(*) > 0"
      " ORDER BY sum(t.val) DESC, g.label";
  sqlite3_stmt *stmt = 0;
  unsigned int h = 2166136261u; /* FNV-1a offset basis */
  int rc;
  int col;
  int rows = 0;

  if (db == 0) {
    return -1;
  }
  rc = sqlite3_prepare_v2(db, sql, -1, &stmt, 0);
  if (rc != SQLITE_OK) {
    return -1;
  }
  sqlite3_bind_int(stmt, 1, n);
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    rows++;
    for (col = 0; col < sqlite3_column_count(stmt); col++) {
      if (sqlite3_column_type(stmt, col) == SQLITE_TEXT) {
        h = mix_text(h, sqlite3_column_text(stmt, col));
      } else {
        sqlite3_int64 v = sqlite3_column_int64(stmt, col);
        h = mix(h, (unsigned int)v);
        h = mix(h, (unsigned int)(v >> 32));
      }
    }
  }
  sqlite3_finalize(stmt);
  if (rc != SQLITE_DONE) {
    return -1;
  }
  h = mix(h, (unsigned int)rows);
  return (int)(h & 0x7fffffffu);
}

/* Number of rows in t (BENCH_ROWS after bench_setup), or -1 without a database. */
BENCH_EXPORT("bench_rows")
int bench_rows(void) {
  sqlite3_stmt *stmt = 0;
  int count = -1;
  if (db == 0 || sqlite3_prepare_v2(db, "SELECT count(*) FROM t", -1, &stmt, 0) != SQLITE_OK) {
    return -1;
  }
  if (sqlite3_step(stmt) == SQLITE_ROW) {
    count = sqlite3_column_int(stmt, 0);
  }
  sqlite3_finalize(stmt);
  return count;
}

/* SQLite's version as a number, e.g. 3054001 for 3.54.1. */
BENCH_EXPORT("bench_sqlite_version")
int bench_sqlite_version(void) {
  return sqlite3_libversion_number();
}

#ifdef SQLITE_BENCH_MAIN
int main(void) {
  int rc = bench_setup();
  if (rc != SQLITE_OK) {
    fprintf(stderr, "bench_setup failed: %d\n", rc);
    return 1;
  }
  printf("sqlite_version %d\n", bench_sqlite_version());
  printf("bench_rows %d\n", bench_rows());
  printf("bench_query(100) %d\n", bench_query(100));
  printf("bench_query(1000) %d\n", bench_query(1000));
  printf("bench_query(10000) %d\n", bench_query(10000));
  return 0;
}
#endif
