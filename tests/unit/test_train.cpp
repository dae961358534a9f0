// Training loop: determinism for a seed, exact resume, save/load bit-identical predictions,
// forecasts CSV consistent with the model.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "dnts/data/ingest.h"
#include "dnts/error.h"
#include "dnts/data/simulate.h"
#include "dnts/progress.h"
#include "dnts/train/samples.h"
#include "dnts/train/trainer.h"
#include "support/sim_data.h"

using namespace dnts;

namespace {

struct TrainFixture : ::testing::Test {
  test::SimData sim{60, 5, 45, 5};
  test::TempDir& dir = sim.dir;
  data::Dataset& ds = sim.ds;
  tree::PropagationTable& table = sim.table;
  RunConfig cfg;
  void SetUp() override {
    cfg.data.window = 7;
    cfg.data.horizon = 3;
    cfg.data.step = 3;
    cfg.model.channels = 8;
    cfg.model.embed_dim = 8;
    cfg.model.kernels = {2, 3};
    cfg.model.sample_k = 4;
    cfg.train.epochs = 4;
    cfg.train.batch_samples = 16;
    cfg.train.threads = 1;
    cfg.train.patience = 100;
    Progress::set_enabled(false);
  }
  std::vector<torch::Tensor> params(const std::string& run) {
    train::LoadedRun r = train::load_run(run);
    std::vector<torch::Tensor> out;
    for (const auto& p : r.model->parameters()) out.push_back(p.detach().clone());
    return out;
  }
};

bool same(const std::vector<torch::Tensor>& a, const std::vector<torch::Tensor>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (!torch::equal(a[i], b[i])) return false;
  return true;
}

}  // namespace

TEST_F(TrainFixture, SplitsNeverLeakPastTheirPeriod) {
  train::SampleSplit s = train::make_samples(table, cfg.data);
  ASSERT_FALSE(s.train.empty());
  ASSERT_FALSE(s.val.empty());
  ASSERT_FALSE(s.test.empty());
  // By the first forecast bucket; a horizon crossing into the next period keeps only its earlier buckets.
  for (const auto& r : s.train) EXPECT_LT(r.origin + 1, s.val_start);
  for (const auto& r : s.val) {
    EXPECT_GE(r.origin + 1, s.val_start);
    EXPECT_LT(r.origin + 1, s.test_start);
  }
  for (const auto& r : s.test) EXPECT_GE(r.origin + 1, s.test_start);
  bool crossing = false;
  auto check_masked = [&](const std::vector<model::SampleRef>& samples, int32_t cutoff) {
    model::Batch b = model::make_batch(ds, table, samples, cfg.data.window, cfg.data.horizon, cfg.model.sample_k,
                                       nullptr, torch::kCPU, cutoff);
    for (size_t i = 0; i < samples.size(); ++i)
      for (int64_t h = 0; h < cfg.data.horizon; ++h) {
        const bool past = samples[i].origin + 1 + h > cutoff;
        crossing = crossing || past;
        for (int64_t r = b.row_offset[i]; r < b.row_offset[i + 1]; ++r) {
          if (past) {
            EXPECT_EQ(b.mask[r][h].item<float>(), 0.0f) << "a target past the cutoff is scored";
          }
          if (b.pairs() > 0 && past) {
            EXPECT_EQ(b.route_known.index_select(0, torch::nonzero(b.pair_src == r).flatten()).select(1, h).sum().item<float>(), 0.0f);
          }
        }
      }
  };
  check_masked(s.train, s.train_cutoff);
  check_masked(s.val, s.val_cutoff);
  EXPECT_TRUE(crossing) << "the fixture should have horizons crossing a period boundary";
  EXPECT_EQ(s.val_cutoff, s.test_start - 1);
  // Item-age protocol: test items are the latest launched.
  DataConfig age = cfg.data;
  age.protocol = "age";
  age.ages = {2, 5};
  age.val_fraction = 0.2;
  age.test_fraction = 0.4;
  train::SampleSplit a = train::make_samples(table, age);
  ASSERT_FALSE(a.test.empty());
  int32_t latest_train_launch = 0, earliest_test_launch = INT32_MAX;
  for (const auto& r : a.train) latest_train_launch = std::max(latest_train_launch, table.items[r.item].join_bucket[0]);
  for (const auto& r : a.test) earliest_test_launch = std::min(earliest_test_launch, table.items[r.item].join_bucket[0]);
  EXPECT_LE(latest_train_launch, earliest_test_launch);
  // Training targets stop before the earliest validation / test origin's forecast buckets.
  for (const auto& r : a.val) EXPECT_LE(a.train_cutoff, r.origin);
  for (const auto& r : a.test) {
    EXPECT_LE(a.train_cutoff, r.origin);
    EXPECT_LE(a.val_cutoff, r.origin);
  }
  EXPECT_EQ(s.train_cutoff, s.val_start - 1);
}

TEST_F(TrainFixture, SameSeedSameModelAndExactResume) {
  train::TrainOptions a;
  a.run_dir = dir.file("run_a");
  train::TrainResult ra = train::fit(cfg, ds, table, a);
  train::TrainOptions b;
  b.run_dir = dir.file("run_b");
  train::TrainResult rb = train::fit(cfg, ds, table, b);
  ASSERT_EQ(ra.curve.size(), 4u);
  EXPECT_EQ(ra.curve.back().loss, rb.curve.back().loss);
  EXPECT_TRUE(same(params(a.run_dir), params(b.run_dir)));
  // Interrupted after epoch 2, then resumed: the same final model as the uninterrupted run.
  train::TrainOptions c;
  c.run_dir = dir.file("run_c");
  c.stop_after_epoch = 2;
  train::fit(cfg, ds, table, c);
  c.stop_after_epoch = 0;
  c.resume = true;
  train::TrainResult rc = train::fit(cfg, ds, table, c);
  ASSERT_EQ(rc.curve.size(), 4u);
  EXPECT_EQ(rc.curve.back().loss, ra.curve.back().loss);
  EXPECT_TRUE(same(params(a.run_dir), params(c.run_dir)));
  // A different seed trains a different model.
  RunConfig other = cfg;
  other.train.seed = 2;
  train::TrainOptions d;
  d.run_dir = dir.file("run_d");
  train::fit(other, ds, table, d);
  EXPECT_FALSE(same(params(a.run_dir), params(d.run_dir)));
}

TEST_F(TrainFixture, PrefetchingBatchesGivesTheSameRun) {
  // train.prefetch builds batch k+1 on another thread during step k: same batches, same RNG streams,
  // so the same curve and the same final weights as building each batch just before its step.
  cfg.train.epochs = 3;
  cfg.train.prefetch = false;
  train::TrainOptions a;
  a.run_dir = dir.file("sequential");
  train::TrainResult ra = train::fit(cfg, ds, table, a);
  cfg.train.prefetch = true;
  train::TrainOptions b;
  b.run_dir = dir.file("prefetch");
  train::TrainResult rb = train::fit(cfg, ds, table, b);
  ASSERT_EQ(ra.curve.size(), 3u);
  ASSERT_EQ(rb.curve.size(), 3u);
  for (size_t e = 0; e < ra.curve.size(); ++e) {
    EXPECT_EQ(ra.curve[e].loss, rb.curve[e].loss) << "epoch " << e + 1;
    EXPECT_EQ(ra.curve[e].val_main, rb.curve[e].val_main) << "epoch " << e + 1;
  }
  EXPECT_TRUE(same(params(a.run_dir), params(b.run_dir)));
  EXPECT_EQ(ra.test.model.mae, rb.test.model.mae);
  // Resuming a sequential run with prefetch on is allowed (where batches are built is not a setting
  // of the model) and continues bit-identically.
  cfg.train.epochs = 4;
  a.resume = true;
  train::TrainResult rc = train::fit(cfg, ds, table, a);
  ASSERT_EQ(rc.curve.size(), 4u);
}

TEST_F(TrainFixture, SavedRunPredictsBitIdenticallyAndForecastsAllRows) {
  cfg.train.epochs = 2;
  train::TrainOptions a;
  a.run_dir = dir.file("run");
  train::TrainResult r = train::fit(cfg, ds, table, a);
  train::LoadedRun run1 = train::load_run(a.run_dir), run2 = train::load_run(a.run_dir);
  train::SampleSplit s = train::make_samples(table, cfg.data);
  train::EvalMetrics m1 = train::evaluate(run1.model, run1.cfg, ds, table, s.test, torch::kCPU).model;
  EXPECT_DOUBLE_EQ(m1.mae, r.test.model.mae);  // the recorded metric equals a recomputation
  int32_t origin = table.frame.num_buckets - 1;
  int64_t rows1 = train::write_forecasts(run1, ds, table, train::samples_at_origin(table, origin), 3, dir.file("f1.csv"));
  int64_t rows2 = train::write_forecasts(run2, ds, table, train::samples_at_origin(table, origin), 3, dir.file("f2.csv"));
  EXPECT_EQ(rows1, rows2);
  EXPECT_EQ(test::read_text(dir.file("f1.csv")), test::read_text(dir.file("f2.csv")));
  // Every promoter of every item present at the origin gets H rows and a total.
  int64_t expect = 0;
  std::set<uint32_t> promoters;
  for (const auto& it : table.items) {
    uint32_t n = it.promoters_at(origin);
    expect += int64_t(n) * 4;
    for (uint32_t l = 0; l < n; ++l) promoters.insert(it.promoters[l]);
  }
  EXPECT_EQ(rows1, expect + int64_t(promoters.size()));
}

TEST_F(TrainFixture, ResumeWithOtherSettingsIsRefused) {
  train::TrainOptions a;
  a.run_dir = dir.file("run");
  a.stop_after_epoch = 1;
  train::fit(cfg, ds, table, a);
  RunConfig changed = cfg;
  changed.train.lr = 0.5;
  a.resume = true;
  a.stop_after_epoch = 0;
  try {
    train::fit(changed, ds, table, a);
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("only train.epochs may change"), std::string::npos) << e.what();
  }
}

TEST_F(TrainFixture, ForecastSamplesAtAnAgeStartFromEachItemsLaunch) {
  const int64_t age = 4;
  std::vector<model::SampleRef> s = train::samples_at_age(table, age);
  size_t expect = 0;
  for (uint32_t i = 0; i < table.items.size(); ++i) {
    const auto& it = table.items[i];
    if (it.join_bucket.empty() || it.join_bucket.front() + age - 1 >= table.frame.num_buckets) continue;
    ++expect;
    auto found = std::find_if(s.begin(), s.end(), [&](const model::SampleRef& r) { return r.item == i; });
    ASSERT_NE(found, s.end()) << "item " << i;
    EXPECT_EQ(found->origin, it.join_bucket.front() + age - 1);  // the launch bucket is age 1
    EXPECT_GT(it.promoters_at(found->origin), 0u);
  }
  EXPECT_EQ(s.size(), expect);
  EXPECT_THROW(train::samples_at_age(table, 0), ConfigError);
}
