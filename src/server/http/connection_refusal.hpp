#pragma once
// Refuses a connection accepted above the connection limit: answers 503 SERVICE_UNAVAILABLE with
// Retry-After and Connection: close, reads what the client sent for a moment (so the close is a FIN,
// not a reset that could destroy the answer in flight), then closes. A client learns why at once
// instead of hanging in the kernel's backlog. Internal to http/.
#include <boost/asio/ip/tcp.hpp>
#include <cstddef>

namespace spooled::server {

// At most this many refusals are in flight; above it a connection is closed without an answer, so
// refusing can never use more than a fixed number of descriptors.
inline constexpr int kMaxRefusalsInFlight = 32;

void refuseConnection(boost::asio::ip::tcp::socket socket, std::size_t connectionLimit);

}  // namespace spooled::server
