// DFS descendant sampling and routing targets on hand-made networks.
#include <gtest/gtest.h>

#include <set>

#include "dnts/data/ingest.h"
#include "dnts/tree/sampling.h"
#include "support/temp_dir.h"

using namespace dnts;

namespace {

struct Fixture {
  test::TempDir dir{"sampling"};
  data::Dataset ds;
  tree::PropagationTable table;
  Fixture(const std::string& edges, const std::string& orders) {
    test::write_text(dir.file("edges.csv"), edges);
    test::write_text(dir.file("orders.csv"), orders);
    data::IngestOptions o;
    o.data_dir = dir.str();
    o.use_cache = false;
    ds = data::ingest(o);
    table = tree::build_propagation(ds, data::TimeAxis{}, 1);
  }
  std::string name(uint32_t local) const {
    return std::string(ds.promoters.name(table.items[0].promoters[local]));
  }
  std::vector<std::pair<std::string, std::string>> named(const tree::DescendantPairs& p) const {
    std::vector<std::pair<std::string, std::string>> out;
    for (size_t i = 0; i < p.size(); ++i) out.emplace_back(name(p.src[i]), name(p.dst[i]));
    return out;
  }
};

using Pairs = std::vector<std::pair<std::string, std::string>>;

}  // namespace

TEST(Sampling, DfsPreorderFavoursRecentThenHighVolumeLinks) {
  // r has children a (used on day 1, 5 units) and b (used on day 2, 1 unit); a has child c.
  Fixture f("item,parent,child,ts\nI,,r,2026-01-01\nI,r,a,2026-01-01\nI,r,b,2026-01-01\nI,a,c,2026-01-01\n",
            "item,promoter,ts,amount\nI,a,2026-01-02,5\nI,b,2026-01-03,1\nI,c,2026-01-03,1\nI,r,2026-01-04,1\n");
  // Origin = 2026-01-04 (bucket 3), window 3 buckets: b's link was used on day 3, a's on days 2 and 3.
  auto p = tree::sample_descendants(f.ds, f.table, 0, 3, 3, 10, nullptr);
  // r: a (recency tie on day 3, a has more volume) then its subtree c, then b. a: c. b, c: none.
  EXPECT_EQ(f.named(p), (Pairs{{"r", "a"}, {"r", "c"}, {"r", "b"}, {"a", "c"}}));
  // K = 1 keeps the first descendant in visiting order.
  EXPECT_EQ(f.named(tree::sample_descendants(f.ds, f.table, 0, 3, 3, 1, nullptr)), (Pairs{{"r", "a"}, {"a", "c"}}));
  // A window that only sees day 3: b (day 3, volume 1) and a (day 3 via c's order, volume 1) tie; the
  // deterministic tie-break is the local id (a joined before b).
  auto q = tree::sample_descendants(f.ds, f.table, 0, 2, 1, 1, nullptr);
  EXPECT_EQ(f.named(q), (Pairs{{"r", "a"}, {"a", "c"}}));
  // Links that appear after the origin are not in the historical network.
  EXPECT_EQ(tree::sample_descendants(f.ds, f.table, 0, -1, 3, 10, nullptr).size(), 0u);
}

TEST(Sampling, RandomTieBreaksStayWithinTheSameSet) {
  Fixture f("item,parent,child,ts\nI,,r,2026-01-01\nI,r,a,2026-01-01\nI,r,b,2026-01-01\nI,r,c,2026-01-01\n",
            "item,promoter,ts\nI,r,2026-01-02\n");
  std::mt19937_64 rng(7);
  std::set<std::string> firsts;
  for (int i = 0; i < 50; ++i) {
    auto p = tree::sample_descendants(f.ds, f.table, 0, 1, 2, 1, &rng);
    ASSERT_EQ(p.size(), 1u);
    firsts.insert(f.name(p.dst[0]));
  }
  EXPECT_EQ(firsts, (std::set<std::string>{"a", "b", "c"}));  // training: random among equals
  auto d1 = tree::sample_descendants(f.ds, f.table, 0, 1, 2, 1, nullptr);
  EXPECT_EQ(f.name(d1.dst[0]), "a");  // inference: deterministic
}

TEST(Sampling, DagDescendantsAreDistinctAndRoutingTargetsAreShares) {
  // Paths: x/a/c twice and y/c once on day 2 -> c reachable from x, a, y.
  Fixture f("item,parent,child,ts\n",
            "item,promoter,ts,amount,path\nI,a,2026-01-01,1,x/a\nI,c,2026-01-01,1,y/c\nI,c,2026-01-02,3,x/a/c\n"
            "I,c,2026-01-02,1,y/c\nI,a,2026-01-02,2,x/a\n");
  auto p = tree::sample_descendants(f.ds, f.table, 0, 0, 1, 10, nullptr);
  EXPECT_EQ(f.named(p), (Pairs{{"x", "a"}, {"y", "c"}}));  // only day-1 links exist at origin day 1
  auto all = tree::sample_descendants(f.ds, f.table, 0, 1, 2, 10, nullptr);
  // Day 2 adds a -> c: x reaches a and c; a reaches c; y reaches c.
  EXPECT_EQ(f.named(all), (Pairs{{"x", "a"}, {"x", "c"}, {"a", "c"}, {"y", "c"}}));
  std::vector<float> share, known;
  tree::routing_targets(f.ds, f.table, 0, 0, 2, p, share, known);
  // Horizon day 2: c's self-sales 4, 3 through x/a, 1 through y; a's 2 through x.
  ASSERT_EQ(share.size(), 4u);
  EXPECT_FLOAT_EQ(share[0 * 2 + 0], 1.0f);   // (x, a) day 2: all of a's sales pass x
  EXPECT_FLOAT_EQ(known[0 * 2 + 0], 1.0f);
  EXPECT_FLOAT_EQ(share[1 * 2 + 0], 0.25f);  // (y, c) day 2: 1 of 4
  EXPECT_FLOAT_EQ(known[0 * 2 + 1], 0.0f);   // day 3 is past the data: unknown
}
