#pragma once
// Boost 1.74 serializes std::pair but not std::tuple; starmap needs tuples.

#include <boost/serialization/serialization.hpp>

#include <tuple>
#include <utility>

namespace boost::serialization {

template <class Archive, class... Ts>
void serialize(Archive& ar, std::tuple<Ts...>& t, const unsigned int /*version*/) {
  std::apply([&ar](auto&... elems) { (ar & ... & elems); }, t);
}

}  // namespace boost::serialization
