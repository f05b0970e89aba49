# Compiles one source against the WDK stand-in and passes only if the compiler REJECTS it with a diagnostic
# matching EXPECT: proof that the stand-in is no kinder than the real headers for that mistake.
# usage: cmake -DCC=... -DSRC=... -DINCLUDE=... -DEXPECT=regex -P expect_compile_error.cmake
execute_process(COMMAND ${CC} -fsyntax-only -fshort-wchar -I ${INCLUDE} ${SRC}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(rc EQUAL 0)
  message(FATAL_ERROR "the stand-in accepted ${SRC}; the real WDK headers reject it")
endif()
if(NOT err MATCHES "${EXPECT}")
  message(FATAL_ERROR "${SRC} failed, but not with /${EXPECT}/:\n${err}")
endif()
message(STATUS "rejected as the real headers do: ${SRC}")
