namespace spooled {
const char* sdkVersion() { return SPOOLED_SDK_VERSION; }
}  // namespace spooled
