// Test support: the tensor exchange format shared with the Python oracles (one raw little-endian .bin
// per tensor plus a JSON manifest entry), from the library (include/dnts/train/tensor_exchange.h).
#pragma once

#include "dnts/train/tensor_exchange.h"

namespace dnts::test {

using train::little_endian_host;
using train::model_settings_json;
using train::read_tensor;
using train::write_tensor;

}  // namespace dnts::test
