#pragma once
// --results NAME.csv, NAME.tsv, NAME.json: one table of every job, as GNU
// parallel 20221122 writes it (rank 0 writes it as jobs finish):
//   .csv/.tsv  a header, then a row per job: Seq, Host, Starttime,
//              JobRuntime, Send, Receive, Exitval, Signal, Command, the job's
//              values (V1, V2, ..., or --header's names), Stdout, Stderr; a
//              field holding a blank, the separator, " or NUL is put in "..."
//              with " doubled (GNU's combine_ref)
//   .json      an object per job and line, with "V": [values]; \ and " and
//              the bytes 0-31 escaped (\u00XX)
// -.csv, -.tsv, -.json write the table to stdout, and nothing else goes there.

#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "farm/fd.hpp"
#include "farm/joblog.hpp"

namespace mpimap::farm {

/// Whether --results NAME asks for a table (.csv, .tsv, .json).
bool is_results_table(const std::string& name);

class ResultsTable {
 public:
  /// Creates (truncates) NAME; `names`: --header's column names (empty: V1,
  /// V2, ...). Throws UsageError when it cannot be written.
  void open(const std::string& name, std::vector<std::string> names);
  bool is_open() const { return fd_ >= 0; }
  /// Whether the table goes to stdout (-.csv ...): then nothing else does.
  bool to_stdout() const { return fd_ == 1; }
  void write(const JoblogRecord& r, const std::vector<std::string>& values, std::string_view out,
             std::string_view err);

 private:
  void field(std::string_view text);
  void json_string(std::string_view text);

  Fd owned_;
  int fd_ = -1;
  bool json_ = false, header_done_ = false;
  char sep_ = ',';
  std::vector<std::string> names_;
  std::string line_;
  bool first_field_ = true;
  bool warned_ = false;
};

}  // namespace mpimap::farm
