# Bad-input matrix (issue 8): every way a user can get the command line, the
# items, an item file, a joblog or a command template wrong. Each case must
# print exactly this one line, from rank 0 only, and exit with 2 -- at 1 rank
# and at 3 (a line per rank, or a rank left waiting, fails it). Included by
# CMakeLists.txt, which defines mpimap_cli_case.
#
# The fixtures are copied into the build tree first: a case that regressed
# into writing its joblog or -a file must not write into the sources.

set(bad ${CMAKE_CURRENT_BINARY_DIR}/bad_input)
file(GLOB bad_input_fixtures ${CMAKE_CURRENT_SOURCE_DIR}/bad_input/*)
foreach(f ${bad_input_fixtures})
  get_filename_component(name ${f} NAME)
  configure_file(${f} ${bad}/${name} COPYONLY)
endforeach()

set(see_help "(see 'mpimap --help')")
set(halt_forms "expected never, or now|soon,fail|success|done=N (N >= 1) or =N% (GNU parallel's forms 0, 1, 2, -1, -2 and N% too)")
set(jobs_forms "expected N (1 to 1024; 0: as many as the rank can run), N% of the rank's cores, +N or -N")
set(timeout_forms "expected seconds, or units as 1d2h3m4.5s")
string(REPEAT "x" 70 long_item)
string(REPEAT "x" 60 long_item_shown)

# bad_case(NAME "LINE" ARGS...): one case at 1 and at 3 ranks.
function(bad_case name line)
  foreach(np 1 3)
    mpimap_cli_case(bad.${name} ${np} 2 - "${line}" -- ${ARGN})
  endforeach()
endfunction()

# bad_case_empty(NAME "LINE" SUBCOMMAND OPTION ARGS...): the same, with an empty
# value after OPTION (a "" in ARGN would be lost on the way to add_test).
function(bad_case_empty name line sub option)
  foreach(np 1 3)
    add_test(NAME cli.bad.${name}.np${np}
      COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/run_case.sh $<TARGET_FILE:mpimap_cli> ${np} 2 - "${line}"
              -- ${sub} ${option} "" ${ARGN})
    set_tests_properties(cli.bad.${name}.np${np} PROPERTIES ENVIRONMENT "${MPIMAP_TEST_ENV}"
      TIMEOUT 60 LABELS "cli")
  endforeach()
endfunction()

# --- The program's own options and subcommands -------------------------------
bad_case(top_unknown_option "mpimap: unknown option '--bogus' ${see_help}" --bogus map square 1)
bad_case(map_unknown_option "mpimap: The following argument was not expected: --bogus ${see_help}"
  map square --bogus 1)
bad_case(map_no_function "mpimap: function is required ${see_help}" map)
bad_case(process_no_args "mpimap: args is required ${see_help}" process square)
bad_case(process_unknown_function
  "mpimap: unknown function 'nosuch' (see `mpimap functions`)" process nosuch 1)
bad_case(functions_extra_word "mpimap: The following argument was not expected: extra ${see_help}"
  functions extra)
bad_case(demo_unknown_option "mpimap: The following argument was not expected: --bogus ${see_help}"
  demo --bogus)
bad_case(format_bogus "mpimap: --format: bogus not in {list,lines,json} ${see_help}"
  map square --format bogus 1)
bad_case(format_no_value "mpimap: --format: 1 required TEXT:{list,lines,json} missing ${see_help}"
  map square --format)
# A newline in an option's value would make the message two lines.
bad_case(format_with_newline "mpimap: --format: a\\x0ab not in {list,lines,json} ${see_help}"
  map square --format "a\nb" 1)
bad_case(schedule_twice "mpimap: --schedule: At Most 1 required but received 2 ${see_help}"
  map square --schedule static --schedule dynamic 1)

# --- Numbers in options ------------------------------------------------------
bad_case(chunksize_negative "mpimap: --chunksize: expected an integer >= 0, got -1 ${see_help}"
  map square --chunksize -1 1 2)
bad_case(map_retries_negative "mpimap: --retries: expected an integer >= 0, got -1 ${see_help}"
  map square --retries -1 1 2)
bad_case(chunksize_word "mpimap: --chunksize: expected an integer >= 0, got abc ${see_help}"
  map square --chunksize abc 1 2)
bad_case(chunksize_fraction "mpimap: --chunksize: expected an integer >= 0, got 1.5 ${see_help}"
  map square --chunksize 1.5 1 2)
bad_case(chunksize_huge
  "mpimap: --chunksize: 99999999999999999999999 is out of range for a 64-bit integer ${see_help}"
  map square --chunksize 99999999999999999999999 1 2)
bad_case(jobs_fraction "mpimap: --jobs 1.5: ${jobs_forms}" run -j 1.5 -- echo ::: a)
bad_case(jobs_too_many "mpimap: --jobs 1025: ${jobs_forms}" run -j 1025 -- echo ::: a)
bad_case(jobs_word "mpimap: --jobs abc: ${jobs_forms}" run -j abc -- echo ::: a)
bad_case(jobs_no_value "mpimap: --jobs: 1 required N missing ${see_help}" run -j)
bad_case(jobs_twice "mpimap: --jobs: At Most 1 required but received 2 ${see_help}"
  run -j 1 -j 2 -- echo ::: a)
bad_case(retries_negative "mpimap: --retries -1: expected N >= 0" run --retries -1 -- echo ::: a)
bad_case(timeout_negative "mpimap: --timeout -1: ${timeout_forms}" run --timeout -1 -- echo ::: a)
bad_case(timeout_nan "mpimap: --timeout nan: ${timeout_forms}" run --timeout nan -- echo ::: a)
bad_case(timeout_word "mpimap: --timeout abc: ${timeout_forms}" run --timeout abc -- echo ::: a)
bad_case(halt_word "mpimap: --halt sometimes: ${halt_forms}" run --halt sometimes -- echo ::: a)
bad_case(halt_no_count "mpimap: --halt now: ${halt_forms}" run --halt now -- echo ::: a)
bad_case(halt_fail_zero "mpimap: --halt now,fail=0: ${halt_forms}"
  run --halt now,fail=0 -- echo ::: a)
bad_case(halt_percent "mpimap: --halt soon,fail=101%: ${halt_forms}"
  run --halt soon,fail=101% -- echo ::: a)

# --- Items -------------------------------------------------------------------
bad_case(item_blank "mpimap: item 1 (\" \"): not an integer" map square " ")
bad_case(item_fraction "mpimap: item 2 (\"2.5\"): not an integer" map square 1 2.5)
bad_case(item_hex "mpimap: item 1 (\"0x10\"): not an integer" map square 0x10)
bad_case(item_below_int64 "mpimap: item 1 (\"-9223372036854775809\"): out of range for a 64-bit integer"
  map square -9223372036854775809)
bad_case(item_long "mpimap: item 1 (\"${long_item_shown}...\"): not an integer"
  map square ${long_item})
bad_case(real_item_word "mpimap: item 1 (\"abc\"): not a number" map sleep_ms abc)
bad_case(real_item_nan "mpimap: item 1 (\"nan\"): not a finite number" map sleep_ms nan)
bad_case(real_item_overflow "mpimap: item 1 (\"1e999\"): not a finite number" map sleep_ms 1e999)
bad_case(process_arg_inf "mpimap: argument 1 (\"inf\"): not a finite number"
  process sleep_ms inf)

# --- Item files --------------------------------------------------------------
bad_case(file_blank_line "mpimap: item 2 (\"\"): not an integer"
  map square -a ${bad}/items_blank_line.txt)
bad_case(file_not_utf8 "mpimap: item 1 (\"caf\\xe9\"): not an integer"
  map square -a ${bad}/items_latin1.txt)
bad_case(file_nul_in_item "mpimap: item 1 (\"1\\x002\"): not an integer"
  map square -a ${bad}/items_nul.txt)
bad_case(file_is_directory "mpimap: cannot read ${bad}: Is a directory" map square -a ${bad})
bad_case(file_no_value "mpimap: --arg-file: 1 required TEXT missing ${see_help}" map square -a)
bad_case_empty(file_empty_name "mpimap: --arg-file: expected a name, got '' ${see_help}"
  map -a square 1)
bad_case(file_twice "mpimap: --arg-file: At Most 1 required but received 2 ${see_help}"
  map square -a ${bad}/items_ok.txt -a ${bad}/items_ok.txt)
bad_case(run_file_missing "mpimap: cannot read /nonexistent/items: No such file or directory"
  run -a /nonexistent/items -- echo)
bad_case(run_file_is_directory "mpimap: cannot read ${bad}: Is a directory" run -a ${bad} -- echo)
bad_case_empty(run_file_empty_name "mpimap: --arg-file: expected a name, got '' ${see_help}"
  run -a -- echo)
bad_case(run_stdin_twice "mpimap: run: standard input ('-') can be only one input source"
  run -a - -- echo :::: -)

# --- run: the command and its template ---------------------------------------
bad_case(run_pipe_no_command "mpimap: run: --pipe needs a command to pipe into (e.g. 'wc -l')"
  run --pipe)
bad_case(run_unsupported "mpimap: run: --tmux is not supported (see the README's table of GNU parallel's options)"
  run --tmux -- echo ::: a)
bad_case(run_unknown_option
  "mpimap: run: unknown option --bogus (a command that starts with - goes after --)"
  run --bogus -- echo ::: a)
bad_case(run_pipe_with_items
  "mpimap: run: --pipe reads standard input: no -a, ::: or :::: (or use --pipepart)"
  run --pipe -- wc ::: a)
bad_case(run_four_colons_missing_file "mpimap: cannot read /nonexistent/f: No such file or directory"
  run -- echo :::: /nonexistent/f)
bad_case(template_positional_seq "mpimap: run: replacement string {2#} is not supported"
  run -- echo "{2#}" ::: a)
bad_case(template_perl
  "mpimap: run: replacement string {= s/a/b/ =} is a Perl expression, which mpimap does not evaluate (see --plus for the common ones)"
  run -- echo "{= s/a/b/ =}" ::: a)

# --- run: joblogs and --results ----------------------------------------------
bad_case(resume_without_joblog "mpimap: --resume and --resume-failed need --joblog FILE or --results"
  run --resume -- echo ::: a)
bad_case(resume_failed_without_joblog "mpimap: --resume and --resume-failed need --joblog FILE or --results"
  run --resume-failed -- echo ::: a)
bad_case_empty(joblog_empty_name "mpimap: --joblog: expected a name, got '' ${see_help}"
  run --joblog -- echo ::: a)
bad_case(joblog_in_missing_folder
  "mpimap: cannot write joblog /nonexistent/dir/log: No such file or directory"
  run --joblog /nonexistent/dir/log -- echo ::: a)
bad_case(joblog_is_directory "mpimap: cannot write joblog ${bad}: Is a directory"
  run --joblog ${bad} -- echo ::: a)
bad_case(resume_joblog_is_directory "mpimap: cannot open joblog ${bad}: Is a directory"
  run --joblog ${bad} --resume -- echo ::: a)
bad_case(joblog_is_arg_file
  "mpimap: --joblog ${bad}/items_ok.txt is an input file: the joblog would overwrite the items"
  run --joblog ${bad}/items_ok.txt -a ${bad}/items_ok.txt -- echo)
foreach(log_line garbage:1 wrong_header:1 short_record:2 seq_zero:2 seq_negative:2 seq_huge:2
        bad_starttime:2 bad_exitval:2 header_twice:3 header_late:3 binary:1)
  string(REPLACE ":" ";" log_line ${log_line})
  list(GET log_line 0 log)
  list(GET log_line 1 line)
  bad_case(resume_joblog_${log}
    "mpimap: joblog ${bad}/joblog_${log}.txt line ${line} is not a joblog record"
    run --joblog ${bad}/joblog_${log}.txt --resume -- echo ::: a)
endforeach()
bad_case(resume_failed_joblog_garbage
  "mpimap: joblog ${bad}/joblog_garbage.txt line 1 is not a joblog record"
  run --joblog ${bad}/joblog_garbage.txt --resume-failed -- echo ::: a)
bad_case_empty(results_empty_name "mpimap: --results: expected a name, got '' ${see_help}"
  run --results -- echo ::: a)
bad_case(results_is_file "mpimap: cannot write to --results ${bad}/items_ok.txt: Not a directory"
  run --results ${bad}/items_ok.txt -- echo ::: a)
bad_case(results_under_file
  "mpimap: cannot create --results ${bad}/items_ok.txt/out: Not a directory"
  run --results ${bad}/items_ok.txt/out -- echo ::: a)
