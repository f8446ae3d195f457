# Installs libspooled (headers, library, CMake package) so another project can write
#   find_package(spooled 0.1 REQUIRED)
#   target_link_libraries(app PRIVATE spooled::spooled)
# Only the SDK is a package; the server and CLI are programs, installed by their own rules.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(SPOOLED_CMAKE_INSTALL_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/spooled)

install(TARGETS spooled
  EXPORT spooledTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})

# Public headers only: everything under include/spooled/. Internals in src/ are never installed.
install(DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR}/include/spooled
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
  FILES_MATCHING PATTERN "*.hpp")

install(EXPORT spooledTargets
  NAMESPACE spooled::
  FILE spooledTargets.cmake
  DESTINATION ${SPOOLED_CMAKE_INSTALL_DIR})

configure_package_config_file(
  ${CMAKE_CURRENT_LIST_DIR}/spooledConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/spooledConfig.cmake
  INSTALL_DESTINATION ${SPOOLED_CMAKE_INSTALL_DIR})

# 0.x: a minor release may break the API, so only the same minor version is compatible.
write_basic_package_version_file(
  ${CMAKE_CURRENT_BINARY_DIR}/spooledConfigVersion.cmake
  VERSION ${PROJECT_VERSION}
  COMPATIBILITY SameMinorVersion)

install(FILES
  ${CMAKE_CURRENT_BINARY_DIR}/spooledConfig.cmake
  ${CMAKE_CURRENT_BINARY_DIR}/spooledConfigVersion.cmake
  DESTINATION ${SPOOLED_CMAKE_INSTALL_DIR})
