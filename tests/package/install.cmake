# cmake -DBUILD_DIR=... -DPREFIX=... -DLIBDIR=... -DLIBRARY=... -DPROGRAM=0|1 -P install.cmake
# `cmake --install` of the build tree into an empty PREFIX, then checks that
# the package's files are there.
file(REMOVE_RECURSE ${PREFIX})
execute_process(COMMAND ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${PREFIX}
  RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "cmake --install ${BUILD_DIR} failed (${rc})")
endif()

set(expected
  include/mpimap/mpimap.hpp include/mpimap/pool.hpp include/mpimap/version.hpp
  include/mpimap/detail/dynamic_map.hpp
  ${LIBDIR}/${LIBRARY}
  ${LIBDIR}/cmake/mpimap/mpimapConfig.cmake ${LIBDIR}/cmake/mpimap/mpimapConfigVersion.cmake
  ${LIBDIR}/cmake/mpimap/mpimapTargets.cmake)
if(PROGRAM)
  list(APPEND expected bin/mpimap)
endif()
foreach(file IN LISTS expected)
  if(NOT EXISTS ${PREFIX}/${file})
    message(FATAL_ERROR "not installed: ${file}")
  endif()
endforeach()
