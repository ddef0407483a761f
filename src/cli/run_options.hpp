#pragma once
// The options of `mpimap run` for CLI11: GNU parallel 20221122's names,
// aliases and meanings, into farm::RunOptions. Used by run_command.cpp and by
// the options fuzz target (tests/fuzz/options_fuzz.cpp), so both parse alike.

#include <CLI/CLI.hpp>

#include <memory>

#include "farm/options.hpp"

namespace mpimap::cli {

/// Declares every option of `run` on `sub` (and GNU parallel's refused ones,
/// hidden, each recorded in RunOptions::unsupported), and makes the first word
/// that is not an option start the command (prefix_command).
void add_run_options(CLI::App& sub, const std::shared_ptr<farm::RunOptions>& options);

}  // namespace mpimap::cli
