// Item sub-tables as tensors: shapes, values against the propagation table, no leakage past the origin.
#include <gtest/gtest.h>

#include "dnts/data/ingest.h"
#include "dnts/model/subtable.h"
#include "support/temp_dir.h"

using namespace dnts;

namespace {
data::Dataset load(const test::TempDir& dir) {
  data::IngestOptions o;
  o.data_dir = dir.str();
  o.use_cache = false;
  return data::ingest(o);
}
}  // namespace

TEST(SubTable, ShapesValuesAndNoLeakage) {
  test::TempDir dir("sub");
  // Days 2026-01-01 (Thursday) .. 2026-01-06.
  test::write_text(dir.file("edges.csv"), "item,parent,child,ts\nA,,r,2026-01-01\nA,r,a,2026-01-02\nA,a,late,2026-01-05\n");
  test::write_text(dir.file("orders.csv"),
                   "item,promoter,ts,amount\nA,r,2026-01-01,1\nA,a,2026-01-02,3\nA,a,2026-01-03,1\n"
                   "A,late,2026-01-05,7\nA,a,2026-01-06,2\nB,q,2026-01-06,1\n");
  data::Dataset ds = load(dir);
  tree::PropagationTable t = tree::build_propagation(ds, data::TimeAxis{}, 1);
  const uint32_t item = ds.items.find("A");
  // Origin = 2026-01-03 (relative bucket 2), L = 4, H = 3.
  model::SubTable st = model::make_subtable(t, item, 2, 4, 3);
  ASSERT_EQ(st.promoters.size(), 2u);  // r and a joined by the origin; 'late' did not
  EXPECT_EQ(ds.promoters.name(st.promoters[0]), "r");
  EXPECT_EQ(ds.promoters.name(st.promoters[1]), "a");
  EXPECT_EQ(st.features.sizes(), (std::vector<int64_t>{2, 4, model::kNumFeatures}));
  EXPECT_EQ(st.target_scale.sizes(), (std::vector<int64_t>{2, 3}));
  auto f = st.features.accessor<float, 3>();
  // Window buckets: -1 (before the data), 0, 1, 2.
  EXPECT_FLOAT_EQ(f[0][0][model::kJoined], 0.0f);
  EXPECT_FLOAT_EQ(f[0][1][model::kLogSelfSales], std::log1p(1.0f));
  EXPECT_FLOAT_EQ(f[0][2][model::kLogScale], std::log1p(3.0f));  // r's y on day 2 = a's 3
  EXPECT_FLOAT_EQ(f[0][2][model::kLogSelfSales], 0.0f);
  EXPECT_FLOAT_EQ(f[0][2][model::kLogChildren], std::log1p(1.0f));
  EXPECT_FLOAT_EQ(f[0][3][model::kLogDescendants], std::log1p(1.0f));  // 'late' not yet
  EXPECT_FLOAT_EQ(f[1][2][model::kActive], 1.0f);
  EXPECT_FLOAT_EQ(f[1][3][model::kLogAge], std::log1p(1.0f));
  EXPECT_FLOAT_EQ(f[1][3][model::kLogItemScale], std::log1p(1.0f));
  // Calendar: bucket 0 is Thursday 2026-01-01 (week phase 3/7); day buckets have no hour phase.
  EXPECT_NEAR(f[0][1][model::kWeekSin], std::sin(2 * M_PI * 3.0 / 7.0), 1e-6);
  EXPECT_NEAR(f[0][1][model::kWeekCos], std::cos(2 * M_PI * 3.0 / 7.0), 1e-6);
  EXPECT_FLOAT_EQ(f[0][1][model::kDaySin], 0.0f);
  EXPECT_FLOAT_EQ(f[0][1][model::kDayCos], 1.0f);
  // Targets: days 3, 4, 5 -> a: y = (0, 7, 2), s = (0, 0, 2); r: y = (0, 7, 2).
  auto y = st.target_scale.accessor<float, 2>();
  auto s = st.target_self.accessor<float, 2>();
  EXPECT_FLOAT_EQ(y[1][1], 7.0f);
  EXPECT_FLOAT_EQ(y[1][2], 2.0f);
  EXPECT_FLOAT_EQ(s[1][2], 2.0f);
  EXPECT_FLOAT_EQ(y[0][1], 7.0f);
  EXPECT_FLOAT_EQ(st.target_active[1][2].item<float>(), 1.0f);
  EXPECT_EQ(st.horizon_mask.sum().item<float>(), 3.0f);
  // Baseline inputs: y at the origin, and mean y per bucket since the item's launch (day 0), joined or not.
  EXPECT_FLOAT_EQ(st.last_scale[0].item<float>(), 1.0f);         // r on day 2: a's 1
  EXPECT_FLOAT_EQ(st.mean_scale[0].item<float>(), 5.0f / 3.0f);  // r: 1 + 3 + 1 over days 0..2
  EXPECT_FLOAT_EQ(st.mean_scale[1].item<float>(), 4.0f / 3.0f);  // a joined on day 1: 3 + 1 over days 0..2
  // A horizon past the data is masked.
  EXPECT_EQ(model::make_subtable(t, item, 4, 4, 3).horizon_mask.sum().item<float>(), 1.0f);

  // No leakage: changing data after the origin leaves the features unchanged.
  test::write_text(dir.file("orders.csv"),
                   "item,promoter,ts,amount\nA,r,2026-01-01,1\nA,a,2026-01-02,3\nA,a,2026-01-03,1\n"
                   "A,r,2026-01-04,100\nB,q,2026-01-06,1\n");
  data::Dataset ds2 = load(dir);
  tree::PropagationTable t2 = tree::build_propagation(ds2, data::TimeAxis{}, 1);
  model::SubTable st2 = model::make_subtable(t2, ds2.items.find("A"), 2, 4, 3);
  EXPECT_TRUE(torch::equal(st.features, st2.features));
  EXPECT_FALSE(torch::equal(st.target_scale, st2.target_scale));
}
