# Writes OUT (a C++ file) with pgstack's VERSION and the git revision of SRC. Run on every build;
# configure_file rewrites OUT only when its text changes, so nothing recompiles otherwise.
execute_process(COMMAND git -C "${SRC}" rev-parse --short=10 HEAD
  OUTPUT_VARIABLE REVISION OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET RESULT_VARIABLE rc)
if(NOT rc EQUAL 0 OR REVISION STREQUAL "")
  set(REVISION "unknown")
else()
  execute_process(COMMAND git -C "${SRC}" status --porcelain --untracked-files=no
    OUTPUT_VARIABLE changes ERROR_QUIET)
  if(NOT changes STREQUAL "")
    set(REVISION "${REVISION}-dirty")
  endif()
endif()
configure_file("${SRC}/cmake/version.cpp.in" "${OUT}" @ONLY)
