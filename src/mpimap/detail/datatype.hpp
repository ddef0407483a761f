#pragma once
// The MPI datatype of a fast type: Boost.MPI's own for the types it knows,
// else a contiguous run of sizeof(T) bytes, freed with the object.

#include <mpi.h>

#include <boost/mpi/datatype.hpp>

#include "mpimap/detail/check.hpp"
#include "mpimap/detail/wire.hpp"

namespace mpimap::detail {

template <class T>
requires is_fast_v<T>
class Datatype {
 public:
  Datatype() {
    if constexpr (boost::mpi::is_mpi_datatype<T>::value) {
      type_ = boost::mpi::get_mpi_datatype<T>(T{});
    } else {
      check(MPI_Type_contiguous(mpi_count(sizeof(T), "a type's size"), MPI_BYTE, &type_),
            "MPI_Type_contiguous");
      check(MPI_Type_commit(&type_), "MPI_Type_commit");
      owned_ = true;
    }
  }
  ~Datatype() {
    if (owned_) MPI_Type_free(&type_);  // a destructor cannot throw; nothing to do on failure
  }
  Datatype(const Datatype&) = delete;
  Datatype& operator=(const Datatype&) = delete;

  MPI_Datatype get() const { return type_; }

 private:
  MPI_Datatype type_ = MPI_DATATYPE_NULL;
  bool owned_ = false;
};

}  // namespace mpimap::detail
