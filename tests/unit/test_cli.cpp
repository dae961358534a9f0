// The CLI as a user runs it: exit codes, messages on stderr, files written.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <map>

#include <nlohmann/json.hpp>

#include "support/shell.h"
#include "support/temp_dir.h"

using dnts::test::TempDir;

using Result = dnts::test::ShellResult;
using dnts::test::run_cli;

TEST(Cli, ScaleWritesTheMetric) {
  TempDir dir("cli");
  dnts::test::write_text(dir.file("data/orders.csv"),
                         "item,promoter,ts,amount\nA,b,2026-01-02T10:00:00Z,2\nA,a,2026-01-02T11:00:00Z,1\n");
  dnts::test::write_text(dir.file("data/edges.csv"), "item,parent,child,ts\nA,,a,2026-01-01\nA,a,b,2026-01-01\n");
  Result r = run_cli("scale " + dir.file("data") + " --out " + dir.file("scale.csv"));
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_EQ(dnts::test::read_text(dir.file("scale.csv")),
            "item,promoter,day,self_sales,propagation_scale\n"
            "A,a,2026-01-02,1,3\nA,b,2026-01-02,2,2\n*,b,2026-01-02,2,2\n*,a,2026-01-02,1,3\n");
  // Hourly buckets label bucket starts as ISO date-times.
  r = run_cli("scale " + dir.file("data") + " --bucket 1h --tz +08:00 --out " + dir.file("scale_h.csv"));
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_NE(dnts::test::read_text(dir.file("scale_h.csv")).find("A,b,2026-01-02T18:00:00+08:00,2,2"),
            std::string::npos);
}

TEST(Cli, BadInputExitsWithCode3AndNamesTheRow) {
  TempDir dir("cli_bad");
  dnts::test::write_text(dir.file("orders.csv"), "item,promoter,ts,amount\nA,a,2026-01-02,-1\n");
  Result r = run_cli("scale " + dir.str() + " --out " + dir.file("s.csv"));
  EXPECT_EQ(r.code, 3) << r.output;
  EXPECT_NE(r.output.find("orders.csv:2: column 'amount': -1 is negative"), std::string::npos) << r.output;
  EXPECT_FALSE(std::filesystem::exists(dir.file("s.csv")));
  // Lenient mode skips and reports the count by reason.
  dnts::test::write_text(dir.file("orders.csv"), "item,promoter,ts,amount\nA,a,2026-01-02,-1\nA,a,2026-01-02,1\n");
  r = run_cli("scale " + dir.str() + " --lenient --no-cache --out " + dir.file("s.csv"));
  EXPECT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("skipped         1 rows: negative amount"), std::string::npos) << r.output;
}

TEST(Cli, BadOptionsExitWithCode2) {
  TempDir dir("cli_opt");
  dnts::test::write_text(dir.file("orders.csv"), "item,promoter,ts\nA,a,2026-01-02\n");
  Result r = run_cli("scale " + dir.str() + " --bucket 5h --out " + dir.file("s.csv"));
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find("--bucket '5h'"), std::string::npos) << r.output;
  r = run_cli("scale " + dir.str() + " --tz Mars/Olympus --out " + dir.file("s.csv"));
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_EQ(run_cli("no-such-command").code, 2);
}

// End to end: `dnts run` on the built-in simulated platform (simulate -> ingest -> scale -> train ->
// forecast -> evaluate). DNTS must beat the naive last-value forecast on the held-out test split by a
// clear margin: horizon-total WAPE at least 20 % lower (measured: 0.62 vs 1.04) and a lower per-cell
// RMSE; it must also beat the zero forecast on horizon totals.
TEST(Cli, RunTrainsForecastsAndBeatsTheLastValueForecast) {
  TempDir dir("cli_run");
  Result r = run_cli("run --out " + dir.file("run"));
  ASSERT_EQ(r.code, 0) << r.output;
  for (const char* f : {"scale.csv", "stats.json", "forecasts.csv", "report.txt", "summary.json", "model/metrics.json",
                        "model/curve.csv", "model/checkpoints/best.pt"})
    EXPECT_TRUE(std::filesystem::exists(dir.file("run/") + f)) << f;
  EXPECT_NE(r.output.find("top 10 promoters by propagation scale"), std::string::npos) << r.output;
  nlohmann::json s = nlohmann::json::parse(dnts::test::read_text(dir.file("run/summary.json")));
  const auto& t = s["test"];
  const double dnts = t["dnts"]["total"]["wape"], last = t["last"]["total"]["wape"], zero = t["zero"]["total"]["wape"];
  EXPECT_LT(dnts, 0.8 * last) << t.dump(2);
  EXPECT_LT(dnts, zero) << t.dump(2);
  EXPECT_LT(double(t["dnts"]["cell"]["rmse"]), double(t["last"]["cell"]["rmse"])) << t.dump(2);
  EXPECT_EQ(t["dnts"]["cell"]["n"], t["last"]["cell"]["n"]);  // the same cells for every forecaster
  // `dnts evaluate` on the saved run recomputes the same test figures.
  r = run_cli("evaluate --run " + dir.file("run/model") + " --data " + dir.file("run/data") + " --json " +
          dir.file("eval.json"));
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("mean_rate"), std::string::npos) << r.output;
  nlohmann::json e = nlohmann::json::parse(dnts::test::read_text(dir.file("eval.json")));
  EXPECT_DOUBLE_EQ(double(e["dnts"]["total"]["wape"]), dnts);
  // Forecast rows: a header, per-bucket rows, totals, and "*" across-item totals.
  std::string fc = dnts::test::read_text(dir.file("run/forecasts.csv"));
  EXPECT_EQ(fc.rfind("item,promoter,day,y_hat,self_sales_hat,p_active\n", 0), 0u);
  EXPECT_NE(fc.find(",total,"), std::string::npos);
  EXPECT_NE(fc.find("\n*,"), std::string::npos);
}

TEST(Cli, BacktestScoresEveryModelOnTheSameCellsAtEachHorizon) {
  TempDir dir("cli_backtest");
  Result r = run_cli("simulate --promoters 120 --items 12 --days 60 --seed 3 -q " + dir.file("data"));
  ASSERT_EQ(r.code, 0) << r.output;
  // Refit every 8 test origins: several blocks, each trained on the data before it.
  r = run_cli("backtest --data " + dir.file("data") + " --models zero,last,seasonal_naive,croston,tsb,tcn,dnts-no-gcn" +
          " --horizons 3 7 --epochs 1 --seeds 2 --refit 8 --out " + dir.file("bt"));
  ASSERT_EQ(r.code, 0) << r.output;
  nlohmann::json j = nlohmann::json::parse(dnts::test::read_text(dir.file("bt/backtest.json")));
  EXPECT_EQ(j["horizons"], nlohmann::json::array({3, 7}));
  EXPECT_GT(j["blocks"].get<int>(), 1);
  // 5 statistical scores (one seed) + 2 trained models x 2 seeds, at 2 horizons.
  ASSERT_EQ(j["scores"].size(), size_t((5 + 2 * 2) * 2));
  std::map<int, int64_t> cells, rows;
  for (const auto& s : j["scores"]) {
    const int h = s["horizon"];
    const int64_t c = s["metrics"]["cell"]["n"], n = s["metrics"]["total"]["n"];
    if (!cells.count(h)) cells[h] = c, rows[h] = n;
    EXPECT_EQ(c, cells[h]) << s["model"] << " scored other cells";
    EXPECT_EQ(n, rows[h]) << s["model"];
    EXPECT_EQ(s["metrics"]["by_horizon"].size(), size_t(h));
    if (s["model"] == "zero") {
      EXPECT_DOUBLE_EQ(double(s["metrics"]["total"]["wape"]), 1.0);
    }
  }
  EXPECT_GT(cells[7], cells[3]);
  // The longer horizon's first buckets are the shorter one's: identical per-bucket errors.
  for (const auto& s : j["scores"])
    if (s["horizon"] == 7)
      for (const auto& t : j["scores"])
        if (t["horizon"] == 3 && t["model"] == s["model"] && t["seed"] == s["seed"]) {
          for (int h = 0; h < 3; ++h) {
            EXPECT_DOUBLE_EQ(double(s["metrics"]["by_horizon"][h]["mae"]), double(t["metrics"]["by_horizon"][h]["mae"]));
          }
        }
  EXPECT_GT(j["summary"]["tcn"]["7"]["total_wape"]["n"].get<int>(), 1);
  std::string md = dnts::test::read_text(dir.file("bt/summary.md"));
  EXPECT_NE(md.find("| dnts-no-gcn |"), std::string::npos) << md;
  EXPECT_NE(md.find("**"), std::string::npos);
  EXPECT_TRUE(std::filesystem::exists(dir.file("bt/runs/tcn/seed-2/block-1/checkpoints/best.pt")));
  // Unknown models fail before any work, naming the known ones.
  r = run_cli("backtest --data " + dir.file("data") + " --models dnts,prophet --out " + dir.file("bt2"));
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find("unknown forecaster 'prophet'"), std::string::npos) << r.output;
}

TEST(Cli, BacktestMergeEqualsOneRunAndRefusesMismatchedParts) {
  TempDir dir("cli_backtest_merge");
  Result r = run_cli("simulate --promoters 80 --items 8 --days 50 --seed 5 -q " + dir.file("data"));
  ASSERT_EQ(r.code, 0) << r.output;
  const std::string common = "backtest --data " + dir.file("data") + " --horizons 3 7 --epochs 1 --seeds 2";
  ASSERT_EQ((r = run_cli(common + " --models zero,dlinear,last --out " + dir.file("all"))).code, 0) << r.output;
  ASSERT_EQ((r = run_cli(common + " --models zero,dlinear --out " + dir.file("a"))).code, 0) << r.output;
  ASSERT_EQ((r = run_cli(common + " --models last --out " + dir.file("b"))).code, 0) << r.output;
  ASSERT_EQ((r = run_cli("backtest --merge " + dir.file("a") + "," + dir.file("b") + " --out " + dir.file("m"))).code, 0)
      << r.output;
  auto all = nlohmann::json::parse(dnts::test::read_text(dir.file("all/backtest.json")));
  auto m = nlohmann::json::parse(dnts::test::read_text(dir.file("m/backtest.json")));
  EXPECT_EQ(m["models"], all["models"]);
  EXPECT_EQ(m["scores"].size(), all["scores"].size());
  // Same seeds, same data: the merged summary is the single run's, number for number (dlinear is trained).
  for (const std::string model : {"zero", "dlinear", "last"})
    for (const std::string h : {"3", "7"})
      for (const std::string key : {"total_wape", "cell_mae", "ndcg_item", "spearman_across"}) {
        const auto& a = all["summary"][model][h][key];
        const auto& b = m["summary"][model][h][key];
        EXPECT_EQ(a["n"], b["n"]) << model << " " << h << " " << key;
        if (a["mean"].is_number()) {
          EXPECT_DOUBLE_EQ(double(a["mean"]), double(b["mean"])) << model << " " << key;
          EXPECT_DOUBLE_EQ(double(a["std"]), double(b["std"])) << model << " " << key;
        }
      }
  EXPECT_EQ(m["summary"]["dlinear"]["7"]["total_wape"]["n"], 2);
  EXPECT_EQ(dnts::test::read_text(dir.file("m/summary.md")), dnts::test::read_text(dir.file("all/summary.md")));
  // A part scored at other horizons, or a model in two parts, is refused with the reason.
  ASSERT_EQ((r = run_cli("backtest --data " + dir.file("data") + " --horizons 3 --models mean_rate --out " +
                         dir.file("c"))).code, 0) << r.output;
  r = run_cli("backtest --merge " + dir.file("a") + "," + dir.file("c") + " --out " + dir.file("m2"));
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find("has horizons = [3]"), std::string::npos) << r.output;
  r = run_cli("backtest --merge " + dir.file("a") + "," + dir.file("all") + " --out " + dir.file("m3"));
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find("model zero appears in more than one part"), std::string::npos) << r.output;
}
