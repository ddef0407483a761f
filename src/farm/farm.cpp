// farm::run: checks the options, opens rank 0's inputs and files, tells every
// rank what only rank 0 can know (the shell, --header's names, --env's
// values), then runs rank 0's side or a worker's on a communicator of the
// farm's own.

#include "farm/farm.hpp"

#include <sched.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>

#include <fmt/format.h>

#include <boost/mpi/collectives/all_gather.hpp>

#include <algorithm>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "farm/arg_queue.hpp"
#include "farm/block_source.hpp"
#include "farm/command_template.hpp"
#include "farm/deal.hpp"
#include "farm/group_by.hpp"
#include "farm/joblog.hpp"
#include "farm/output.hpp"
#include "farm/results_table.hpp"
#include "farm/roles.hpp"
#include "farm/shell.hpp"
#include "farm/standard_input.hpp"
#include "mpimap/detail/collective.hpp"
#include "mpimap/detail/hosts.hpp"
#include "mpimap/detail/wire.hpp"

namespace mpimap::farm {

namespace {

constexpr int kMaxSlots = 1024;

/// Whether the paths name one existing file: a joblog that is also the -a
/// file would be emptied before it is read, or read as it grows, forever.
bool same_file(const std::string& a, const std::string& b) {
  struct stat sa {
  }, sb{};
  return ::stat(a.c_str(), &sa) == 0 && ::stat(b.c_str(), &sb) == 0 && sa.st_dev == sb.st_dev &&
         sa.st_ino == sb.st_ino;
}

/// What rank 0 decides for every rank.
struct Shared {
  std::string shell;
  std::vector<std::string> header_names;
  std::vector<std::string> file_names;      // --header: the input files' names...
  std::vector<std::uint64_t> file_ids;      // ...and their column ids
  std::vector<std::string> env;             // --env: NAME=VALUE
  std::vector<std::string> retry_commands;  // --retry-failed

  void broadcast(const boost::mpi::communicator& comm) {
    std::vector<char> buf;
    if (comm.rank() == 0) {
      detail::Writer w(buf);
      const auto put_all = [&](const std::vector<std::string>& v) {
        w.put<std::uint64_t>(v.size());
        for (const auto& s : v) w.put_string(s);
      };
      w.put_string(shell);
      put_all(header_names);
      put_all(file_names);
      w.put<std::uint64_t>(file_ids.size());
      w.put_values(file_ids.data(), file_ids.size());
      put_all(env);
    }
    std::uint64_t n = buf.size();
    MPI_Bcast(&n, 1, MPI_UINT64_T, 0, comm);
    buf.resize(n);
    MPI_Bcast(buf.data(), static_cast<int>(n), MPI_CHAR, 0, comm);
    if (comm.rank() == 0) return;
    detail::Reader r(buf);
    const auto get_all = [&](std::vector<std::string>& v) {
      v.resize(r.get<std::uint64_t>());
      for (auto& s : v) s = r.get_string();
    };
    shell = r.get_string();
    get_all(header_names);
    get_all(file_names);
    file_ids.resize(r.get<std::uint64_t>());
    r.get_values(file_ids.size(), file_ids.data());
    get_all(env);
  }
};

/// --skip-first-line: reads `fd` up to its first newline, a byte at a time
/// (what follows is the input's).
void skip_line(int fd) {
  char c = 0;
  while (true) {
    const ssize_t n = ::read(fd, &c, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0 || c == '\n') return;
  }
}

/// This rank's cores: the CPUs it may run on (GNU parallel counts those too).
int cores() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (::sched_getaffinity(0, sizeof set, &set) == 0) return std::max(1, CPU_COUNT(&set));
  return static_cast<int>(std::clamp(::sysconf(_SC_NPROCESSORS_ONLN), 1L, 1L << 20));
}

/// How many tasks this rank can run at once: each takes up to three
/// descriptors (stdout, stderr, --pipe's stdin). Raises the soft limit on
/// descriptors to the hard one first.
int max_slots() {
  rlimit lim{};
  if (::getrlimit(RLIMIT_NOFILE, &lim) != 0) return 64;
  if (lim.rlim_cur < lim.rlim_max) {
    rlimit raised = lim;
    raised.rlim_cur = std::min<rlim_t>(lim.rlim_max, 1 << 16);
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) lim = raised;
  }
  const auto usable = lim.rlim_cur > 64 ? (lim.rlim_cur - 64) / 3 : 1;
  return static_cast<int>(std::min<rlim_t>(usable, kMaxSlots));
}

}  // namespace

int run(const boost::mpi::communicator& world, RunOptions opt) {
#ifdef __linux__
  // A rank whose launcher (mpirun, its daemon) died goes with it, its tasks
  // killed as for SIGTERM: left alone it would run the rest of the job with
  // nowhere to print, logging tasks whose output is lost (a fault found by
  // tests/farm/fault_driver.sh, killing mpirun).
  const pid_t launcher = ::getppid();
  ::prctl(PR_SET_PDEATHSIG, SIGTERM);
  if (::getppid() != launcher) ::raise(SIGTERM);
#endif
  finish_options(opt);  // same words everywhere: every rank finds the same mistakes

  // Rank 0 opens everything it needs before anything runs: a bad file is a
  // usage error on every rank.
  std::unique_ptr<ArgQueue> args;
  std::unique_ptr<GroupByFilter> group_by;  // before blocks: it outlives their reading
  std::unique_ptr<BlockSource> blocks;
  std::vector<PipePart> parts;
  Joblog joblog;
  DoneSet done;
  ResultsDir results;
  ResultsTable table;
  Shared shared;
  bool merged = false;
  detail::root_checked<UsageError>(world, [&] {
    const Shell shell = choose_shell();
    shared.shell = shell.path;
    if (!opt.joblog_path.empty())
      for (const auto& s : opt.sources)
        if (s.is_file && same_file(opt.joblog_path, s.path))
          throw UsageError(
              fmt::format("--joblog {} is an input file: the joblog would overwrite the items",
                          opt.joblog_path));
    if (opt.retry_failed) {
      // GNU parallel: the failed commands of the joblog run again, each as
      // the job of its Seq; the command and the inputs given are ignored.
      const auto commands = Joblog::failed_commands(opt.joblog_path, done);
      opt.command.clear();
      opt.sources = {SourceSpec{.is_file = false, .args = commands}};
      opt.read.delimiter = std::string(1, '\0');
      opt.read.colsep.reset();
      opt.read.header = false;
    }
    if (opt.pipe && opt.skip_first_line) skip_line(standard_input());
    if (opt.pipe && opt.group_by_column > 0) {
      // --group-by: records are the groups the filter marks (see group_by.hpp).
      const std::string marker = random_marker();
      group_by = std::make_unique<GroupByFilter>(standard_input(), opt.group_by_column,
                                                 opt.colsep.value_or("\t"), marker);
      opt.blocks.recstart = marker;
      opt.blocks.recend.clear();
      opt.blocks.remove_separators = true;
      blocks = std::make_unique<BlockSource>(group_by->fd(), opt.blocks);
    } else if (opt.pipe && !opt.tee) {
      blocks = std::make_unique<BlockSource>(standard_input(), opt.blocks);
    } else if (!opt.pipepart) {
      args = std::make_unique<ArgQueue>(opt.sources, opt.read);  // --tee: one job per argument
    }
    if (args) {
      shared.header_names = args->header_names();
      for (const auto& [name, id] : args->file_names()) {
        shared.file_names.push_back(name);
        shared.file_ids.push_back(id);
      }
    }
    for (const auto& name : opt.env) {
      if (const char* v = std::getenv(name.c_str())) shared.env.push_back(name + "=" + v);
      const std::string function = "BASH_FUNC_" + name + "%%";
      if (const char* v = std::getenv(function.c_str())) shared.env.push_back(function + "=" + v);
    }
    if (!opt.joblog_path.empty() && !opt.dry_run) {
      if (opt.joblog_append)
        joblog.open_append(opt.joblog_path);
      else
        joblog.open(opt.joblog_path, opt.resume || opt.resume_failed || opt.retry_failed,
                    opt.resume_failed || opt.retry_failed, done);
    }
    if (!opt.tmpdir.empty()) {
      struct stat st {};
      const int error = ::stat(opt.tmpdir.c_str(), &st) != 0      ? errno
                        : !S_ISDIR(st.st_mode)                    ? ENOTDIR
                        : ::access(opt.tmpdir.c_str(), W_OK) != 0 ? errno
                                                                  : 0;
      if (error)
        throw UsageError(
            fmt::format("--tmpdir {}: cannot write there: {}", opt.tmpdir, std::strerror(error)));
    }
    merged = same_output_file();
    for (const std::string* path : {&opt.stats_json, &opt.trace})
      if (!path->empty() && !std::ofstream(*path, std::ios::app))  // not emptied yet
        throw UsageError(fmt::format("cannot write {}: {}", *path, std::strerror(errno)));
  });
  shared.broadcast(world);
  if (opt.retry_failed) opt.command.clear();

  // --header's names become column numbers, everywhere they may appear.
  std::vector<std::pair<std::string, std::size_t>> files;
  for (std::size_t i = 0; i < shared.file_names.size(); ++i)
    files.emplace_back(shared.file_names[i], shared.file_ids[i]);
  rename_header_columns(opt.command, shared.header_names, files);
  std::vector<std::string> texts{opt.tagstring.value_or(""), opt.results_dir};
  rename_header_columns(texts, shared.header_names, files);
  opt.templ.quote = quote_style_of(shared.shell);
  const CommandTemplate command(opt.command, opt.templ);
  std::unique_ptr<CommandTemplate> tag;
  if (opt.tagstring)
    tag = std::make_unique<CommandTemplate>(
        CommandTemplate::text(unescape_delimiter(texts[0]), opt.templ));

  const boost::mpi::communicator comm(world, boost::mpi::comm_duplicate);
  RankSetup setup;
  setup.command = &command;
  setup.rank = comm.rank();
  setup.host = detail::processor_name();
  const int room = max_slots();
  setup.slots = slots_for(opt.jobs_spec, cores(), room);
  if (opt.jobs_spec.kind == JobsSpec::Count && opt.jobs_spec.value > room)
    fmt::print(stderr, "mpimap: rank {}: only enough file descriptors for {} tasks at once\n",
               setup.rank, room);
  std::vector<int> slots;
  boost::mpi::all_gather(comm, setup.slots, slots);
  setup.exec.shell = shared.shell;
  setup.exec.ungroup = opt.ungroup;
  setup.exec.env = shared.env;
  setup.exec.nice = opt.nice_value;
  setup.exec.workdir = opt.workdir;
  setup.exec.slot_var = opt.process_slot_var;
  setup.exec.tmpdir = opt.tmpdir;
  // --files keeps the output whole for its file; -u does not capture it.
  setup.exec.input_file = opt.cat;
  setup.exec.input_fifo = opt.fifo;
  setup.exec.term_seq = opt.term_steps;
  setup.exec.line_buffer = opt.line_buffer && !opt.files && !opt.ungroup;
  setup.exec.slots_total = 0;
  for (const int s : slots) setup.exec.slots_total += s;
  // {%}: rank r's slots follow those of ranks 0..r-1 (-j N% and -j +N can
  // differ from host to host).
  setup.exec.slots_before = 0;
  for (int r = 0; r < setup.rank; ++r)
    setup.exec.slots_before += slots[static_cast<std::size_t>(r)];

  // --results, now that the shell's quoting is known; --pipepart's parts, now
  // that the slots are.
  detail::root_checked<UsageError>(comm, [&] {
    if (opt.pipepart) {
      std::uint64_t block = opt.blocks.block;
      if (!opt.block_given) {
        // GNU parallel: 10 parts per job slot.
        std::uint64_t size = 0;
        for (const auto& s : opt.sources) {
          struct stat st {};
          if (::stat(s.path.c_str(), &st) != 0)
            throw UsageError(fmt::format("cannot read {}: {}", s.path, std::strerror(errno)));
          size += static_cast<std::uint64_t>(st.st_size);
        }
        block = 1 + size / static_cast<std::uint64_t>(setup.exec.slots_total) / 10;
      }
      for (const auto& s : opt.sources) {
        const std::string header = file_header(s.path, opt.blocks);
        for (const auto& p : split_file(s.path, block, opt.blocks, header.size()))
          parts.push_back({s.path, header, p.offset, p.length});
      }
    }
    if (!texts[1].empty()) {
      std::vector<std::string> columns{""};
      if (args)
        for (std::size_t i = 1; i < args->names().size(); ++i) columns.push_back(args->names()[i]);
      for (const auto& [name, id] : files) {
        if (columns.size() <= id) columns.resize(id + 1);
        columns[id] = name;
      }
      if (is_results_table(texts[1])) {
        if (opt.resume || opt.resume_failed)
          throw UsageError(fmt::format(
              "--resume with --results {}: a table cannot be resumed (as GNU parallel)", texts[1]));
        std::vector<std::string> names;
        if (args) names = args->header_names();
        table.open(texts[1], std::move(names));
      } else {
        results.open(texts[1], opt.templ, std::move(columns));
      }
    }
  });

  // --roundrobin, --bin, --shard, --tee: standard input, read whole now that
  // the slots are known (see deal.hpp).
  std::optional<std::vector<std::string>> dealt;
  std::string tee_input;
  if (comm.rank() == 0 && (opt.deal || opt.tee)) {
    std::string error;
    if (opt.deal) {
      dealt =
          deal_input(*blocks, static_cast<std::size_t>(setup.exec.slots_total), *opt.deal, error);
      blocks.reset();
    } else {
      tee_input = read_all(standard_input(), error);
    }
    if (!error.empty()) fmt::print(stderr, "mpimap: {}\n", error);
  }

  auto hosts = detail::gather_hosts(comm, setup.host);
  int code = 0;
  if (comm.rank() == 0) {
    MasterInputs in{args.get(), blocks.get(), std::move(parts), &joblog,          &done,
                    &results,   tag.get(),    merged,           std::move(hosts), std::move(slots)};
    in.dealt = std::move(dealt);
    in.tee_input = std::move(tee_input);
    in.table = &table;
    code = run_master(comm, opt, setup, in);
  } else {
    run_worker(comm, opt, setup);
  }
  return detail::from_root(comm, code);
}

int refuse_split_command_line() {
  const char* apps = std::getenv("OMPI_NUM_APP_CTX");
  if (!apps || std::atoi(apps) <= 1) return -1;
  // The first process of each program says it (the others exit quietly).
  const char* rank = std::getenv("OMPI_COMM_WORLD_RANK");
  const char* firsts = std::getenv("OMPI_FIRST_RANKS");
  bool first = !rank;
  if (rank && firsts) {
    const std::string me(rank);
    std::string list(firsts);
    for (std::size_t at = 0; at <= list.size();) {
      const auto end = std::min(list.find(' ', at), list.size());
      if (list.compare(at, end - at, me) == 0) first = true;
      at = end + 1;
    }
  }
  if (first) {
    fmt::print(stderr,
               "mpimap: run: mpirun split the command line at a bare ':' word (its separator "
               "between programs), so mpimap got only the words before it; give such "
               "arguments in a file (-a FILE or :::: FILE) or on standard input\n");
  } else {
    // mpirun ends the job when the first process exits non-zero: the others
    // leave the one that speaks time to do so.
    ::usleep(500 * 1000);
  }
  return 2;
}

}  // namespace mpimap::farm
