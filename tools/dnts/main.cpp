// dnts: command-line front-end of the DNTS engine.
#include <cstdio>
#include <exception>

#include "commands.h"
#include "dnts/error.h"

int main(int argc, char** argv) {
  CLI::App app{"dnts " DNTS_VERSION
               " - forecasting promoters' propagation scale in affiliate marketing (DNTS, CIKM 2025)"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "dnts " DNTS_VERSION);
  dnts::cli::Action action;
  dnts::cli::add_run(app, action);
  dnts::cli::add_train(app, action);
  dnts::cli::add_forecast(app, action);
  dnts::cli::add_evaluate(app, action);
  dnts::cli::add_backtest(app, action);
  dnts::cli::add_report(app, action);
  dnts::cli::add_bench(app, action);
  dnts::cli::add_params(app, action);
  dnts::cli::add_models(app, action);
  dnts::cli::add_simulate(app, action);
  dnts::cli::add_convert(app, action);
  dnts::cli::add_ingest(app, action);
  dnts::cli::add_scale(app, action);
  dnts::cli::add_stats(app, action);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  try {
    return action ? action() : 0;
  } catch (const dnts::Error& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return e.exit_code();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "internal error: %s\n", e.what());
    return 1;
  }
}
