// `dnts bench`: benchmarks of whole stages, printed as tables with ratios taken in the same run.
#include "commands.h"

namespace dnts::cli {

void add_bench(CLI::App& app, Action& action) {
  auto* bench = app.add_subcommand("bench", "Benchmarks of whole stages (ratios measured in the same run)");
  bench->require_subcommand(1);
  add_bench_train(*bench, action);
}

}  // namespace dnts::cli
