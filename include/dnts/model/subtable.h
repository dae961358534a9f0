// Item-specific promoter sub-tables as LibTorch tensors: the one place where the propagation table
// becomes model input. For an item and an origin bucket t0: the promoters in the item's network up to
// t0, their L-bucket input features and, where the data has them, their H-bucket targets.
#pragma once

#include <cstdint>
#include <vector>

#include <torch/torch.h>

#include "dnts/tree/propagation.h"

namespace dnts::model {

/// Input feature channels, in order (F = kNumFeatures).
enum Feature : int64_t {
  kLogSelfSales = 0,    ///< log1p(s)
  kLogScale,            ///< log1p(y)
  kActive,              ///< 1[s > 0]
  kLogChildren,         ///< log1p(children joined in the bucket)
  kLogDescendants,      ///< log1p(descendants so far, cumulative)
  kLogAge,              ///< log1p(buckets since the promoter joined the item); 0 before joining
  kJoined,              ///< 1 once the promoter has joined the item
  kLogItemScale,        ///< log1p(Σ self-sales of the item in the bucket)
  kWeekSin,             ///< day-of-week phase of the bucket start, sin (0 = Monday 00:00)
  kWeekCos,             ///< same, cos
  kDaySin,              ///< hour-of-day phase (constant 0 for whole-day buckets), sin
  kDayCos,              ///< same, cos
  kNumFeatures
};

struct SubTable {
  uint32_t item = 0;
  int32_t origin = 0;                  ///< last observed relative bucket t0
  std::vector<uint32_t> promoters;     ///< global ids, row order of every tensor
  std::vector<uint32_t> locals;        ///< local ids in the ItemTable
  torch::Tensor features;              ///< [N, L, F] float32, buckets t0-L+1 .. t0
  torch::Tensor scale_history;         ///< [N, L] y over t0-L+1 .. t0 (raw, for the statistical baselines)
  torch::Tensor target_scale;          ///< [N, H] y over t0+1 .. t0+H
  torch::Tensor target_self;           ///< [N, H] s
  torch::Tensor target_active;         ///< [N, H] 1[s > 0]
  torch::Tensor horizon_mask;          ///< [H] 1 where the bucket lies inside the data's frame
  torch::Tensor last_scale;            ///< [N] y at t0 (the last-value baseline)
  torch::Tensor mean_scale;            ///< [N] mean y per bucket from the item's launch to t0 (mean-rate baseline)
};

/// Builds the sub-table of `item` at origin `t0` (relative bucket): promoters that joined at or
/// before t0, in local-id order. Input buckets before the frame start are zero. Never reads a
/// bucket after t0 into `features`.
SubTable make_subtable(const tree::PropagationTable& table, uint32_t item, int32_t t0, int64_t window,
                       int64_t horizon, torch::Device device = torch::kCPU);

}  // namespace dnts::model
