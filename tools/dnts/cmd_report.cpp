// `dnts report`: a self-contained HTML page from backtest and run folders.
#include <cstdio>

#include "commands.h"
#include "common.h"
#include "dnts/data/csv.h"
#include "dnts/error.h"
#include "dnts/report/report.h"

namespace dnts::cli {

void add_report(CLI::App& app, Action& action) {
  auto* cmd = app.add_subcommand("report", "A self-contained HTML report of backtest and run folders");
  auto opts = std::make_shared<report::ReportOptions>();
  auto out = std::make_shared<std::string>();
  auto data_dir = std::make_shared<std::string>();
  cmd->add_option("runs", opts->runs, "Backtest folders, `dnts run` folders or run folders")->required();
  cmd->add_option("--out", *out, "HTML file")->required();
  cmd->add_option("--data", *data_dir, "Dataset for the promotion tree (default: the one the first folder recorded)");
  cmd->add_option("--item", opts->item, "Item whose promotion tree is drawn (default: the largest by total scale)");
  cmd->add_option("--tree-nodes", opts->tree_nodes, "Promoters drawn at most in the tree")->capture_default_str();
  cmd->add_option("--title", opts->title, "Page title")->capture_default_str();
  cmd->callback([&action, opts, out, data_dir]() {
    action = [opts, out, data_dir]() {
      data::check_output_path(*out);
      std::string dir = *data_dir;
      for (size_t i = 0; dir.empty() && i < opts->runs.size(); ++i) dir = report::recorded_data_dir(opts->runs[i]);
      data::Dataset ds;
      tree::PropagationTable table;
      report::TreeInput tree;
      if (!dir.empty()) {
        DataArgs a;
        a.dir = dir;
        report::recorded_axis(opts->runs.front(), a.bucket, a.tz);
        ds = load_dataset(a);
        table = tree::build_propagation(ds, a.axis(), a.threads);
        tree = {&ds, &table};
      } else {
        std::fprintf(stderr, "report: no dataset recorded or given (--data): no promotion tree\n");
      }
      std::string html = report::make_report(*opts, tree);
      data::write_file_atomic(*out, html);
      std::printf("report: %zu folder(s) -> %s (%zu KiB)\n", opts->runs.size(), out->c_str(), html.size() / 1024);
      return 0;
    };
  });
}

}  // namespace dnts::cli
