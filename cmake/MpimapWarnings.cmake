# Warnings for our own targets only (not exported to users of the library).
add_library(mpimap_warnings INTERFACE)
target_compile_options(mpimap_warnings INTERFACE -Wall -Wextra -Wpedantic -Wshadow
  -Wnon-virtual-dtor -Wcast-align -Woverloaded-virtual
  # Designated initializers that leave members at their defaults are the point
  # of options structs; GCC 12 warns about them.
  -Wno-missing-field-initializers)
if(MPIMAP_WERROR)
  target_compile_options(mpimap_warnings INTERFACE -Werror)
endif()
