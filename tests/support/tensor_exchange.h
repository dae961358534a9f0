// Test support: tensors exchanged with a Python oracle (tests/parity/dnts_parity.py) without extra
// dependencies: one raw little-endian .bin file per tensor (float64 or int64, C order) and a JSON
// manifest entry {name, file, dtype, shape} per tensor.
#pragma once

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <torch/torch.h>

namespace dnts::test {

/// True on a little-endian host, the only byte order the exchange format defines.
inline bool little_endian_host() {
  const uint16_t one = 1;
  unsigned char first = 0;
  std::memcpy(&first, &one, 1);
  return first == 1;
}

/// Writes `t` (double or int64, any device) to dir/<file_stem>.bin; returns its manifest entry.
inline nlohmann::json write_tensor(const std::filesystem::path& dir, const std::string& name,
                                   const std::string& file_stem, const torch::Tensor& t) {
  const torch::Tensor c = t.detach().to(torch::kCPU).contiguous();
  std::string dtype;
  if (c.scalar_type() == torch::kDouble) {
    dtype = "float64";
  } else if (c.scalar_type() == torch::kLong) {
    dtype = "int64";
  } else {
    throw std::invalid_argument("write_tensor: '" + name + "' must be Double or Long, got " +
                                std::string(c10::toString(c.scalar_type())));
  }
  const std::string file = file_stem + ".bin";
  std::ofstream out(dir / file, std::ios::binary);
  out.write(static_cast<const char*>(c.data_ptr()), static_cast<std::streamsize>(c.numel() * 8));
  if (!out) throw std::runtime_error("write_tensor: cannot write " + (dir / file).string());
  return {{"name", name}, {"file", file}, {"dtype", dtype}, {"shape", c.sizes().vec()}};
}

/// Reads the tensor of a manifest entry written by either side.
inline torch::Tensor read_tensor(const std::filesystem::path& dir, const nlohmann::json& entry) {
  const std::string file = entry.at("file").get<std::string>();
  const std::string dtype = entry.at("dtype").get<std::string>();
  const auto shape = entry.at("shape").get<std::vector<int64_t>>();
  const auto scalar = dtype == "float64" ? torch::kDouble : dtype == "int64" ? torch::kLong : torch::kByte;
  if (scalar == torch::kByte) throw std::runtime_error("read_tensor: " + file + ": unknown dtype " + dtype);
  std::ifstream in(dir / file, std::ios::binary);
  const std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  torch::Tensor t = torch::empty(shape, torch::TensorOptions().dtype(scalar));
  if (static_cast<int64_t>(bytes.size()) != t.numel() * 8)
    throw std::runtime_error("read_tensor: " + file + ": " + std::to_string(bytes.size()) + " bytes, expected " +
                             std::to_string(t.numel() * 8));
  if (!bytes.empty()) std::memcpy(t.data_ptr(), bytes.data(), bytes.size());
  return t;
}

}  // namespace dnts::test
