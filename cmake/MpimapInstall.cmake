# Install rules: the library with its headers, the mpimap program when it is
# built, and the CMake package (mpimapConfig.cmake, its version file and the
# exported mpimap::mpimap) that find_package(mpimap CONFIG) reads.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(MPIMAP_CONFIG_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/mpimap)

install(TARGETS mpimap EXPORT mpimapTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  FILE_SET HEADERS DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
if(TARGET mpimap_cli)
  install(TARGETS mpimap_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()

install(EXPORT mpimapTargets NAMESPACE mpimap:: DESTINATION ${MPIMAP_CONFIG_DIR})

# The config finds what the exported target links: MPI and Boost, and {fmt}
# when the library is static (it is private, but a static library's users
# link it too).
get_target_property(MPIMAP_LIBRARY_TYPE mpimap TYPE)
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/mpimapConfig.cmake.in
  ${PROJECT_BINARY_DIR}/mpimapConfig.cmake INSTALL_DESTINATION ${MPIMAP_CONFIG_DIR})
# 0.x: a new minor version may break the API.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/mpimapConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/mpimapConfig.cmake ${PROJECT_BINARY_DIR}/mpimapConfigVersion.cmake
  DESTINATION ${MPIMAP_CONFIG_DIR})
