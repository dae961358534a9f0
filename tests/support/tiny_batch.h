// Test support: a tiny hand-made DNTS batch in double precision, without a dataset: 3 samples and 12
// rows, sampled descendant pairs with rows that have none, hyperedges with an empty one and a row in
// none, targets with zeros, and masks with zeros (one row entirely unscored). For parity and gradient
// checks of the whole model.
#pragma once

#include <cstdint>
#include <vector>

#include <torch/torch.h>

#include "dnts/model/batch.h"

namespace dnts::test {

struct TinyBatchOptions {
  int64_t features = 3;  ///< F
  int64_t steps = 9;     ///< L (the default model's receptive field with kernels {2, 3} and 2 blocks is 7)
  int64_t horizon = 3;   ///< H (>= 2)
  bool pairs = true;     ///< false: no sampled descendant pairs at all (P = 0)
  uint64_t seed = 0;     ///< seeds torch's global generator (side effect) before drawing x and the targets
};

/// Rows: sample 0 = [0, 4), sample 1 = [4, 9), sample 2 = [9, 12).
/// Pairs (src -> dst): 0->1 0->2 0->3 1->3 | 4->5 4->6 4->8 5->7 5->8 | 9->10; row 11 is in no pair.
/// Hyperedges (E = 8): 0 = {0, 4}, 1 = {1, 5, 9}, 2 = {2}, 3 = {6, 10}, 4 = {} (degree 0), then one per
/// sample: 5 = rows 0..3, 6 = rows 4..8, 7 = {9, 10}; row 11 is in none (vertex degree 0).
inline model::Batch tiny_batch(const TinyBatchOptions& o = {}) {
  const auto f64 = torch::TensorOptions().dtype(torch::kDouble);
  const auto i64 = torch::TensorOptions().dtype(torch::kLong);
  const int64_t rows = 12, horizon = o.horizon;
  torch::manual_seed(o.seed);
  model::Batch b;
  b.samples = {{0, 20}, {1, 20}, {2, 21}};
  b.row_offset = {0, 4, 9, 12};
  for (uint32_t r = 0; r < rows; ++r) b.row_promoter.push_back(100 + r % 7);
  b.x = torch::randn({rows, o.steps, o.features}, f64);
  if (o.pairs) {
    b.pair_src = torch::tensor(std::vector<int64_t>{0, 0, 0, 1, 4, 4, 4, 5, 5, 9}, i64);
    b.pair_dst = torch::tensor(std::vector<int64_t>{1, 2, 3, 3, 5, 6, 8, 7, 8, 10}, i64);
  } else {
    b.pair_src = torch::zeros({0}, i64);
    b.pair_dst = torch::zeros({0}, i64);
  }
  b.hyper_vertex = torch::tensor(std::vector<int64_t>{0, 4, 1, 5, 9, 2, 6, 10, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, i64);
  b.hyper_edge = torch::tensor(std::vector<int64_t>{0, 0, 1, 1, 1, 2, 3, 3, 5, 5, 5, 5, 6, 6, 6, 6, 6, 7, 7}, i64);
  b.num_hyperedges = 8;

  // Self-sales with many zeros; y = s + descendants' sales >= s.
  b.s = torch::floor(torch::rand({rows, horizon}, f64) * 4) * (torch::rand({rows, horizon}, f64) > 0.45);
  b.y = b.s + torch::floor(torch::rand({rows, horizon}, f64) * 6) * (torch::rand({rows, horizon}, f64) > 0.35);
  b.s[0].zero_();
  b.y[11].zero_();
  b.y[1][1] = 40.0;  // one large target: the heavy tail
  b.active = (b.s > 0).to(torch::kDouble);
  b.mask = torch::ones({rows, horizon}, f64);
  b.mask.narrow(0, 9, 3).narrow(1, 1, horizon - 1).zero_();  // sample 2's later buckets lie beyond the data
  b.mask[11][0] = 0.0;                                       // row 11: nothing scored at all
  b.mask[3][0] = 0.0;
  const int64_t pairs = b.pair_src.size(0);
  b.route = torch::rand({pairs, horizon}, f64);
  b.route_known = (torch::rand({pairs, horizon}, f64) > 0.3).to(torch::kDouble);
  if (pairs > 0) {
    b.route[0].fill_(1.0);
    b.route[1][0] = 0.0;
    b.route_known[0][0] = 1.0;
    b.route_known[3].zero_();
  }
  b.last_scale = torch::zeros({rows}, f64);
  b.mean_scale = torch::zeros({rows}, f64);
  return b;
}

}  // namespace dnts::test
