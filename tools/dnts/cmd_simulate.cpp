// `dnts simulate`: writes a simulated affiliate-platform dataset (DATA.md layout) to a folder.
#include <cstdio>
#include <memory>
#include <string>

#include <fmt/format.h>

#include "commands.h"
#include "dnts/data/simulate.h"

namespace dnts::cli {

void add_simulate(CLI::App& app, Action& action) {
  auto* cmd = app.add_subcommand("simulate",
                                 "Write a simulated affiliate-platform dataset (orders.csv, edges.csv) to a folder; "
                                 "see docs/simulator.md");
  auto opt = std::make_shared<data::SimulateOptions>();
  auto out_dir = std::make_shared<std::string>();
  auto quiet = std::make_shared<bool>(false);
  auto amount = std::make_shared<std::string>("quantity");
  auto keep_prewindow = std::make_shared<bool>(false);

  cmd->add_option("out-dir", *out_dir, "Output folder (created if missing)")->required();
  cmd->add_option("--promoters", opt->promoters, "Number of promoters")->capture_default_str();
  cmd->add_option("--items", opt->items, "Number of items")->capture_default_str();
  cmd->add_option("--days", opt->days, "Days in the observation window")->capture_default_str();
  cmd->add_option("--seed", opt->seed, "Random seed (same seed, same bytes)")->capture_default_str();
  cmd->add_option("--start", opt->start, "First day of the window, YYYY-MM-DD (UTC)")->capture_default_str();
  cmd->add_flag("--path-mode", opt->path_mode,
                "Write an explicit path column; some promoters reach an item through a second upstream (DAG)");
  cmd->add_flag("--gzip", opt->gzip, "Write orders.csv.gz and edges.csv.gz");
  cmd->add_flag("--force", opt->overwrite, "Replace a dataset already in the output folder");
  cmd->add_option("--threads", opt->threads, "Generator threads (0 = all cores; output does not depend on it)")
      ->capture_default_str();
  cmd->add_flag("--quiet,-q", *quiet, "No progress line and no summary");
  cmd->add_option("--amount", *amount, "Amount column: quantity or gmv")
      ->check(CLI::IsMember({"quantity", "gmv"}))
      ->capture_default_str();
  // Model knobs (all of SimulateOptions' main ones; see docs/simulator.md).
  auto* g = "Model knobs";
  cmd->add_option("--tree-size", opt->tree_size, "Mean promoters joining an item over its life (0 = auto)")
      ->group(g)
      ->capture_default_str();
  cmd->add_option("--sales-rate", opt->sales_rate, "Orders/day of an average pair at the item's peak")
      ->group(g)
      ->capture_default_str();
  cmd->add_option("--sales-dispersion", opt->sales_dispersion, "Gamma shape of daily rate noise (0 = Poisson)")
      ->group(g)
      ->capture_default_str();
  cmd->add_option("--root-prob", opt->root_attach_prob, "Probability a joiner attaches to the item's root")
      ->group(g)
      ->capture_default_str();
  cmd->add_option("--pareto-alpha", opt->promoter_pareto_alpha, "Tail index of promoter activity weights")
      ->group(g)
      ->capture_default_str();
  cmd->add_option("--popularity-sigma", opt->item_popularity_sigma, "Lognormal sigma of item popularity")
      ->group(g)
      ->capture_default_str();
  cmd->add_option("--prelaunch-fraction", opt->prelaunch_fraction, "Share of items launched before the window")
      ->group(g)
      ->capture_default_str();
  cmd->add_option("--rise-days", opt->rise_days, "Median days of an item's rise")->group(g)->capture_default_str();
  cmd->add_option("--decay-days", opt->decay_days, "Median e-folding days of an item's decay")
      ->group(g)
      ->capture_default_str();
  cmd->add_option("--fatigue-days", opt->promoter_fatigue_days, "Promoter interest e-folding days (0 = none)")
      ->group(g)
      ->capture_default_str();
  cmd->add_option("--weekly-amplitude", opt->weekly_amplitude, "Day-of-week amplitude in [0, 1)")
      ->group(g)
      ->capture_default_str();
  cmd->add_option("--campaign-days", opt->campaign_days, "Campaign spike days (-1 = auto: days/30)")
      ->group(g)
      ->capture_default_str();
  cmd->add_option("--campaign-boost", opt->campaign_boost, "Sales multiplier on a campaign day")
      ->group(g)
      ->capture_default_str();
  cmd->add_option("--alt-upstream-prob", opt->alt_upstream_prob, "Path mode: share of joiners with a second upstream")
      ->group(g)
      ->capture_default_str();
  cmd->add_option("--reroute-prob", opt->reroute_prob, "Path mode: share of their orders through it")
      ->group(g)
      ->capture_default_str();
  cmd->add_flag("--keep-prewindow-edges", *keep_prewindow,
                "Keep the true timestamps of edges made before the window (default: written at the window start)")
      ->group(g);

  cmd->callback([&action, opt, out_dir, quiet, amount, keep_prewindow]() {
    action = [opt, out_dir, quiet, amount, keep_prewindow]() {
      opt->clip_edges_to_window = !*keep_prewindow;
      opt->amount = *amount == "gmv" ? data::SimAmount::kGmv : data::SimAmount::kQuantity;
      opt->progress = !*quiet;
      data::SimulateReport r = data::simulate(*opt, *out_dir);
      if (!*quiet) {
        std::printf("%s",
                    fmt::format("simulated {} orders, {} edges, {} items, {} promoters active ({} selling){} in "
                                "{:.2f}s ({:.0f} orders/s)\n  {}\n  {}\n",
                                r.orders, r.edges, r.items, r.promoters_active, r.promoters_selling,
                                opt->path_mode ? fmt::format(", {} rerouted paths", r.rerouted_orders) : "",
                                r.seconds, r.seconds > 0 ? double(r.orders) / r.seconds : 0.0, r.orders_path,
                                r.edges_path)
                        .c_str());
      }
      return 0;
    };
  });
}

}  // namespace dnts::cli
