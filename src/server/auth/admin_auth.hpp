#pragma once
// The admin API's credential: the X-Admin-Key header against the server's --admin-key. Without a
// configured key every admin request is refused (401), as the official backend does.
#include <optional>
#include <string>
#include <string_view>

namespace spooled::server {

class AdminAuth {
 public:
  explicit AdminAuth(std::optional<std::string> adminKey) : adminKey_(std::move(adminKey)) {}

  bool configured() const { return adminKey_.has_value(); }
  // True when header holds the configured key (constant time; false when none is configured).
  bool accepts(const std::optional<std::string>& header) const;
  // Throws ApiError(Unauthorized) unless accepts(header).
  void require(const std::optional<std::string>& header) const;

 private:
  std::optional<std::string> adminKey_;
};

// Compares SHA-256 digests of a and b in constant time, so neither the position of the first
// difference nor the length of the secret shows in the timing.
bool constantTimeEquals(std::string_view a, std::string_view b);

}  // namespace spooled::server
