// Binary cache: a second ingest loads the same dataset from the cache; a changed input invalidates
// it; a corrupt cache file is a clear error, never silently loaded.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "dnts/data/ingest.h"
#include "dnts/error.h"
#include "support/temp_dir.h"

using namespace dnts;

namespace {

void expect_same(const data::Dataset& a, const data::Dataset& b) {
  EXPECT_EQ(a.items.blob(), b.items.blob());
  EXPECT_EQ(a.promoters.blob(), b.promoters.blob());
  EXPECT_EQ(a.orders.item, b.orders.item);
  EXPECT_EQ(a.orders.promoter, b.orders.promoter);
  EXPECT_EQ(a.orders.ts, b.orders.ts);
  EXPECT_EQ(a.orders.amount, b.orders.amount);
  EXPECT_EQ(a.orders.path_offset, b.orders.path_offset);
  EXPECT_EQ(a.orders.path_node, b.orders.path_node);
  EXPECT_EQ(a.edges.parent, b.edges.parent);
  EXPECT_EQ(a.edges.ts, b.edges.ts);
  EXPECT_EQ(a.item_order_offset, b.item_order_offset);
  EXPECT_EQ(a.report.merged, b.report.merged);
  EXPECT_EQ(a.report.warnings, b.report.warnings);
  EXPECT_EQ(a.promoters.find("b"), b.promoters.find("b"));
}

struct CacheTest : ::testing::Test {
  test::TempDir dir{"cache"};
  data::IngestOptions opts;
  void SetUp() override {
    test::write_text(dir.file("orders.csv"), "item,promoter,ts,amount,extra\nA,b,2026-01-02,2,x\nB,a,2026-01-01,1,y\n");
    test::write_text(dir.file("edges.csv"), "item,parent,child,ts\nA,a,b,2026-01-01\nA,a,b,2026-01-01\n");
    opts.data_dir = dir.str();
  }
};

}  // namespace

TEST_F(CacheTest, SecondRunLoadsTheSameDataset) {
  data::Dataset first = data::ingest(opts);
  EXPECT_FALSE(first.report.from_cache);
  EXPECT_TRUE(std::filesystem::exists(dir.file(".dnts-cache/dataset-strict-UTC.bin")));
  data::Dataset second = data::ingest(opts);
  EXPECT_TRUE(second.report.from_cache);
  expect_same(first, second);
}

TEST_F(CacheTest, ChangedInputOrOptionsInvalidate) {
  data::ingest(opts);
  // Options that change the parse are part of the key.
  opts.tz = data::TimeZone::parse("+08:00");
  EXPECT_FALSE(data::ingest(opts).report.from_cache);
  EXPECT_TRUE(data::ingest(opts).report.from_cache);
  // Each variant keeps its own file: going back to UTC still hits.
  opts.tz = data::TimeZone{};
  EXPECT_TRUE(data::ingest(opts).report.from_cache);
  opts.mode = data::ErrorMode::kLenient;
  EXPECT_FALSE(data::ingest(opts).report.from_cache);
  opts.mode = data::ErrorMode::kStrict;
  opts.tz = data::TimeZone::parse("+08:00");
  // Rewriting the input (new size and mtime) invalidates.
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  test::write_text(dir.file("orders.csv"), "item,promoter,ts,amount\nA,b,2026-01-02,2\nA,c,2026-01-02,5\n");
  data::Dataset ds = data::ingest(opts);
  EXPECT_FALSE(ds.report.from_cache);
  EXPECT_EQ(ds.orders.size(), 2u);
  EXPECT_NE(ds.promoters.find("c"), data::kNoId);
}

TEST_F(CacheTest, CorruptCacheIsAClearError) {
  data::ingest(opts);
  std::string path = dir.file(".dnts-cache/dataset-strict-UTC.bin");
  std::string bytes = test::read_text(path);
  bytes[bytes.size() - 30] ^= 0x5A;  // flip bits in the last section (before the 16-byte footer)
  test::write_text(path, bytes);
  try {
    data::ingest(opts);
    FAIL() << "a corrupt cache was loaded";
  } catch (const IoError& e) {
    EXPECT_NE(std::string(e.what()).find("checksum mismatch"), std::string::npos) << e.what();
  }
  // Truncated file.
  test::write_text(path, bytes.substr(0, bytes.size() / 2));
  EXPECT_THROW(data::ingest(opts), IoError);
  // --no-cache bypasses it.
  opts.use_cache = false;
  EXPECT_EQ(data::ingest(opts).orders.size(), 2u);
}

TEST_F(CacheTest, ReadOnlyDataFolderUsesTheGivenCacheDir) {
  test::TempDir cache("cache_dir");
  opts.cache_dir = cache.str();
  data::ingest(opts);
  EXPECT_TRUE(std::filesystem::exists(cache.file("dataset-strict-UTC.bin")));
  EXPECT_TRUE(data::ingest(opts).report.from_cache);
}
