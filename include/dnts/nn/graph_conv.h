// Graph convolution over a batch's promotion links (Kipf & Welling 2017): the ST-GNN baseline's
// spatial layer. Links are taken as undirected, with a self-loop on every node.
#pragma once

#include <torch/types.h>

namespace dnts::nn {

/// Â h with Â = D^-1/2 (A + I) D^-1/2, A the symmetric adjacency of the links src[e] - dst[e]
/// (duplicates count twice), D its degree with the self-loop. h: [N, C] -> [N, C].
torch::Tensor normalized_propagate(const torch::Tensor& h, const torch::Tensor& src, const torch::Tensor& dst);

}  // namespace dnts::nn
