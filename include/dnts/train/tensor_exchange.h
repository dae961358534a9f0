// Tensors exchanged with a Python peer (the parity oracle tests/parity/dnts_parity.py and the training
// benchmark's bench/py/dnts_train_peer.py) without extra dependencies: one raw little-endian .bin file
// per tensor (float32, float64 or int64, C order) and a JSON manifest entry {name, file, dtype, shape}.
#pragma once

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "dnts/config.h"
#include "dnts/model/batch.h"

namespace dnts::train {

/// True on a little-endian host, the only byte order the exchange format defines.
bool little_endian_host();

/// Writes `t` (float, double or int64, any device) to dir/<file_stem>.bin; returns its manifest
/// entry. Throws std::invalid_argument for another dtype, std::runtime_error when it cannot write.
nlohmann::json write_tensor(const std::filesystem::path& dir, const std::string& name, const std::string& file_stem,
                            const torch::Tensor& t);

/// Reads the tensor of a manifest entry written by either side.
torch::Tensor read_tensor(const std::filesystem::path& dir, const nlohmann::json& entry);

/// Writes what the model reads of a batch (x, pair_src, pair_dst, hyper_vertex, hyper_edge, y, s,
/// active, mask, route, route_known) as dir/<file_prefix>.<name>.bin; returns their manifest entries.
nlohmann::json write_batch_tensors(const std::filesystem::path& dir, const std::string& file_prefix,
                                   const model::Batch& b);

/// The DNTS settings a Python peer rebuilds the model and its loss from (ablation switches, loss and
/// its weights, dropout, TCM kernels, blocks and channels); the layer sizes follow the parameters.
nlohmann::json model_settings_json(const ModelConfig& c);

}  // namespace dnts::train
