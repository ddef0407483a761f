# mpimap_add_mpi_test(NAME SOURCES src... [NP n...] [LABELS l...] [TIMEOUT s])
# Builds one GoogleTest binary (target mpimap_NAME, file bin/NAME) with the MPI
# test main and registers it in CTest once per rank count: NAME.np1, NAME.np2, ...
find_package(GTest REQUIRED)

add_library(mpimap_gtest_main OBJECT ${PROJECT_SOURCE_DIR}/tests/mpi_gtest_main.cpp)
target_link_libraries(mpimap_gtest_main PUBLIC GTest::gtest MPI::MPI_CXX mpimap_warnings)

# Runs `mpirun -n NP` (oversubscribed, quiet, root allowed) on a command.
function(mpimap_mpirun_command out np)
  set(${out} ${MPIEXEC_EXECUTABLE} ${MPIEXEC_NUMPROC_FLAG} ${np} -q ${MPIEXEC_PREFLAGS}
      ${ARGN} PARENT_SCOPE)
endfunction()

# The environment every MPI test runs with.
# odls_base_sigkill_timeout=0: mpirun does not linger a second after a rank
# exits non-zero (every error-path test does that).
set(MPIMAP_TEST_ENV OMPI_MCA_rmaps_base_oversubscribe=1 OMPI_MCA_pml=ob1
    OMPI_MCA_odls_base_sigkill_timeout=0 OMPI_ALLOW_RUN_AS_ROOT=1
    OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 ASAN_OPTIONS=detect_leaks=0)

# mpimap_add_test_executable(NAME src...): the target mpimap_NAME, written as
# bin/NAME (target names are prefixed, so that none clashes with a parent
# project's; the file keeps the test's name).
function(mpimap_add_test_executable name)
  add_executable(mpimap_${name} ${ARGN})
  set_target_properties(mpimap_${name} PROPERTIES OUTPUT_NAME ${name})
endfunction()

function(mpimap_add_mpi_test name)
  cmake_parse_arguments(T "" "TIMEOUT" "SOURCES;NP;LABELS;LIBS" ${ARGN})
  if(NOT T_NP)
    set(T_NP 1 2 3 4)
  endif()
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 120)
  endif()
  mpimap_add_test_executable(${name} ${T_SOURCES})
  target_link_libraries(mpimap_${name} PRIVATE mpimap_gtest_main mpimap::mpimap mpimap_warnings
    ${T_LIBS})
  foreach(np IN LISTS T_NP)
    mpimap_mpirun_command(cmd ${np} $<TARGET_FILE:mpimap_${name}>)
    add_test(NAME ${name}.np${np} COMMAND ${cmd})
    set_tests_properties(${name}.np${np} PROPERTIES TIMEOUT ${T_TIMEOUT} PROCESSORS ${np}
      ENVIRONMENT "${MPIMAP_TEST_ENV}" LABELS "mpi;${T_LABELS}")
  endforeach()
endfunction()

# mpimap_add_unit_test(NAME SOURCES src... [LIBS lib...]): a GoogleTest binary
# that needs no MPI (GTest's own main; target mpimap_NAME, file bin/NAME),
# registered once as NAME.
function(mpimap_add_unit_test name)
  cmake_parse_arguments(T "" "" "SOURCES;LIBS" ${ARGN})
  mpimap_add_test_executable(${name} ${T_SOURCES})
  target_link_libraries(mpimap_${name} PRIVATE GTest::gtest_main mpimap_warnings ${T_LIBS})
  add_test(NAME ${name} COMMAND $<TARGET_FILE:mpimap_${name}>)
  set_tests_properties(${name} PROPERTIES TIMEOUT 60 LABELS unit
    ENVIRONMENT "ASAN_OPTIONS=detect_leaks=0")
endfunction()
