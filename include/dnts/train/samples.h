// Forecasting samples (item, origin) and their train/validation/test split (METHOD.md §3), with the
// two origin protocols: calendar origins split by calendar time, and item-age origins split by the
// items' launch time. A sample's targets never reach into a later period: they are masked past its
// period's cutoff, and a sample whose horizon crosses into the next period keeps the buckets before it.
#pragma once

#include <climits>
#include <random>
#include <vector>

#include "dnts/config.h"
#include "dnts/model/batch.h"
#include "dnts/tree/propagation.h"

namespace dnts::train {

struct SampleSplit {
  std::vector<model::SampleRef> train, val, test;
  int32_t val_start = 0, test_start = 0;  ///< calendar: first bucket of the validation / test period
  /// Last bucket whose targets training / validation may use: before any later split's first
  /// forecast bucket (calendar: val_start - 1 / test_start - 1; age: the earliest val / test origin).
  int32_t train_cutoff = INT32_MAX, val_cutoff = INT32_MAX;
};

/// Enumerates and splits the samples. Samples whose item has no promoter at the origin are skipped;
/// training samples also skip windows with no activity at all (input and horizon). Calendar protocol:
/// `test_start` >= 0 places the first test bucket there instead of at the test fraction (rolling-origin
/// backtests refit with the data before each block of origins).
SampleSplit make_samples(const tree::PropagationTable& table, const DataConfig& cfg, int32_t test_start = -1);

/// Groups samples into batches of at most `batch_samples`, in (origin, item) order: samples at the
/// same or nearby origins together (items promoted at the same time share promoters, so the
/// hypergraph sees cross-item links).
std::vector<std::vector<model::SampleRef>> group_batches(std::vector<model::SampleRef> samples, int64_t batch_samples);

/// One training epoch's batches: the samples shuffled, grouped by group_batches, the batches shuffled
/// (both shuffles draw from `rng`, in that order).
std::vector<std::vector<model::SampleRef>> shuffled_batches(std::vector<model::SampleRef> samples,
                                                            int64_t batch_samples, std::mt19937_64& rng);

}  // namespace dnts::train
