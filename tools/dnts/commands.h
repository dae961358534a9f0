// The `dnts` CLI: each cmd_*.cpp registers one subcommand. A subcommand only parses its flags,
// calls dnts_core and prints; errors travel as dnts::Error and main() maps them to exit codes.
#pragma once

#include <functional>

#include <CLI/CLI.hpp>

namespace dnts::cli {

/// What a subcommand runs once the command line is parsed; returns the exit code.
using Action = std::function<int()>;

void add_convert(CLI::App& app, Action& action);
void add_simulate(CLI::App& app, Action& action);
void add_ingest(CLI::App& app, Action& action);
void add_scale(CLI::App& app, Action& action);
void add_stats(CLI::App& app, Action& action);
void add_run(CLI::App& app, Action& action);
void add_train(CLI::App& app, Action& action);
void add_forecast(CLI::App& app, Action& action);
void add_evaluate(CLI::App& app, Action& action);
void add_params(CLI::App& app, Action& action);
void add_models(CLI::App& app, Action& action);
void add_backtest(CLI::App& app, Action& action);
void add_report(CLI::App& app, Action& action);
/// `dnts bench` and its stages (cmd_bench*.cpp), one add_bench_<stage>(bench, action) each.
void add_bench(CLI::App& app, Action& action);
void add_bench_data(CLI::App& bench, Action& action);
/// `dnts bench train`, under the `bench` subcommand.
void add_bench_train(CLI::App& bench, Action& action);

}  // namespace dnts::cli
