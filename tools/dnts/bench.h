// Shared pieces of the `dnts bench` stages (cmd_bench*.cpp): repeated timing, peak memory per stage,
// the printed table and its JSON form. Figures are best-of-N wall times taken in one process, so
// ratios between stages compare like with like.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace dnts::cli {

/// One measured stage. `work` is what a rate counts (rows, updates, bytes), `work_unit` names it.
struct BenchStage {
  std::string name;
  std::vector<double> seconds;  ///< every run (wall)
  std::vector<double> cpu_seconds;  ///< every run: user + system CPU time of the whole process
  double work = 0;
  std::string work_unit;        ///< e.g. "rows", "updates"; empty: no rate column
  double bytes = 0;             ///< input bytes the stage reads (0: no MB/s column)
  double peak_rss_mb = 0;       ///< peak resident memory during the stage's runs
  std::string note;

  double best() const;    ///< fastest run (least disturbed by other load)
  double median() const;
  double best_cpu() const;  ///< CPU time of the fastest run
  double rate() const { return best() > 0 ? work / best() : 0; }
  double mb_per_s() const { return best() > 0 ? bytes / best() / 1e6 : 0; }
  nlohmann::json to_json() const;
};

/// Runs `fn` `repeat` times (after `warmup` untimed runs) and records the wall time of each run and
/// CPU time of each run and the peak resident memory over them (Linux; 0 elsewhere).
BenchStage run_stage(const std::string& name, int repeat, const std::function<void()>& fn, int warmup = 0);

/// Peak resident memory since the last reset, in MB; reset_peak_rss() restarts the mark.
double peak_rss_mb();
void reset_peak_rss();

/// The stages as an aligned text table: stage, best and median seconds, CPU seconds of the best run,
/// rate, MB/s, peak RSS, note.
std::string format_bench_table(const std::vector<BenchStage>& stages);

}  // namespace dnts::cli
