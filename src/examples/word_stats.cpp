// Beyond the seed: strings in, a user struct out, dynamic scheduling, task
// output, a failing task reported with its item, rank and host, and a map
// that collects its failures instead of stopping.
//   mpirun -q -n 3 build/bin/examples/word_stats

#include <boost/mpi/environment.hpp>
#include <boost/serialization/string.hpp>

#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "mpimap/mpimap.hpp"

struct Stats {
  std::string word;
  std::size_t vowels = 0;
  template <class Archive>
  void serialize(Archive& ar, unsigned) {  // opts Stats into Boost.Serialization
    ar& word& vowels;
  }
};

Stats stats(const std::string& word) {
  if (word.empty()) throw std::invalid_argument("empty word");
  Stats s{word, 0};
  for (char c : word) s.vowels += std::string("aeiou").find(c) != std::string::npos;
  return s;
}

int main(int argc, char** argv) {
  boost::mpi::environment env(argc, argv);
  mpimap::Pool pool;
  const std::vector<std::string> words{"process", "thread", "pool", "map", "scatter", "gather"};

  auto result = pool.map(stats, words, {.schedule = mpimap::Schedule::Dynamic, .chunksize = 2});
  if (pool.is_root())
    for (const auto& s : result) std::cout << s.word << ": " << s.vowels << " vowels\n";

  // What a task prints reaches rank 0 whole, in item order; --tag style prefix.
  pool.for_each([](const std::string& w) { std::cout << "saw " << w << '\n'; }, words,
                {.tag_output = true});

  try {
    pool.map(stats, std::vector<std::string>{"ok", "", "fine"});
  } catch (const mpimap::TaskError& e) {  // thrown on every rank; rank 0 reports it
    if (pool.is_root())
      std::cout << "item " << e.index() << " failed on rank " << e.rank() << ": " << e.message()
                << '\n';
  }

  // Or let every item run and list the failures (OnError::Collect).
  const auto partial = pool.map(stats, std::vector<std::string>{"ok", "", "fine", ""},
                                {.on_error = mpimap::OnError::Collect});
  if (pool.is_root()) {
    std::cout << partial.size() << " results; failed:";
    for (const auto& e : pool.failures()) std::cout << ' ' << e.index();
    std::cout << '\n';
  }
}
