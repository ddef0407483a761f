# cmake -DSOURCE_DIR=... -DBINARY_DIR=... -P consumer.cmake -- CONFIGURE_ARGS...
# Configures a consumer project from scratch, builds it and runs its tests
# (ctest). Fails on any error or warning, and unless the consumer's tests are
# exactly its own one test, passed.
set(configure_args)
set(after_dashes FALSE)
math(EXPR last "${CMAKE_ARGC} - 1")
foreach(i RANGE ${last})
  if(after_dashes)
    list(APPEND configure_args "${CMAKE_ARGV${i}}")
  elseif(CMAKE_ARGV${i} STREQUAL "--")
    set(after_dashes TRUE)
  endif()
endforeach()

# step(NAME COMMAND...): runs COMMAND, shows its output, fails on a non-zero
# exit or a warning; leaves the output in `output`.
function(step name)
  message(STATUS "${name}: ${ARGN}")
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out
    WORKING_DIRECTORY ${BINARY_DIR})
  message("${out}")
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${name} failed (${rc})")
  endif()
  if(out MATCHES "(CMake Warning|warning:)[^\n]*")
    message(FATAL_ERROR "${name} warned: ${CMAKE_MATCH_0}")
  endif()
  set(output "${out}" PARENT_SCOPE)
endfunction()

file(REMOVE_RECURSE ${BINARY_DIR})
file(MAKE_DIRECTORY ${BINARY_DIR})
step(configure ${CMAKE_COMMAND} -S ${SOURCE_DIR} -B ${BINARY_DIR} ${configure_args})
step(build ${CMAKE_COMMAND} --build ${BINARY_DIR} --parallel 2)
step(test ${CMAKE_CTEST_COMMAND} --output-on-failure)
if(NOT output MATCHES "100% tests passed, 0 tests failed out of 1\n")
  message(FATAL_ERROR "the consumer's ctest ran other tests than its own one")
endif()
