// `dnts report`: one self-contained HTML page (inline CSS, SVG and a few lines of script; nothing is
// fetched) from backtest folders and run folders: the comparison tables with the best value per
// column marked, error by horizon bucket, forecast vs actual for the top promoters, training curves,
// the promotion tree of one item with nodes sized by propagation scale, and the configuration.
// No LibTorch: it reads the JSON/CSV the runs wrote and, for the tree, the dataset.
#pragma once

#include <string>
#include <vector>

#include "dnts/data/dataset.h"
#include "dnts/tree/propagation.h"

namespace dnts::report {

struct ReportOptions {
  std::vector<std::string> runs;  ///< backtest folders (backtest.json), `dnts run` folders (summary.json) or train run folders
  std::string title = "dnts report";
  std::string item;               ///< item of the promotion tree ("" = the item with the largest total scale)
  int64_t tree_nodes = 250;       ///< promoters drawn at most (the largest by scale, with their ancestors)
};

/// The data behind the promotion tree (optional).
struct TreeInput {
  const data::Dataset* ds = nullptr;
  const tree::PropagationTable* table = nullptr;
};

/// Builds the page. Throws ConfigError naming a folder that is none of the three kinds.
std::string make_report(const ReportOptions& opts, const TreeInput& tree = {});

/// The dataset folder a run or backtest folder recorded ("" when none).
std::string recorded_data_dir(const std::string& run_dir);
/// The bucket width and zone a run or backtest folder was made with (defaults when not recorded).
void recorded_axis(const std::string& run_dir, std::string& bucket, std::string& tz);

}  // namespace dnts::report
