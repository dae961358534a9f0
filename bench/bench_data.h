// Shared inputs of the data kernels: a small simulated dataset (written once per process to a
// temporary folder, then ingested) and synthetic order lines shaped like the simulator's.
#pragma once

#include <string>
#include <vector>

#include "dnts/data/dataset.h"

namespace dnts::bench {

/// The simulated dataset (3,000 promoters, 60 items, 60 days, seed 1), ingested once.
const data::Dataset& sim_dataset();
/// Its folder (orders.csv, edges.csv).
const std::string& sim_dir();

/// `n` order lines "iNNNN,pNNNNNN,2026-01-DDTHH:MM:SSZ,A\n" (deterministic), as one text.
std::string order_lines(size_t n);
/// `n` promoter ids "pNNNNNN" drawn from `distinct` names (deterministic).
std::vector<std::string> promoter_ids(size_t n, size_t distinct);

}  // namespace dnts::bench
