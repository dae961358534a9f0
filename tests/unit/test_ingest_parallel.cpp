// The parallel in-memory reader (chunks cut at newlines, ids interned per chunk and merged) against
// the streaming CsvReader reference: same Dataset bit for bit, same lenient report (counts, example
// messages with their line numbers), same first error in strict mode, on simulated data and on
// randomly corrupted, reordered and reformatted copies of it, for several chunk counts.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <sstream>

#include "dnts/data/ingest.h"
#include "dnts/data/simulate.h"
#include "dnts/error.h"
#include "support/temp_dir.h"

using namespace dnts;

namespace {

void expect_same(const data::Dataset& a, const data::Dataset& b, const std::string& what) {
  SCOPED_TRACE(what);
  EXPECT_EQ(a.items.blob(), b.items.blob());
  EXPECT_EQ(a.items.offsets(), b.items.offsets());
  EXPECT_EQ(a.promoters.blob(), b.promoters.blob());
  EXPECT_EQ(a.promoters.offsets(), b.promoters.offsets());
  EXPECT_EQ(a.orders.item, b.orders.item);
  EXPECT_EQ(a.orders.promoter, b.orders.promoter);
  EXPECT_EQ(a.orders.ts, b.orders.ts);
  EXPECT_EQ(a.orders.amount, b.orders.amount);
  EXPECT_EQ(a.orders.path_explicit, b.orders.path_explicit);
  EXPECT_EQ(a.orders.path_offset, b.orders.path_offset);
  EXPECT_EQ(a.orders.path_node, b.orders.path_node);
  EXPECT_EQ(a.edges.item, b.edges.item);
  EXPECT_EQ(a.edges.parent, b.edges.parent);
  EXPECT_EQ(a.edges.child, b.edges.child);
  EXPECT_EQ(a.edges.ts, b.edges.ts);
  EXPECT_EQ(a.item_order_offset, b.item_order_offset);
  EXPECT_EQ(a.item_edge_offset, b.item_edge_offset);
  EXPECT_EQ(a.report.order_rows, b.report.order_rows);
  EXPECT_EQ(a.report.edge_rows, b.report.edge_rows);
  EXPECT_EQ(a.report.skipped, b.report.skipped);
  EXPECT_EQ(a.report.merged, b.report.merged);
  EXPECT_EQ(a.report.warnings, b.report.warnings);
  EXPECT_EQ(a.report.examples, b.report.examples);
}

struct Outcome {
  bool ok = false;
  std::string error;
  data::Dataset ds;
};

Outcome run(const std::string& dir, data::ErrorMode mode, bool streaming, int threads) {
  data::IngestOptions o;
  o.data_dir = dir;
  o.use_cache = false;
  o.mode = mode;
  o.streaming = streaming;
  o.threads = threads;
  Outcome r;
  try {
    r.ds = data::ingest(o);
    r.ok = true;
  } catch (const InputError& e) {
    r.error = e.what();
  }
  return r;
}

// Both modes, the reference against 1, 2, 3 and 7 chunks. Returns the rows the lenient reference
// skipped (so callers can check their corruptions were exercised).
int64_t expect_readers_agree(const std::string& dir) {
  int64_t skipped = 0;
  for (data::ErrorMode mode : {data::ErrorMode::kStrict, data::ErrorMode::kLenient}) {
    Outcome ref = run(dir, mode, true, 1);
    if (ref.ok && mode == data::ErrorMode::kLenient) skipped = ref.ds.report.skipped_total();
    for (int threads : {1, 2, 3, 7}) {
      std::string what = (mode == data::ErrorMode::kStrict ? "strict, " : "lenient, ") + std::to_string(threads) +
                         " chunks";
      Outcome got = run(dir, mode, false, threads);
      EXPECT_EQ(got.ok, ref.ok) << what << ": " << got.error << " / " << ref.error;
      if (got.ok != ref.ok) continue;
      if (ref.ok) {
        expect_same(got.ds, ref.ds, what);
      } else {
        EXPECT_EQ(got.error, ref.error) << what;
      }
    }
  }
  return skipped;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  std::string l;
  while (std::getline(in, l)) lines.push_back(l);
  return lines;
}

std::string join_lines(const std::vector<std::string>& lines, const std::string& eol, bool final_eol) {
  std::string out;
  for (size_t i = 0; i < lines.size(); ++i) {
    out += lines[i];
    if (i + 1 < lines.size() || final_eol) out += eol;
  }
  return out;
}

struct Sim {
  test::TempDir dir{"parallel"};
  std::vector<std::string> orders, edges;
  explicit Sim(bool path_mode, uint64_t seed) {
    data::SimulateOptions o;
    o.promoters = 150;
    o.items = 8;
    o.days = 20;
    o.seed = seed;
    o.path_mode = path_mode;
    o.progress = false;
    data::simulate(o, dir.file("src"));
    orders = lines_of(test::read_text(dir.file("src/orders.csv")));
    edges = lines_of(test::read_text(dir.file("src/edges.csv")));
  }
};

// Damages a data line (index >= 1) in one of the ways DATA.md rejects.
std::string damage(const std::string& line, int kind) {
  std::vector<std::string> f;
  std::string cur;
  for (char c : line) {
    if (c == ',') {
      f.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  f.push_back(cur);
  auto glue = [&] {
    std::string s;
    for (size_t i = 0; i < f.size(); ++i) s += (i ? "," : "") + f[i];
    return s;
  };
  switch (kind) {
    case 0: f[2] = "2026-13-45"; return glue();            // bad timestamp (ts is column 2 in orders)
    case 1: f[0] = ""; return glue();                      // empty item
    case 2: f[0] = "*"; return glue();                     // reserved item
    case 3: return line + ",extra";                        // wrong field count
    case 4: if (f.size() > 3) f[3] = "-2"; return glue();  // negative amount (orders)
    case 5: if (f.size() > 3) f[3] = "x"; return glue();   // non-numeric amount (orders)
    case 6: return "";                                     // blank line (skipped, not an error)
    default: f[1] = ""; return glue();                     // empty promoter / parent
  }
}

}  // namespace

TEST(IngestParallel, SimulatedDataMatchesTheStreamingReader) {
  for (bool path_mode : {false, true}) {
    Sim sim(path_mode, 3);
    test::write_text(sim.dir.file("d/orders.csv"), join_lines(sim.orders, "\n", true));
    test::write_text(sim.dir.file("d/edges.csv"), join_lines(sim.edges, "\n", true));
    expect_readers_agree(sim.dir.file("d"));
    EXPECT_GT(sim.orders.size(), 100u);
  }
}

TEST(IngestParallel, CorruptedReorderedAndReformattedCopiesMatch) {
  std::mt19937_64 rng(2026);
  int64_t skipped = 0;
  for (int trial = 0; trial < 12; ++trial) {
    SCOPED_TRACE("trial " + std::to_string(trial));
    Sim sim(trial % 3 == 2, uint64_t(trial) + 10);
    std::vector<std::string> orders = sim.orders, edges = sim.edges;
    // Shuffle some orders (forces the sort), damage a few rows of each file.
    if (trial % 2 == 1) std::shuffle(orders.begin() + 1, orders.end(), rng);
    const int n_bad = trial % 4 == 0 ? 0 : int(rng() % 6) + 1;
    for (int k = 0; k < n_bad; ++k) {
      size_t i = 1 + rng() % (orders.size() - 1);
      orders[i] = damage(orders[i], int(rng() % 8));
      if (edges.size() > 2 && rng() % 2 == 0) {
        size_t j = 1 + rng() % (edges.size() - 1);
        int kind = std::array<int, 5>{0, 1, 2, 3, 7}[rng() % 5];
        if (kind == 0) {
          // ts is column 3 in edges.csv
          edges[j] = edges[j].substr(0, edges[j].rfind(',')) + ",yesterday";
        } else {
          edges[j] = damage(edges[j], kind);
        }
      }
    }
    // Duplicate and conflicting edges, a cycle-closing edge, blank lines.
    if (edges.size() > 4 && trial % 3 == 0) {
      edges.push_back(edges[2]);
      edges.insert(edges.begin() + 3, "");
    }
    const std::string eol = trial % 4 == 3 ? "\r\n" : "\n";
    const bool final_eol = trial % 5 != 4;
    std::string orders_text = join_lines(orders, eol, final_eol);
    if (trial == 5) orders_text = "\xEF\xBB\xBF" + orders_text;  // BOM
    test::write_text(sim.dir.file("d/orders.csv"), orders_text);
    test::write_text(sim.dir.file("d/edges.csv"), join_lines(edges, eol, final_eol));
    skipped += expect_readers_agree(sim.dir.file("d"));
  }
  EXPECT_GT(skipped, 10);
}

TEST(IngestParallel, AQuoteAnywhereFallsBackToTheStreamingReader) {
  Sim sim(false, 4);
  std::vector<std::string> orders = sim.orders;
  // A quoted field with an embedded newline in the middle of the file: cutting at newlines would
  // split the record, so the whole file is read by CsvReader.
  size_t mid = orders.size() / 2;
  std::string first = orders[mid].substr(0, orders[mid].find(','));
  orders[mid] = "\"" + first + "\"" + orders[mid].substr(first.size());
  orders.insert(orders.begin() + int64_t(mid) + 1, "\"i0001\",\"p000001\nx\",2026-01-05,1");
  test::write_text(sim.dir.file("d/orders.csv"), join_lines(orders, "\n", true));
  test::write_text(sim.dir.file("d/edges.csv"), join_lines(sim.edges, "\n", true));
  expect_readers_agree(sim.dir.file("d"));
  Outcome got = run(sim.dir.file("d"), data::ErrorMode::kLenient, false, 3);
  ASSERT_TRUE(got.ok);
  EXPECT_NE(got.ds.promoters.find("p000001\nx"), data::kNoId);
}

TEST(IngestParallel, HeaderOnlyAndBlankFilesMatch) {
  test::TempDir dir("parallel_edge_cases");
  for (const std::string& orders : {std::string("item,promoter,ts\n"), std::string("\n\n"), std::string(""),
                                    std::string("\r\n\nitem,promoter,ts\r\n\r\nA,a,2026-01-01\r\n\n"),
                                    std::string("item,promoter,ts\nA,a,2026-01-01")}) {
    test::write_text(dir.file("orders.csv"), orders);
    expect_readers_agree(dir.str());
  }
}
