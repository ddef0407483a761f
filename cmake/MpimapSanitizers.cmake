# ASan + UBSan for every target when MPIMAP_SANITIZE is on. Open MPI leaks by
# design, so tests run with ASAN_OPTIONS=detect_leaks=0 (scripts/test sets it).
if(MPIMAP_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=all
                      -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()
