#include "dnts/train/samples.h"

#include <algorithm>
#include <cmath>

#include "dnts/error.h"

namespace dnts::train {
namespace {

// The buckets in which an item has orders, sorted and distinct: built once per item, so each
// (item, origin) activity query is a binary search instead of a scan over the item's cells.
std::vector<int32_t> active_buckets(const tree::ItemTable& it) {
  std::vector<int32_t> b;
  for (const tree::Cell& c : it.cells)
    if (c.orders > 0) b.push_back(c.bucket);
  std::sort(b.begin(), b.end());
  b.erase(std::unique(b.begin(), b.end()), b.end());
  return b;
}

// Any orders of the item in buckets [from, to]? `active`: active_buckets(item).
bool active_between(const std::vector<int32_t>& active, int32_t from, int32_t to) {
  auto it = std::lower_bound(active.begin(), active.end(), from);
  return it != active.end() && *it <= to;
}

int32_t first_bucket(const tree::ItemTable& it) { return it.join_bucket.empty() ? INT32_MAX : it.join_bucket.front(); }

}  // namespace

SampleSplit make_samples(const tree::PropagationTable& table, const DataConfig& cfg, int32_t test_start) {
  SampleSplit split;
  const int32_t T = table.frame.num_buckets;
  const int32_t H = int32_t(cfg.horizon), L = int32_t(cfg.window);
  if (cfg.protocol == "calendar") {
    split.test_start = test_start >= 0 ? test_start : T - int32_t(std::lround(cfg.test_fraction * T));
    split.val_start = split.test_start - int32_t(std::lround(cfg.val_fraction * T));
    DNTS_CHECK(split.val_start > int32_t(cfg.min_history) && split.test_start > split.val_start &&
                   split.test_start <= T,
               ConfigError,
               "calendar split: the data has {} buckets; with val/test fractions {}/{} nothing is left for training "
               "or validation (lower the fractions, or use a finer --bucket)",
               T, cfg.val_fraction, cfg.test_fraction);
    std::vector<std::vector<int32_t>> active(table.items.size());
    for (size_t item = 0; item < table.items.size(); ++item) active[item] = active_buckets(table.items[item]);
    for (int32_t t0 = int32_t(cfg.min_history) - 1; t0 < T - 1; t0 += int32_t(cfg.step)) {
      std::vector<model::SampleRef>* into = nullptr;
      // By the first forecast bucket t0 + 1; a horizon reaching into a later period keeps its buckets
      // before that period (targets past train_cutoff / val_cutoff are masked when batches are built),
      // so no tail of a period is dropped and nothing leaks.
      if (t0 + 1 < split.val_start) into = &split.train;
      else if (t0 + 1 < split.test_start) into = &split.val;
      else into = &split.test;
      for (uint32_t item = 0; item < table.items.size(); ++item) {
        const tree::ItemTable& it = table.items[item];
        if (it.promoters_at(t0) == 0) continue;
        if (into == &split.train && !active_between(active[item], t0 - L + 1, std::min(t0 + H, split.val_start - 1)))
          continue;
        into->push_back({item, t0});
      }
    }
    split.train_cutoff = split.val_start - 1;
    split.val_cutoff = split.test_start - 1;
  } else {
    // Item-age origins: items sorted by launch; the latest launched are the test items.
    // Only items with at least one origin before the data's last bucket can be forecast.
    const int64_t min_age = *std::min_element(cfg.ages.begin(), cfg.ages.end());
    std::vector<uint32_t> items;
    for (uint32_t i = 0; i < table.items.size(); ++i)
      if (!table.items[i].join_bucket.empty() && first_bucket(table.items[i]) + min_age - 1 < T - 1) items.push_back(i);
    std::stable_sort(items.begin(), items.end(), [&](uint32_t a, uint32_t b) {
      return first_bucket(table.items[a]) < first_bucket(table.items[b]);
    });
    const size_t n = items.size();
    const size_t n_test = size_t(std::lround(cfg.test_fraction * double(n)));
    const size_t n_val = size_t(std::lround(cfg.val_fraction * double(n)));
    DNTS_CHECK(n > n_test + n_val, ConfigError, "age split: {} items leave none for training", n);
    for (size_t k = 0; k < n; ++k) {
      uint32_t item = items[k];
      const tree::ItemTable& it = table.items[item];
      auto& into = k >= n - n_test ? split.test : (k >= n - n_test - n_val ? split.val : split.train);
      for (int64_t age : cfg.ages) {
        int32_t t0 = first_bucket(it) + int32_t(age) - 1;
        if (t0 >= T - 1) continue;  // no future bucket to forecast
        into.push_back({item, t0});
      }
    }
    // Items overlap in time: training targets stop at the earliest validation/test origin, validation
    // targets at the earliest test origin.
    for (const auto& r : split.val) split.train_cutoff = std::min(split.train_cutoff, r.origin);
    for (const auto& r : split.test) {
      split.train_cutoff = std::min(split.train_cutoff, r.origin);
      split.val_cutoff = std::min(split.val_cutoff, r.origin);
    }
  }
  DNTS_CHECK(!split.val.empty(), ConfigError,
             "no validation samples (protocol {}, {} buckets, horizon {}, val_fraction {}): raise data.val_fraction",
             cfg.protocol, T, H, cfg.val_fraction);
  return split;
}

std::vector<std::vector<model::SampleRef>> group_batches(std::vector<model::SampleRef> samples, int64_t batch_samples) {
  // By origin only: the caller's order within an origin (shuffled in training) is kept.
  std::stable_sort(samples.begin(), samples.end(),
                   [](const model::SampleRef& a, const model::SampleRef& b) { return a.origin < b.origin; });
  std::vector<std::vector<model::SampleRef>> out;
  for (size_t k = 0; k < samples.size(); k += size_t(batch_samples))
    out.emplace_back(samples.begin() + int64_t(k),
                     samples.begin() + int64_t(std::min(samples.size(), k + size_t(batch_samples))));
  return out;
}

std::vector<std::vector<model::SampleRef>> shuffled_batches(std::vector<model::SampleRef> samples,
                                                            int64_t batch_samples, std::mt19937_64& rng) {
  std::shuffle(samples.begin(), samples.end(), rng);
  auto batches = group_batches(std::move(samples), batch_samples);
  std::shuffle(batches.begin(), batches.end(), rng);
  return batches;
}

}  // namespace dnts::train
