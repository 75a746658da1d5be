# Fuzz targets (fuzz/<target>.cpp), each built from the few parser sources it needs:
#   PGSTACK_FUZZ=ON (CXX=clang++-16): libFuzzer binaries fuzz_<target> with ASan + UBSan, run by
#     bench/fuzz.sh;
#   PGSTACK_FUZZ_REPLAY=ON (any compiler; on with the tests): replay_<target>, the same code with
#     ASan + UBSan and fuzz/replay_main.cpp instead of libFuzzer, and a ctest test
#     fuzz_replay.<target> that runs the seed corpus fuzz/corpus/<target>/ through it.
set(fuzz_sql_lexer src/migrate/sql_lexer.cpp)
set(fuzz_migrate_readers src/migrate/source.cpp src/migrate/readers_common.cpp
  src/migrate/format_diesel.cpp src/migrate/format_flyway.cpp src/migrate/format_golang_migrate.cpp
  src/migrate/format_sectioned.cpp src/migrate/format_sqlx.cpp src/migrate/format_table.cpp
  src/migrate/migration.cpp
  src/migrate/sql_lexer.cpp src/migrate/checksum.cpp src/migrate/flyway_placeholders.cpp
  src/core/duration.cpp src/core/files.cpp src/core/sha256.cpp src/core/nearest.cpp)
set(fuzz_config src/core/config.cpp src/core/files.cpp src/core/settings.cpp
  src/core/duration.cpp src/core/parse_int.cpp src/core/nearest.cpp)
set(fuzz_pgbouncer_files src/core/pgbouncer_files.cpp)
set(fuzz_duration src/core/duration.cpp)
set(fuzz_http_request src/testdb/http_request.cpp src/testdb/http_reader.cpp)
set(fuzz_hazards src/migrate/hazard.cpp)

function(pgstack_fuzz_binary binary target sources sanitize)
  list(TRANSFORM sources PREPEND ${CMAKE_SOURCE_DIR}/)
  add_executable(${binary} ${CMAKE_SOURCE_DIR}/fuzz/${target}.cpp ${sources} ${ARGN})
  target_include_directories(${binary} PRIVATE ${CMAKE_SOURCE_DIR}/include ${CMAKE_SOURCE_DIR}/src)
  target_link_libraries(${binary} PRIVATE nlohmann_json::nlohmann_json fmt::fmt OpenSSL::Crypto)
  target_compile_options(${binary} PRIVATE -fsanitize=${sanitize} -fno-sanitize-recover=all
    -fno-omit-frame-pointer)
  target_link_options(${binary} PRIVATE -fsanitize=${sanitize})
endfunction()

foreach(target sql_lexer migrate_readers config pgbouncer_files duration http_request hazards)
  set(sources ${fuzz_${target}})
  if(PGSTACK_FUZZ)
    pgstack_fuzz_binary(fuzz_${target} ${target} "${sources}" fuzzer,address,undefined)
  endif()
  if(PGSTACK_FUZZ_REPLAY)
    pgstack_fuzz_binary(replay_${target} ${target} "${sources}" address,undefined
      ${CMAKE_SOURCE_DIR}/fuzz/replay_main.cpp)
    add_test(NAME fuzz_replay.${target}
      COMMAND replay_${target} ${CMAKE_SOURCE_DIR}/fuzz/corpus/${target})
  endif()
endforeach()
