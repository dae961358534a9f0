// Smoke test of `dnts bench train` (CTest label `bench`): a few training steps in C++ and in the
// PyTorch peer (bench/py/dnts_train_peer.py) on a tiny simulated dataset; the loss curves of the
// deterministic mode must agree. Correctness only: no timing is asserted. Skips when /usr/bin/python3
// cannot import torch.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "dnts/data/simulate.h"
#include "support/shell.h"
#include "support/temp_dir.h"

using dnts::test::run_cli;
using nlohmann::json;

namespace {

constexpr const char* kPython = "/usr/bin/python3";

class BenchTrain : public ::testing::Test {
 protected:
  dnts::test::TempDir dir{"bench_train"};
  void SetUp() override {
    if (dnts::test::shell(std::string(kPython) + " -c 'import torch'").code != 0)
      GTEST_SKIP() << kPython << " cannot import torch (install python3-torch: scripts/install-deps.sh)";
    dnts::data::SimulateOptions o;
    o.promoters = 60;
    o.items = 5;
    o.days = 45;
    o.seed = 5;
    o.progress = false;
    dnts::data::simulate(o, dir.file("data"));
  }
  /// Runs the CLI with a tiny model; returns the --json figures.
  json bench(const std::string& extra) {
    const std::string args =
        "bench train --data " + dir.file("data") +
        " --set data.window=7 --set data.horizon=3 --set data.step=3 --set model.channels=8 --set model.embed_dim=8"
        " --set model.kernels=[2,3] --set model.sample_k=4 --set train.batch_samples=16 --steps 3 --threads 1"
        " --python " + kPython + " --json " + dir.file("bench.json") + " " + extra;
    const auto r = run_cli(args);
    EXPECT_EQ(r.code, 0) << args << "\n" << r.output;
    EXPECT_NE(r.output.find("loss curves, exact mode"), std::string::npos) << r.output;
    return json::parse(dnts::test::read_text(dir.file("bench.json")));
  }
};

/// Every side and mode ran the same number of steps with finite losses.
void expect_complete(const json& j, size_t steps) {
  size_t sides = 0;
  for (const json& s : j.at("sides")) {
    ++sides;
    EXPECT_EQ(s.at("loss").size(), steps) << s.dump();
    EXPECT_EQ(s.at("seconds").size(), steps) << s.dump();
    for (const json& l : s.at("loss")) EXPECT_TRUE(std::isfinite(l.get<double>())) << s.dump();
  }
  EXPECT_EQ(sides, 6u) << "C++, Python natural and Python one-GEMM, each in exact and train mode";
}

}  // namespace

TEST_F(BenchTrain, LossCurvesAgreeWithPyTorchInDoublePrecision) {
  const json j = bench("--dtype float64");
  expect_complete(j, 3);
  for (const char* variant : {"natural", "gemm"}) {
    ASSERT_TRUE(j.at("loss_rel_diff").contains(variant)) << j.dump();
    EXPECT_LE(j["loss_rel_diff"][variant]["all_steps"].get<double>(), 1e-9) << variant;
  }
  // Updates happen: the loss moves from step to step.
  const json& cpp = j.at("sides").at(0);
  ASSERT_EQ(cpp.at("variant"), "dnts");
  EXPECT_NE(cpp["loss"][0].get<double>(), cpp["loss"][2].get<double>());
}

TEST_F(BenchTrain, LossCurvesAgreeWithPyTorchInSinglePrecision) {
  const json j = bench("--dtype float32 --export " + dir.file("export"));
  expect_complete(j, 3);
  for (const char* variant : {"natural", "gemm"})
    EXPECT_LE(j["loss_rel_diff"][variant]["first_steps"].get<double>(), 1e-4) << variant;
  // --export keeps what the peer read and wrote.
  EXPECT_TRUE(std::filesystem::exists(dir.file("export/manifest.json")));
  EXPECT_TRUE(std::filesystem::exists(dir.file("export/peer.json")));
}
