// Run configuration: precedence, unknown keys with suggestions, every violation reported at once,
// and docs/parameters.md kept in step with the field table.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "dnts/config.h"
#include "dnts/error.h"
#include "support/temp_dir.h"

using dnts::RunConfig;

TEST(Config, FileOverridesDefaultsAndRoundTrips) {
  RunConfig c;
  c.apply_json(nlohmann::json::parse(R"({"model": {"embed_dim": 64, "gcn": false}, "train": {"lr": 0.01}})"), "cfg.json");
  EXPECT_EQ(c.model.embed_dim, 64);
  EXPECT_FALSE(c.model.gcn);
  EXPECT_DOUBLE_EQ(c.train.lr, 0.01);
  EXPECT_EQ(c.data.window, 28);  // untouched default
  RunConfig back;
  back.apply_json(c.to_json(), "resolved");
  EXPECT_EQ(back.to_json(), c.to_json());
}

TEST(Config, UnknownKeysAndWrongTypesAreErrorsWithSuggestions) {
  RunConfig c;
  try {
    c.apply_json(nlohmann::json::parse(R"({"model": {"embed_dims": 8}})"), "cfg.json");
    FAIL();
  } catch (const dnts::ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("cfg.json: unknown setting 'model.embed_dims' (did you mean 'model.embed_dim'?)"),
              std::string::npos) << e.what();
  }
  EXPECT_THROW(c.apply_json(nlohmann::json::parse(R"({"train": {"epochs": "ten"}})"), "cfg.json"), dnts::ConfigError);
  EXPECT_THROW(c.load_file("/nonexistent/config.json"), dnts::ConfigError);
}

TEST(Config, ValidateReportsEveryProblemAtOnce) {
  RunConfig c;
  c.model.embed_dim = 0;
  c.train.lr = -1;
  c.model.channels = 30;  // not a multiple of 4 kernels
  c.data.protocol = "weekly";
  try {
    c.validate();
    FAIL();
  } catch (const dnts::ConfigError& e) {
    std::string m = e.what();
    EXPECT_NE(m.find("4 invalid setting(s)"), std::string::npos) << m;
    EXPECT_NE(m.find("model.embed_dim = 0"), std::string::npos) << m;
    EXPECT_NE(m.find("train.lr = -1"), std::string::npos) << m;
    EXPECT_NE(m.find("data.protocol = 'weekly': must be one of calendar, age"), std::string::npos) << m;
    EXPECT_NE(m.find("model.channels = 30"), std::string::npos) << m;
  }
}

TEST(Config, ParametersDocIsFresh) {
  std::string doc = dnts::test::read_text(std::string(DNTS_SOURCE_DIR) + "/docs/parameters.md");
  EXPECT_EQ(doc, RunConfig::parameters_markdown()) << "regenerate with: ./build/dnts params > docs/parameters.md";
}
