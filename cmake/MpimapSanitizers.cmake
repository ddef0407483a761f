# ASan + UBSan for every target when MPIMAP_SANITIZE is on. Open MPI leaks by
# design, so tests run with ASAN_OPTIONS=detect_leaks=0 (scripts/test sets it).
# MPIMAP_SANITIZE_FLAGS: the compile flags, for builds that link our
# sanitized library from outside (tests/package).
if(MPIMAP_SANITIZE)
  set(MPIMAP_SANITIZE_FLAGS -fsanitize=address,undefined -fno-sanitize-recover=all
                            -fno-omit-frame-pointer)
  add_compile_options(${MPIMAP_SANITIZE_FLAGS})
  add_link_options(-fsanitize=address,undefined)
  # With the sanitizers, GCC 12 reports "may be used uninitialized" inside
  # libstdc++'s own headers (std::regex's NFA states: GCC bug 105562), which
  # -Werror turns into a failed build. The plain build keeps the warning.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    add_compile_options(-Wno-maybe-uninitialized)
  endif()
endif()
