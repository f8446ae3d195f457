#include "spooled/client.hpp"

namespace spooled {
const char* sdkVersion() noexcept { return SPOOLED_SDK_VERSION; }
}  // namespace spooled
