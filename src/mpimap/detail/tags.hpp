#pragma once
// Every message tag mpimap uses, in one place. Each pool and each task farm
// talks on a communicator of its own (a duplicate), so tags only need to be
// distinct within one of them; they are distinct across both anyway, which
// makes a stray message easy to recognise in a debugger.

namespace mpimap::detail {

enum Tag : int {
  // A pool (mpimap/pool.hpp).
  kTaskTag = 1,          // rank 0 -> worker: a chunk of items
  kResultTag = 2,        // worker -> rank 0: a chunk's results (and its request for more)
  kStopTag = 3,          // rank 0 -> worker: the map is over
  kFoldTag = 4,          // worker -> rank 0: map_reduce's partial result
  kBulkTag = 5,          // static blocks too big for one message, in pieces
  kTaskValuesTag = 6,    // rank 0 -> worker: a large chunk's items, after its kTaskTag header
  kResultValuesTag = 7,  // worker -> rank 0: a large chunk's values, after its kResultTag
  kJoinTag = 8,          // both ways: the call a rank is making, and rank 0's go (join.hpp)
  kTraceTag = 9,         // both ways, after a traced map: clock ping-pongs, a worker's slices
  // An executor (mpimap/executor.hpp, detail/executor_engine.hpp).
  kExecTaskTag = 21,          // rank 0 -> worker: a chunk of segments (calls and map items)
  kExecResultTag = 22,        // worker -> rank 0: their outcomes
  kExecStopTag = 23,          // rank 0 -> worker: the executor is shut down
  kExecTaskValuesTag = 24,    // rank 0 -> worker: a large segment's items, after its chunk
  kExecResultValuesTag = 25,  // worker -> rank 0: a large segment's values, after its answer
  // The task farm (farm/messages.hpp).
  kFarmTaskTag = 11,    // rank 0 -> worker: one task
  kFarmResultTag = 12,  // worker -> rank 0: what became of one task
  kFarmHaltTag = 13,    // rank 0 -> worker: --halt reached
  kFarmStopTag = 14,    // rank 0 -> worker: no more tasks
  kFarmSignalTag = 15,  // worker -> rank 0: this rank got a stop signal (SIGTERM, ...)
  // A Process: kProcessTagBase + its number.
  kProcessTagBase = 100,
};

}  // namespace mpimap::detail
