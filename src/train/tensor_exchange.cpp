#include "dnts/train/tensor_exchange.h"

#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <vector>

namespace dnts::train {
namespace {

struct DtypeName {
  torch::ScalarType type;
  const char* name;
};
constexpr DtypeName kDtypes[] = {{torch::kFloat, "float32"}, {torch::kDouble, "float64"}, {torch::kLong, "int64"}};

}  // namespace

bool little_endian_host() {
  const uint16_t one = 1;
  unsigned char first = 0;
  std::memcpy(&first, &one, 1);
  return first == 1;
}

nlohmann::json write_tensor(const std::filesystem::path& dir, const std::string& name, const std::string& file_stem,
                            const torch::Tensor& t) {
  const torch::Tensor c = t.detach().to(torch::kCPU).contiguous();
  const char* dtype = nullptr;
  for (const DtypeName& d : kDtypes)
    if (c.scalar_type() == d.type) dtype = d.name;
  if (dtype == nullptr)
    throw std::invalid_argument("write_tensor: '" + name + "' must be Float, Double or Long, got " +
                                std::string(c10::toString(c.scalar_type())));
  const std::string file = file_stem + ".bin";
  std::ofstream out(dir / file, std::ios::binary);
  out.write(static_cast<const char*>(c.data_ptr()), static_cast<std::streamsize>(c.numel() * c.element_size()));
  if (!out) throw std::runtime_error("write_tensor: cannot write " + (dir / file).string());
  return {{"name", name}, {"file", file}, {"dtype", dtype}, {"shape", c.sizes().vec()}};
}

torch::Tensor read_tensor(const std::filesystem::path& dir, const nlohmann::json& entry) {
  const std::string file = entry.at("file").get<std::string>();
  const std::string dtype = entry.at("dtype").get<std::string>();
  const auto shape = entry.at("shape").get<std::vector<int64_t>>();
  const DtypeName* found = nullptr;
  for (const DtypeName& d : kDtypes)
    if (dtype == d.name) found = &d;
  if (found == nullptr) throw std::runtime_error("read_tensor: " + file + ": unknown dtype " + dtype);
  std::ifstream in(dir / file, std::ios::binary);
  const std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  torch::Tensor t = torch::empty(shape, torch::TensorOptions().dtype(found->type));
  if (static_cast<int64_t>(bytes.size()) != t.numel() * t.element_size())
    throw std::runtime_error("read_tensor: " + file + ": " + std::to_string(bytes.size()) + " bytes, expected " +
                             std::to_string(t.numel() * t.element_size()));
  if (!bytes.empty()) std::memcpy(t.data_ptr(), bytes.data(), bytes.size());
  return t;
}

nlohmann::json write_batch_tensors(const std::filesystem::path& dir, const std::string& file_prefix,
                                   const model::Batch& b) {
  nlohmann::json entries = nlohmann::json::array();
  for (const auto& [key, t] : {std::pair<const char*, const torch::Tensor&>{"x", b.x},
                               {"pair_src", b.pair_src},
                               {"pair_dst", b.pair_dst},
                               {"hyper_vertex", b.hyper_vertex},
                               {"hyper_edge", b.hyper_edge},
                               {"y", b.y},
                               {"s", b.s},
                               {"active", b.active},
                               {"mask", b.mask},
                               {"route", b.route},
                               {"route_known", b.route_known}})
    entries.push_back(write_tensor(dir, key, file_prefix + "." + key, t));
  return entries;
}

nlohmann::json model_settings_json(const ModelConfig& c) {
  return {{"gcn", c.gcn},
          {"hypergraph", c.hypergraph},
          {"activation", c.activation},
          {"one_stage", c.one_stage},
          {"loss", c.loss},
          {"tweedie_power", c.tweedie_power},
          {"lambda_self", c.lambda_self},
          {"lambda_desc", c.lambda_desc},
          {"lambda_active", c.lambda_active},
          {"lambda_total", c.lambda_total},
          {"dropout", c.dropout},
          {"kernels", c.kernels},
          {"tcm_layers", c.tcm_layers},
          {"channels", c.channels}};
}

}  // namespace dnts::train
