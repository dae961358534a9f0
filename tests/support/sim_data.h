// Test support: a small simulated dataset, ingested and with its propagation table (day buckets).
#pragma once

#include <cstdint>

#include "dnts/data/ingest.h"
#include "dnts/data/simulate.h"
#include "dnts/tree/propagation.h"
#include "support/temp_dir.h"

namespace dnts::test {

struct SimData {
  TempDir dir{"sim"};
  data::Dataset ds;
  tree::PropagationTable table;
  SimData(int64_t promoters, int64_t items, int32_t days, uint64_t seed) {
    data::SimulateOptions o;
    o.promoters = promoters;
    o.items = items;
    o.days = days;
    o.seed = seed;
    o.progress = false;
    data::simulate(o, dir.file("data"));
    data::IngestOptions io;
    io.data_dir = dir.file("data");
    io.use_cache = false;
    ds = data::ingest(io);
    table = tree::build_propagation(ds, data::TimeAxis{}, 1);
  }
};

}  // namespace dnts::test
