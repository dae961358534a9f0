// Tests of the built-in simulator (dnts::data::simulate): determinism, the DATA.md contract of what
// it writes (forest edges, orders after their promoter's edge, valid DAG paths), the statistical shape
// the docs promise, option validation, and the hand-written samplers and calendar arithmetic.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "../../src/data/simulate_impl.h"
#include "dnts/data/csv.h"
#include "dnts/data/simulate.h"
#include "dnts/error.h"

namespace {

namespace fs = std::filesystem;
using dnts::data::CsvReader;
using dnts::data::SimulateOptions;
using dnts::data::SimulateReport;

struct SimTempDir {
  fs::path path;
  explicit SimTempDir(const std::string& tag) {
    path = fs::temp_directory_path() / ("dnts_test_simulate_" + tag + "_" + std::to_string(::getpid()));
    fs::remove_all(path);
  }
  ~SimTempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string str() const { return path.string(); }
};

std::string slurp(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

SimulateOptions small_options() {
  SimulateOptions o;
  o.promoters = 200;
  o.items = 12;
  o.days = 35;
  o.seed = 11;
  o.progress = false;
  o.threads = 2;
  return o;
}

struct Edge {
  std::string parent, ts;
};
struct Order {
  std::string item, promoter, ts, amount, path;
};
struct Dataset {
  std::vector<std::string> order_header, edge_header;
  std::map<std::pair<std::string, std::string>, Edge> edges;  // (item, child) -> edge
  int64_t duplicate_children = 0;
  std::vector<Order> orders;
};

std::map<std::string, size_t> columns(const CsvReader& r) {
  std::map<std::string, size_t> c;
  for (size_t i = 0; i < r.num_fields(); ++i) c[std::string(r.field(i))] = i;
  return c;
}

Dataset load(const std::string& dir, const std::string& ext = ".csv") {
  Dataset d;
  {
    CsvReader r(dir + "/edges" + ext);
    EXPECT_TRUE(r.next());
    for (size_t i = 0; i < r.num_fields(); ++i) d.edge_header.emplace_back(r.field(i));
    auto c = columns(r);
    while (r.next()) {
      auto key = std::make_pair(std::string(r.field(c["item"])), std::string(r.field(c["child"])));
      if (d.edges.count(key)) ++d.duplicate_children;
      d.edges[key] = Edge{std::string(r.field(c["parent"])), std::string(r.field(c["ts"]))};
    }
  }
  CsvReader r(dir + "/orders" + ext);
  EXPECT_TRUE(r.next());
  for (size_t i = 0; i < r.num_fields(); ++i) d.order_header.emplace_back(r.field(i));
  auto c = columns(r);
  const bool has_path = c.count("path") > 0;
  while (r.next()) {
    Order o{std::string(r.field(c["item"])), std::string(r.field(c["promoter"])), std::string(r.field(c["ts"])),
            std::string(r.field(c["amount"])), has_path ? std::string(r.field(c["path"])) : std::string()};
    d.orders.push_back(std::move(o));
  }
  return d;
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  size_t b = 0;
  for (;;) {
    size_t e = s.find(sep, b);
    out.push_back(s.substr(b, e == std::string::npos ? std::string::npos : e - b));
    if (e == std::string::npos) return out;
    b = e + 1;
  }
}

bool is_iso_utc(const std::string& ts) {
  if (ts.size() != 20 || ts[4] != '-' || ts[7] != '-' || ts[10] != 'T' || ts[13] != ':' || ts[16] != ':' ||
      ts[19] != 'Z')
    return false;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18})
    if (ts[i] < '0' || ts[i] > '9') return false;
  return std::stoi(ts.substr(11, 2)) < 24 && std::stoi(ts.substr(14, 2)) < 60 && std::stoi(ts.substr(17, 2)) < 60;
}

int64_t day_index(const std::string& ts, int64_t start_day) {
  int64_t z = dnts::data::sim::days_from_civil(std::stoi(ts.substr(0, 4)), unsigned(std::stoi(ts.substr(5, 2))),
                                               unsigned(std::stoi(ts.substr(8, 2))));
  return z - start_day;
}

// ---------------------------------------------------------------------------------------------

TEST(Simulate, SameSeedGivesIdenticalBytesAtAnyThreadCount) {
  SimTempDir a("det_a"), b("det_b"), c("det_c"), d("det_d");
  SimulateOptions o = small_options();
  o.path_mode = true;
  o.threads = 1;
  SimulateReport ra = dnts::data::simulate(o, a.str());
  o.threads = 2;
  dnts::data::simulate(o, b.str());
  o.threads = 5;  // more threads than cores, window wraps several times
  dnts::data::simulate(o, c.str());
  o.seed += 1;
  dnts::data::simulate(o, d.str());

  ASSERT_GT(ra.orders, 100);
  const std::string oa = slurp(a.path / "orders.csv"), ea = slurp(a.path / "edges.csv");
  EXPECT_EQ(oa, slurp(b.path / "orders.csv"));
  EXPECT_EQ(ea, slurp(b.path / "edges.csv"));
  EXPECT_EQ(oa, slurp(c.path / "orders.csv"));
  EXPECT_EQ(ea, slurp(c.path / "edges.csv"));
  EXPECT_NE(oa, slurp(d.path / "orders.csv"));
  EXPECT_NE(ea, slurp(d.path / "edges.csv"));
}

TEST(Simulate, ReportCountsMatchFiles) {
  SimTempDir t("report");
  SimulateOptions o = small_options();
  o.prelaunch_fraction = 0.5;
  SimulateReport r = dnts::data::simulate(o, t.str());
  Dataset d = load(t.str());
  EXPECT_EQ(r.orders, int64_t(d.orders.size()));
  EXPECT_EQ(r.edges, int64_t(d.edges.size()));
  EXPECT_EQ(r.items, o.items);
  std::set<std::string> active, selling;
  double amount = 0;
  for (const auto& [key, e] : d.edges) active.insert(key.second);
  for (const auto& od : d.orders) {
    selling.insert(od.promoter);
    amount += std::stod(od.amount);
  }
  EXPECT_EQ(r.promoters_active, int64_t(active.size()));
  EXPECT_EQ(r.promoters_selling, int64_t(selling.size()));
  EXPECT_DOUBLE_EQ(r.total_amount, amount);
  EXPECT_TRUE(fs::exists(t.path / "simulate.json"));
  // By default the trees of items launched before the window are a snapshot at its start.
  int64_t at_start = 0;
  for (const auto& [key, e] : d.edges) {
    EXPECT_GE(e.ts, "2026-01-01T00:00:00Z");
    at_start += e.ts == "2026-01-01T00:00:00Z";
  }
  EXPECT_GT(at_start, 0);
}

TEST(Simulate, TreeModeFollowsTheDataContract) {
  SimTempDir t("contract");
  SimulateOptions o = small_options();
  o.prelaunch_fraction = 0.5;      // exercise pre-window trees too,
  o.clip_edges_to_window = false;  // with their true timestamps
  dnts::data::simulate(o, t.str());
  Dataset d = load(t.str());
  EXPECT_EQ(d.order_header, (std::vector<std::string>{"item", "promoter", "ts", "amount"}));
  EXPECT_EQ(d.edge_header, (std::vector<std::string>{"item", "parent", "child", "ts"}));
  EXPECT_EQ(d.duplicate_children, 0) << "a promoter has two parents on one item";

  const int64_t start_day = dnts::data::sim::days_from_civil(2026, 1, 1);
  int64_t prewindow_edges = 0;
  for (const auto& [key, e] : d.edges) {
    EXPECT_TRUE(is_iso_utc(e.ts)) << e.ts;
    EXPECT_EQ(key.second.size(), 7u);
    EXPECT_EQ(key.second[0], 'p');
    EXPECT_EQ(key.first.size(), 5u);
    EXPECT_EQ(key.first[0], 'i');
    if (day_index(e.ts, start_day) < 0) ++prewindow_edges;
    // Walk up: parents exist on the item, are not later than the child, and the walk ends (acyclic).
    std::string child = key.second, ts = e.ts;
    for (int steps = 0;; ++steps) {
      ASSERT_LT(steps, 100000) << "cycle on item " << key.first;
      const Edge& ce = d.edges.at({key.first, child});
      if (ce.parent.empty()) break;
      auto it = d.edges.find({key.first, ce.parent});
      ASSERT_NE(it, d.edges.end()) << "parent " << ce.parent << " has no edge on " << key.first;
      EXPECT_LE(it->second.ts, ce.ts);
      ASSERT_NE(ce.parent, key.second) << "cycle through " << key.second;
      child = ce.parent;
    }
  }
  EXPECT_GT(prewindow_edges, 0) << "some items should launch before the window";

  ASSERT_FALSE(d.orders.empty());
  std::string prev_item, prev_ts;
  for (const auto& od : d.orders) {
    ASSERT_TRUE(is_iso_utc(od.ts)) << od.ts;
    int64_t day = day_index(od.ts, start_day);
    EXPECT_GE(day, 0);
    EXPECT_LT(day, o.days);
    auto it = d.edges.find({od.item, od.promoter});
    ASSERT_NE(it, d.edges.end()) << od.promoter << " sells " << od.item << " without an edge";
    EXPECT_LE(it->second.ts, od.ts) << od.promoter << " sells " << od.item << " before taking its link";
    int64_t q = std::stoll(od.amount);
    EXPECT_GE(q, 1);
    EXPECT_EQ(std::to_string(q), od.amount);
    if (od.item == prev_item) {
      EXPECT_LE(prev_ts, od.ts) << "orders of an item are in time order";
    }
    prev_item = od.item;
    prev_ts = od.ts;
  }
}

TEST(Simulate, PathModeWritesValidDagPaths) {
  SimTempDir t("path"), tree("path_tree");
  SimulateOptions o = small_options();
  o.path_mode = true;
  SimulateReport r = dnts::data::simulate(o, t.str());
  Dataset d = load(t.str());
  EXPECT_EQ(d.order_header, (std::vector<std::string>{"item", "promoter", "ts", "amount", "path"}));
  EXPECT_GT(r.rerouted_orders, 0);

  std::map<std::pair<std::string, std::string>, std::set<std::string>> upstreams;
  int64_t off_tree = 0;
  for (const auto& od : d.orders) {
    auto ids = split(od.path, '/');
    ASSERT_EQ(ids.back(), od.promoter) << od.path;
    std::set<std::string> unique(ids.begin(), ids.end());
    ASSERT_EQ(unique.size(), ids.size()) << "repeated promoter in " << od.path;
    // Every prefix of the path is an existing chain of the item's tree as of the order time.
    for (size_t k = 0; k < ids.size(); ++k) {
      auto it = d.edges.find({od.item, ids[k]});
      ASSERT_NE(it, d.edges.end()) << ids[k] << " in " << od.path;
      EXPECT_LE(it->second.ts, od.ts);
      if (k + 1 < ids.size()) {
        EXPECT_EQ(it->second.parent, k == 0 ? "" : ids[k - 1]) << od.path;
      }
    }
    std::string up = ids.size() > 1 ? ids[ids.size() - 2] : "";
    if (up != d.edges.at({od.item, od.promoter}).parent) ++off_tree;
    upstreams[{od.item, od.promoter}].insert(up);
  }
  EXPECT_EQ(off_tree, r.rerouted_orders);
  int64_t multi = 0;
  for (const auto& [key, ups] : upstreams) multi += ups.size() > 1;
  EXPECT_GT(multi, 0) << "no promoter reaches an item through two different upstreams";

  // The path column is the only difference from tree mode: same orders, same edges.
  o.path_mode = false;
  dnts::data::simulate(o, tree.str());
  Dataset dt = load(tree.str());
  ASSERT_EQ(dt.orders.size(), d.orders.size());
  for (size_t k = 0; k < d.orders.size(); ++k) {
    EXPECT_EQ(dt.orders[k].promoter, d.orders[k].promoter);
    EXPECT_EQ(dt.orders[k].ts, d.orders[k].ts);
  }
  EXPECT_EQ(slurp(tree.path / "edges.csv"), slurp(t.path / "edges.csv"));
}

TEST(Simulate, StatisticalShapeOfAnAffiliatePlatform) {
  SimTempDir t("shape");
  SimulateOptions o;
  o.promoters = 1000;
  o.items = 50;
  o.days = 84;  // 12 whole weeks
  o.seed = 3;
  o.progress = false;
  dnts::data::simulate(o, t.str());
  Dataset d = load(t.str());
  const int64_t start_day = dnts::data::sim::days_from_civil(2026, 1, 1);

  // Intermittent demand: most (item, promoter, day) cells over a promoter's life on an item are 0.
  int64_t cells = 0;
  for (const auto& [key, e] : d.edges) cells += o.days - std::max<int64_t>(0, day_index(e.ts, start_day));
  std::set<std::tuple<std::string, std::string, int64_t>> nonzero;
  std::map<std::string, int64_t> per_promoter, per_item;
  int64_t weekday[7] = {};
  int64_t day_hours = 0, night_hours = 0;
  for (const auto& od : d.orders) {
    int64_t day = day_index(od.ts, start_day);
    nonzero.insert({od.item, od.promoter, day});
    ++per_promoter[od.promoter];
    ++per_item[od.item];
    ++weekday[dnts::data::sim::weekday_from_days(start_day + day)];
    int hour = std::stoi(od.ts.substr(11, 2));
    if (hour >= 10 && hour < 22) ++day_hours;
    if (hour >= 1 && hour < 7) ++night_hours;
  }
  const double zero_share = 1.0 - double(nonzero.size()) / double(cells);
  EXPECT_GT(zero_share, 0.8);
  EXPECT_LT(zero_share, 0.995);

  // The same promoters recur across items.
  std::map<std::string, std::set<std::string>> items_of;
  for (const auto& [key, e] : d.edges) items_of[key.second].insert(key.first);
  int64_t on_five = 0;
  for (const auto& [p, items] : items_of) on_five += items.size() >= 5;
  EXPECT_GE(on_five, 20);

  // Weekly seasonality: the busiest weekday clearly beats the quietest one.
  const int64_t wmax = *std::max_element(weekday, weekday + 7), wmin = *std::min_element(weekday, weekday + 7);
  EXPECT_GT(double(wmax), 1.15 * double(wmin));

  // Heavy-tailed promoters: the top 1% hold a large share of the orders.
  std::vector<int64_t> counts;
  for (const auto& [p, n] : per_promoter) counts.push_back(n);
  std::sort(counts.rbegin(), counts.rend());
  const size_t top = size_t(o.promoters / 100);
  int64_t top_sum = 0, all = int64_t(d.orders.size());
  for (size_t k = 0; k < top && k < counts.size(); ++k) top_sum += counts[k];
  EXPECT_GT(double(top_sum), 0.10 * double(all)) << "top 1% of promoters hold " << top_sum << " of " << all;

  // Heavy-tailed items: the biggest item dwarfs the median one.
  std::vector<int64_t> items;
  for (const auto& [i, n] : per_item) items.push_back(n);
  std::sort(items.begin(), items.end());
  EXPECT_GT(items.back(), 4 * items[items.size() / 2]);

  // Daytime peak: 12 day hours carry far more than 6 night hours.
  EXPECT_GT(day_hours, 4 * night_hours);
}

TEST(Simulate, WeeklyPatternComesFromTheKnob) {
  auto weekday_ratio = [](double amplitude, const std::string& tag) {
    SimTempDir t(tag);
    SimulateOptions o;
    o.promoters = 600;
    o.items = 40;
    o.days = 84;
    o.seed = 5;
    o.progress = false;
    o.weekly_amplitude = amplitude;
    o.campaign_days = 0;
    dnts::data::simulate(o, t.str());
    Dataset d = load(t.str());
    const int64_t start_day = dnts::data::sim::days_from_civil(2026, 1, 1);
    int64_t w[7] = {};
    for (const auto& od : d.orders) ++w[dnts::data::sim::weekday_from_days(start_day + day_index(od.ts, start_day))];
    // Saturday (5) against Monday (0), the pattern's extremes.
    return double(w[5]) / double(w[0]);
  };
  const double flat = weekday_ratio(0.0, "week_flat"), weekly = weekday_ratio(0.3, "week_on");
  EXPECT_GT(weekly, 1.5);
  EXPECT_LT(std::fabs(flat - 1.0), 0.25);
}

TEST(Simulate, GzipAndGmvModes) {
  SimTempDir t("gzip");
  SimulateOptions o = small_options();
  dnts::data::simulate(o, t.str());
  Dataset plain = load(t.str());
  o.gzip = true;
  o.amount = dnts::data::SimAmount::kGmv;
  // An existing dataset is never replaced silently.
  EXPECT_THROW(dnts::data::simulate(o, t.str()), dnts::IoError);
  o.overwrite = true;
  SimulateReport r = dnts::data::simulate(o, t.str());
  EXPECT_FALSE(fs::exists(t.path / "orders.csv")) << "stale plain file left beside the .gz";
  EXPECT_FALSE(fs::exists(t.path / "edges.csv"));
  ASSERT_TRUE(fs::exists(t.path / "orders.csv.gz"));
  Dataset gz = load(t.str(), ".csv.gz");
  ASSERT_EQ(gz.orders.size(), plain.orders.size());
  EXPECT_EQ(gz.edges.size(), plain.edges.size());
  double total = 0;
  for (size_t k = 0; k < gz.orders.size(); ++k) {
    EXPECT_EQ(gz.orders[k].ts, plain.orders[k].ts);
    const std::string& a = gz.orders[k].amount;
    ASSERT_GE(a.size(), 4u);
    EXPECT_EQ(a[a.size() - 3], '.') << a;  // GMV with two decimals
    EXPECT_GT(std::stod(a), 0.0);
    total += std::stod(a);
  }
  EXPECT_NEAR(r.total_amount, total, 1e-6 * total);
}

TEST(Simulate, InvalidOptionsListEveryProblem) {
  SimulateOptions o = small_options();
  o.promoters = 0;
  o.days = 0;
  o.root_attach_prob = 1.5;
  o.start = "2026-1-1";
  try {
    dnts::data::simulate(o, (fs::temp_directory_path() / "dnts_test_simulate_never").string());
    FAIL() << "expected ConfigError";
  } catch (const dnts::ConfigError& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("promoters = 0: must be"), std::string::npos) << msg;
    EXPECT_NE(msg.find("days = 0: must be"), std::string::npos) << msg;
    EXPECT_NE(msg.find("root_attach_prob = 1.5: must be in [0, 1]"), std::string::npos) << msg;
    EXPECT_NE(msg.find("start = '2026-1-1': must be a date YYYY-MM-DD"), std::string::npos) << msg;
  }
  SimulateOptions bad_start = small_options();
  bad_start.start = "2026-02-30";
  EXPECT_THROW(bad_start.validate(), dnts::ConfigError);
  bad_start.start = "2026-02-28";
  EXPECT_NO_THROW(bad_start.validate());
}

TEST(Simulate, DefaultsGiveTensOfThousandsOfOrders) {
  SimTempDir t("defaults");
  SimulateOptions o;
  o.progress = false;
  SimulateReport r = dnts::data::simulate(o, t.str());
  EXPECT_GE(r.orders, 20000);
  EXPECT_LE(r.orders, 100000);
  EXPECT_EQ(r.items, 40);
  EXPECT_GE(r.promoters_active, 200);
  EXPECT_LT(r.seconds, 2.0);
}

TEST(Simulate, CliWritesADataset) {
  SimTempDir t("cli");
  std::string cmd = std::string(DNTS_CLI_PATH) + " simulate --promoters 80 --items 6 --days 20 --seed 4 -q " +
                    t.str() + " > /dev/null 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  EXPECT_TRUE(fs::exists(t.path / "orders.csv"));
  EXPECT_TRUE(fs::exists(t.path / "edges.csv"));
  std::string bad = std::string(DNTS_CLI_PATH) + " simulate --promoters 0 -q " + t.str() + " > /dev/null 2>&1";
  int rc = std::system(bad.c_str());
  ASSERT_TRUE(WIFEXITED(rc));
  EXPECT_EQ(WEXITSTATUS(rc), 2);
}

// ---- the hand-written samplers and calendar arithmetic ----------------------------------------

TEST(SimulateSamplers, MomentsMatchTheirDistributions) {
  using namespace dnts::data::sim;
  Rng rng(stream_seed(42, 1, 2));
  const int n = 200000;
  auto moments = [&](auto draw) {
    double s = 0, s2 = 0;
    for (int k = 0; k < n; ++k) {
      double x = double(draw());
      s += x;
      s2 += x * x;
    }
    double m = s / n;
    return std::make_pair(m, s2 / n - m * m);
  };
  for (double lambda : {0.05, 3.0, 80.0}) {
    auto [m, v] = moments([&] { return poisson(rng, lambda); });
    EXPECT_NEAR(m, lambda, 0.02 * lambda + 0.005) << "Poisson " << lambda;
    EXPECT_NEAR(v, lambda, 0.05 * lambda + 0.005) << "Poisson " << lambda;
  }
  for (double shape : {0.5, 4.0}) {
    auto [m, v] = moments([&] { return gamma(rng, shape); });
    EXPECT_NEAR(m, shape, 0.02 * shape) << "gamma " << shape;
    EXPECT_NEAR(v, shape, 0.06 * shape) << "gamma " << shape;
  }
  {
    const double mean = 0.4, shape = 0.5;
    auto [m, v] = moments([&] { return neg_binomial(rng, mean, shape); });
    EXPECT_NEAR(m, mean, 0.02);
    EXPECT_NEAR(v, mean + mean * mean / shape, 0.05);
  }
  {
    std::vector<double> xs(20001);
    for (auto& x : xs) x = lognormal(rng, 7.0, 1.0);
    std::nth_element(xs.begin(), xs.begin() + 10000, xs.end());
    EXPECT_NEAR(xs[10000], 7.0, 0.25);
  }
  {
    AliasTable table(std::vector<double>{1.0, 3.0, 0.0, 6.0});
    int64_t hits[4] = {};
    for (int k = 0; k < n; ++k) ++hits[table.draw(rng)];
    EXPECT_EQ(hits[2], 0);
    EXPECT_NEAR(double(hits[3]) / n, 0.6, 0.01);
    EXPECT_NEAR(double(hits[0]) / n, 0.1, 0.01);
  }
}

TEST(SimulateSamplers, StreamsAreReproducibleAndDistinct) {
  using namespace dnts::data::sim;
  Rng a(stream_seed(1, 7, 3)), b(stream_seed(1, 7, 3)), c(stream_seed(1, 8, 3)), e(stream_seed(2, 7, 3));
  // Golden first output pins the generator: a change here changes every simulated dataset.
  const uint64_t first = a.next();
  EXPECT_EQ(first, b.next());
  EXPECT_NE(first, c.next());
  EXPECT_NE(first, e.next());
  uint64_t state = 0;
  EXPECT_EQ(splitmix64(state), 0xE220A8397B1DCDAFULL);  // reference value of splitmix64 seeded with 0
  EXPECT_EQ(Rng(0).next(), 0x99EC5F36CB75F2B4ULL);
}

TEST(SimulateSamplers, CivilDatesRoundTrip) {
  using namespace dnts::data::sim;
  EXPECT_EQ(days_from_civil(1970, 1, 1), 0);
  EXPECT_EQ(days_from_civil(2026, 1, 1), 20454);
  EXPECT_EQ(days_from_civil(2000, 3, 1), 11017);
  EXPECT_EQ(iso_day_prefix(days_from_civil(2024, 2, 29)), "2024-02-29T");
  EXPECT_EQ(iso_day_prefix(days_from_civil(2025, 12, 31) + 1), "2026-01-01T");
  EXPECT_EQ(weekday_from_days(days_from_civil(2026, 1, 1)), 3);  // a Thursday
  EXPECT_EQ(weekday_from_days(days_from_civil(2025, 12, 29)), 0);  // a Monday
  for (int64_t z = -800; z < 30000; z += 7) {
    Civil c = civil_from_days(z);
    EXPECT_EQ(days_from_civil(c.y, c.m, c.d), z);
  }
  std::string s;
  append_hms(s, 13 * 3600 + 5 * 60 + 9);
  EXPECT_EQ(s, "13:05:09Z");
}

}  // namespace
