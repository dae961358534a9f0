// Property test: the propagation scale, self-sales, children joined, new descendants, per-promoter
// totals and routing matrix equal brute-force computations over the order paths, on thousands of
// random forests and DAG-style path sets written as CSV and ingested like user data.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <random>
#include <set>
#include <tuple>

#include "dnts/data/ingest.h"
#include "dnts/data/simulate.h"
#include "dnts/tree/network.h"
#include "dnts/tree/propagation.h"
#include "support/temp_dir.h"

using namespace dnts;

namespace {

struct GenEdge {
  int item, parent, child;  // parent -1 = root
  int64_t ts;
  int line;
};
struct GenOrder {
  int item, promoter;
  int64_t ts;
  double amount;
  std::vector<int> path;  // explicit path, empty = derive
  bool bad = false;       // path repeats a promoter: must be rejected
};

struct Case {
  int items = 1, promoters = 1;
  int64_t width = 86400;
  std::vector<GenEdge> edges;
  std::vector<GenOrder> orders;
};

constexpr int64_t kT0 = 1767225600;  // 2026-01-01T00:00:00Z

Case generate(std::mt19937_64& rng) {
  Case c;
  auto uni = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  c.items = uni(1, 3);
  c.promoters = uni(1, 12);
  const int64_t widths[] = {86400, 3600, 6 * 3600};
  c.width = widths[uni(0, 2)];
  const int buckets = uni(1, 6);
  const int64_t span = c.width * buckets;
  auto rand_ts = [&]() { return kT0 + std::uniform_int_distribution<int64_t>(0, span - 1)(rng); };
  int line = 2;
  const int mode = uni(0, 2);  // 0 forest, 1 explicit DAG paths, 2 mixed
  for (int item = 0; item < c.items; ++item) {
    // A random forest over a random subset of promoters (acyclic: parent has a smaller rank).
    std::vector<int> perm(size_t(c.promoters));
    for (int i = 0; i < c.promoters; ++i) perm[size_t(i)] = i;
    std::shuffle(perm.begin(), perm.end(), rng);
    int in_tree = uni(0, c.promoters);
    if (mode != 1) {
      for (int k = 0; k < in_tree; ++k) {
        int parent = (k == 0 || uni(0, 3) == 0) ? -1 : perm[size_t(uni(0, k - 1))];
        c.edges.push_back({item, parent, perm[size_t(k)], rand_ts(), line++});
        if (uni(0, 9) == 0) c.edges.push_back({item, parent, perm[size_t(k)], rand_ts(), line++});  // duplicate
      }
    }
    int n_orders = uni(0, 15);
    for (int k = 0; k < n_orders; ++k) {
      GenOrder o;
      o.item = item;
      o.promoter = uni(0, c.promoters - 1);
      o.ts = rand_ts();
      o.amount = 0.25 * uni(0, 12);  // dyadic: sums are exact in any order
      bool explicit_path = mode == 1 || (mode == 2 && uni(0, 1) == 0);
      if (explicit_path) {
        std::vector<int> others;
        for (int p = 0; p < c.promoters; ++p)
          if (p != o.promoter) others.push_back(p);
        std::shuffle(others.begin(), others.end(), rng);
        int len = uni(0, std::min<int>(4, int(others.size())));
        o.path.assign(others.begin(), others.begin() + len);
        if (!o.path.empty() && uni(0, 12) == 0) {  // a path through a promoter twice
          o.path.push_back(o.path[0]);
          o.bad = true;
        }
        o.path.push_back(o.promoter);
      }
      c.orders.push_back(o);
    }
  }
  std::shuffle(c.orders.begin(), c.orders.end(), rng);  // input need not be sorted
  return c;
}

std::string pid(int p) { return "p" + std::to_string(p); }

void write_case(const Case& c, const test::TempDir& dir) {
  std::string o = "item,promoter,ts,amount,path\n";
  for (const auto& x : c.orders) {
    std::string path;
    for (int p : x.path) path += (path.empty() ? "" : "/") + pid(p);
    o += "i" + std::to_string(x.item) + "," + pid(x.promoter) + "," + std::to_string(x.ts) + "," +
         std::to_string(x.amount) + "," + path + "\n";
  }
  if (c.orders.empty()) o += "i0,p0,2026-01-01,0,\n";  // keep the file non-empty (amount 0 order)
  test::write_text(dir.file("orders.csv"), o);
  std::string e = "item,parent,child,ts\n";
  std::vector<GenEdge> by_line = c.edges;
  for (const auto& x : by_line)
    e += "i" + std::to_string(x.item) + "," + (x.parent < 0 ? "" : pid(x.parent)) + "," + pid(x.child) + "," +
         std::to_string(x.ts) + "\n";
  test::write_text(dir.file("edges.csv"), e);
}

// Brute-force reference, written from the definitions without the engine's data structures.
struct Reference {
  std::map<std::tuple<std::string, std::string, int64_t>, std::pair<double, double>> cells;  // (s, y), orders>0
  std::map<std::tuple<std::string, std::string, int64_t>, std::pair<int, int>> growth;  // (children, new desc)
  std::map<std::pair<std::string, int64_t>, std::pair<double, double>> totals;
  std::map<std::tuple<std::string, int64_t, std::string, std::string>, double> routes;  // (item, b, m, c)
  int rejected = 0;
};

Reference brute_force(Case c) {
  Reference ref;
  if (c.orders.empty()) c.orders.push_back({0, 0, kT0, 0.0, {}, false});
  auto bucket = [&](int64_t ts) { return (ts - kT0) / c.width; };  // kT0 is aligned for all widths
  // Edge parent per (item, child): first line wins, earliest ts among same-parent duplicates.
  std::map<std::pair<int, int>, GenEdge> parent;
  for (const auto& e : c.edges) {
    auto key = std::make_pair(e.item, e.child);
    auto it = parent.find(key);
    if (it == parent.end()) parent[key] = e;
    else it->second.ts = std::min(it->second.ts, e.ts);
  }
  auto as_of = [&](int item, int p, int64_t ts) {
    std::vector<int> chain{p};
    for (;;) {
      auto it = parent.find({item, chain.back()});
      if (it == parent.end() || it->second.ts > ts || it->second.parent < 0) break;
      chain.push_back(it->second.parent);
    }
    std::reverse(chain.begin(), chain.end());
    return chain;
  };
  // Events per item in (ts, edges first, then input order of edges) order for network growth.
  struct Ev {
    int64_t ts;
    int kind;  // 0 edge, 1 order
    int seq;
    std::vector<int> path;
    double amount;
  };
  std::map<int, std::vector<Ev>> events;
  for (const auto& [key, e] : parent) {
    // Chain of the child as of the edge: parents from edges strictly earlier in (ts, line) order.
    std::vector<int> chain{e.child};
    int cur = e.parent;
    while (cur >= 0) {
      chain.push_back(cur);
      auto it = parent.find({e.item, cur});
      if (it == parent.end()) break;
      if (std::tie(it->second.ts, it->second.line) > std::tie(e.ts, e.line)) break;
      cur = it->second.parent;
    }
    std::reverse(chain.begin(), chain.end());
    events[e.item].push_back({e.ts, 0, e.line, chain, 0.0});
  }
  int seq = 0;
  for (const auto& o : c.orders) {
    if (o.bad) {
      ++ref.rejected;
      continue;
    }
    std::vector<int> path = o.path.empty() ? as_of(o.item, o.promoter, o.ts) : o.path;
    events[o.item].push_back({o.ts, 1, seq++, path, o.amount});
    std::string item = "i" + std::to_string(o.item);
    int64_t b = bucket(o.ts);
    for (int m : path) {
      auto& cell = ref.cells[{item, pid(m), b}];
      cell.second += o.amount;
      if (m == path.back()) cell.first += o.amount;
      auto& t = ref.totals[{pid(m), b}];
      t.second += o.amount;
      if (m == path.back()) t.first += o.amount;
    }
  }
  for (auto& [item_idx, evs] : events) {
    std::string item = "i" + std::to_string(item_idx);
    std::stable_sort(evs.begin(), evs.end(), [](const Ev& a, const Ev& b) {
      return std::tie(a.ts, a.kind) < std::tie(b.ts, b.kind);
    });
    std::set<std::pair<int, int>> links, pairs;
    for (const auto& ev : evs) {
      int64_t b = bucket(ev.ts);
      for (size_t j = 0; j < ev.path.size(); ++j) {
        if (j > 0 && links.insert({ev.path[j - 1], ev.path[j]}).second) ++ref.growth[{item, pid(ev.path[j - 1]), b}].first;
        for (size_t i = 0; i < j; ++i)
          if (pairs.insert({ev.path[i], ev.path[j]}).second) ++ref.growth[{item, pid(ev.path[i]), b}].second;
      }
      // An edge attaches the child's whole known subtree under every ancestor on its chain.
      if (ev.kind == 0 && ev.path.size() > 1) {
        std::vector<int> below;
        for (const auto& pr : pairs)
          if (pr.first == ev.path.back()) below.push_back(pr.second);
        for (size_t i = 0; i + 1 < ev.path.size(); ++i)
          for (int d : below)
            if (pairs.insert({ev.path[i], d}).second) ++ref.growth[{item, pid(ev.path[i]), b}].second;
      }
    }
    // Routing matrix per bucket from the orders.
    std::map<std::pair<int64_t, int>, double> own, own_n;
    std::map<std::tuple<int64_t, int, int>, double> thr, thr_n;
    for (const auto& ev : evs) {
      if (ev.kind != 1) continue;
      int64_t b = bucket(ev.ts);
      int cc = ev.path.back();
      own[{b, cc}] += ev.amount;
      own_n[{b, cc}] += 1;
      for (size_t i = 0; i + 1 < ev.path.size(); ++i) {
        thr[{b, ev.path[i], cc}] += ev.amount;
        thr_n[{b, ev.path[i], cc}] += 1;
      }
    }
    for (const auto& [k, v] : thr) {
      auto [b, m, cc] = k;
      double tot = own[{b, cc}];
      ref.routes[{item, b, pid(m), pid(cc)}] = tot > 0 ? v / tot : thr_n[k] / own_n[{b, cc}];
    }
  }
  return ref;
}

}  // namespace

TEST(PropagationProperty, MatchesBruteForceOnRandomForestsAndPathSets) {
  std::mt19937_64 rng(20261203);
  const int kTrials = 2000;
  int64_t checked_cells = 0, checked_routes = 0, trials_with_rejects = 0;
  for (int trial = 0; trial < kTrials; ++trial) {
    Case c = generate(rng);
    test::TempDir dir("prop");
    write_case(c, dir);
    data::IngestOptions opts;
    opts.data_dir = dir.str();
    opts.mode = data::ErrorMode::kLenient;  // rows with a repeating path are rejected and counted
    opts.use_cache = false;
    data::Dataset ds = data::ingest(opts);
    data::TimeAxis axis;
    axis.width_s = c.width;
    tree::PropagationTable t = tree::build_propagation(ds, axis, 1 + trial % 2);
    Reference ref = brute_force(c);
    SCOPED_TRACE("trial " + std::to_string(trial));
    int64_t rejected = ds.report.skipped.count("path repeats a promoter") ? ds.report.skipped.at("path repeats a promoter") : 0;
    ASSERT_EQ(rejected, ref.rejected);
    trials_with_rejects += rejected > 0;
    // Engine cells -> the same keyed maps.
    std::map<std::tuple<std::string, std::string, int64_t>, std::pair<double, double>> got;
    std::map<std::tuple<std::string, std::string, int64_t>, std::pair<int, int>> growth;
    int64_t base = (kT0 / c.width) - t.frame.first_bucket;
    for (const auto& it : t.items) {
      std::string item(ds.items.name(it.item));
      for (uint32_t l = 0; l < it.num_promoters(); ++l) {
        std::string p(ds.promoters.name(it.promoters[l]));
        for (const auto* cell = it.cells_begin(l); cell != it.cells_end(l); ++cell) {
          int64_t b = cell->bucket - base;
          if (cell->orders > 0) got[{item, p, b}] = {cell->self_sales, cell->scale};
          if (cell->children_joined || cell->new_descendants)
            growth[{item, p, b}] = {int(cell->children_joined), int(cell->new_descendants)};
        }
      }
    }
    ASSERT_EQ(got, ref.cells);
    ASSERT_EQ(growth, ref.growth);
    checked_cells += int64_t(got.size());
    std::map<std::pair<std::string, int64_t>, std::pair<double, double>> totals;
    for (uint32_t p = 0; p < ds.promoters.size(); ++p)
      for (uint64_t k = t.total_offset[p]; k < t.total_offset[p + 1]; ++k)
        totals[{std::string(ds.promoters.name(p)), t.totals[k].bucket - base}] = {t.totals[k].self_sales,
                                                                                t.totals[k].scale};
    ASSERT_EQ(totals, ref.totals);
    // Routing matrices of every (item, bucket).
    std::map<std::tuple<std::string, int64_t, std::string, std::string>, double> routes;
    for (uint32_t item = 0; item < ds.items.size(); ++item) {
      for (int32_t b = 0; b < t.frame.num_buckets; ++b) {
        for (const auto& r : tree::routing_matrix(ds, t.frame, item, b))
          routes[{std::string(ds.items.name(item)), b - base, std::string(ds.promoters.name(r.via)),
                  std::string(ds.promoters.name(r.to))}] = r.share;
      }
    }
    ASSERT_EQ(routes.size(), ref.routes.size());
    for (const auto& [k, v] : ref.routes) {
      ASSERT_TRUE(routes.count(k));
      ASSERT_NEAR(routes[k], v, 1e-12);
    }
    checked_routes += int64_t(routes.size());
  }
  // The generator must exercise what the test claims.
  EXPECT_GT(checked_cells, 20000);
  EXPECT_GT(checked_routes, 2000);
  EXPECT_GT(trials_with_rejects, 20);
}

TEST(PropagationProperty, TreeCaseEqualsSelfSalesPlusDescendants) {
  // In a fixed tree y(m) = s(m) + Σ_{d ∈ Desc(m)} s(d) (METHOD.md §1).
  test::TempDir dir("tree");
  test::write_text(dir.file("edges.csv"), "item,parent,child,ts\nA,,r,2026-01-01\nA,r,a,2026-01-01\nA,r,b,2026-01-01\n"
                                          "A,a,c,2026-01-01\nA,c,d,2026-01-01\n");
  test::write_text(dir.file("orders.csv"), "item,promoter,ts,amount\nA,r,2026-01-02,1\nA,a,2026-01-02,2\n"
                                           "A,b,2026-01-02,4\nA,c,2026-01-02,8\nA,d,2026-01-02,16\nA,x,2026-01-02,32\n");
  data::IngestOptions opts;
  opts.data_dir = dir.str();
  opts.use_cache = false;
  data::Dataset ds = data::ingest(opts);
  tree::PropagationTable t = tree::build_propagation(ds, data::TimeAxis{}, 1);
  std::map<std::string, std::pair<double, double>> sy;
  const auto& it = t.items[0];
  for (uint32_t l = 0; l < it.num_promoters(); ++l) {
    for (const auto* c = it.cells_begin(l); c != it.cells_end(l); ++c)
      if (c->orders) sy[std::string(ds.promoters.name(it.promoters[l]))] = {c->self_sales, c->scale};
  }
  EXPECT_EQ(sy["r"], std::make_pair(1.0, 31.0));
  EXPECT_EQ(sy["a"], std::make_pair(2.0, 26.0));
  EXPECT_EQ(sy["b"], std::make_pair(4.0, 4.0));
  EXPECT_EQ(sy["c"], std::make_pair(8.0, 24.0));
  EXPECT_EQ(sy["d"], std::make_pair(16.0, 16.0));
  EXPECT_EQ(sy["x"], std::make_pair(32.0, 32.0));  // orders but no edge: a root of its own
  // Descendants of r over all time: a, b, c, d.
  uint32_t r = it.local_of(ds.promoters.find("r"));
  uint32_t desc = 0;
  for (const auto* c = it.cells_begin(r); c != it.cells_end(r); ++c) desc += c->new_descendants;
  EXPECT_EQ(desc, 4u);
}

TEST(PropagationProperty, AttachingASubtreeCountsAllItsDescendants) {
  // P -> C -> D exist first; G adopts P later: G gains P, C and D as descendants at once.
  test::TempDir dir("subtree");
  test::write_text(dir.file("edges.csv"), "item,parent,child,ts\ni,P,C,2024-01-01\ni,C,D,2024-01-01\ni,G,P,2024-01-05\n");
  test::write_text(dir.file("orders.csv"), "item,promoter,ts\ni,D,2024-01-02\ni,G,2024-01-09\n");
  data::IngestOptions opts;
  opts.data_dir = dir.str();
  opts.use_cache = false;
  data::Dataset ds = data::ingest(opts);
  tree::PropagationTable t = tree::build_propagation(ds, data::TimeAxis{}, 1);
  const auto& it = t.items[0];
  uint32_t g = it.local_of(ds.promoters.find("G"));
  uint32_t total = 0;
  for (const auto* c = it.cells_begin(g); c != it.cells_end(g); ++c) total += c->new_descendants;
  EXPECT_EQ(total, 3u);
}

// Items and per-promoter totals are split over threads: the table must not depend on the count
// (same cells, same floating-point sums: equal buckets are summed in the same order).
TEST(PropagationProperty, ThreadCountDoesNotChangeTheTable) {
  for (bool path_mode : {false, true}) {
    test::TempDir dir("prop_threads");
    data::SimulateOptions so;
    so.promoters = 400;
    so.items = 12;
    so.days = 30;
    so.seed = 9;
    so.path_mode = path_mode;
    so.amount = data::SimAmount::kGmv;
    so.progress = false;
    data::simulate(so, dir.file("data"));
    data::IngestOptions io;
    io.data_dir = dir.file("data");
    io.use_cache = false;
    data::Dataset ds = data::ingest(io);
    tree::PropagationTable one = tree::build_propagation(ds, data::TimeAxis{}, 1);
    for (int threads : {2, 3, 5}) {
      tree::PropagationTable t = tree::build_propagation(ds, data::TimeAxis{}, threads);
      ASSERT_EQ(t.items.size(), one.items.size());
      for (size_t i = 0; i < t.items.size(); ++i) {
        EXPECT_EQ(t.items[i].promoters, one.items[i].promoters);
        EXPECT_EQ(t.items[i].cell_offset, one.items[i].cell_offset);
        ASSERT_EQ(t.items[i].cells.size(), one.items[i].cells.size());
        EXPECT_EQ(0, std::memcmp(t.items[i].cells.data(), one.items[i].cells.data(),
                                 t.items[i].cells.size() * sizeof(tree::Cell)));
      }
      EXPECT_EQ(t.total_offset, one.total_offset);
      ASSERT_EQ(t.totals.size(), one.totals.size());
      for (size_t k = 0; k < t.totals.size(); ++k) {
        EXPECT_EQ(t.totals[k].bucket, one.totals[k].bucket);
        EXPECT_EQ(t.totals[k].items, one.totals[k].items);
        EXPECT_EQ(t.totals[k].self_sales, one.totals[k].self_sales);
        EXPECT_EQ(t.totals[k].scale, one.totals[k].scale);
      }
      EXPECT_EQ(t.path_node_updates, one.path_node_updates);
    }
  }
}
