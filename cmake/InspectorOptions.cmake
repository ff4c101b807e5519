# Warnings and Qt strictness shared by every target (linked PRIVATE).
add_library(inspector_options INTERFACE)
target_compile_options(inspector_options INTERFACE -Wall -Wextra -Wpedantic -Woverloaded-virtual)
if(INSPECTOR_WERROR)
    target_compile_options(inspector_options INTERFACE -Werror)
endif()
target_compile_definitions(inspector_options INTERFACE
    QT_NO_KEYWORDS QT_NO_CAST_FROM_ASCII QT_NO_CAST_TO_ASCII QT_NO_CAST_FROM_BYTEARRAY
    QT_NO_URL_CAST_FROM_STRING QT_NO_FOREACH QT_USE_QSTRINGBUILDER
    INSPECTOR_VERSION="${PROJECT_VERSION}")
# lld links the ~75 test programs (each carries the static layer libraries: ~300 MB under ASan) in under half the
# CPU time of GNU ld; without lld (Debian package lld) the default linker is used.
option(INSPECTOR_LLD "Link with lld when the compiler accepts -fuse-ld=lld" ON)
if(INSPECTOR_LLD)
    include(CheckLinkerFlag)
    check_linker_flag(CXX -fuse-ld=lld INSPECTOR_HAVE_LLD)
    if(INSPECTOR_HAVE_LLD)
        target_link_options(inspector_options INTERFACE -fuse-ld=lld)
    endif()
endif()
# The sanitizer builds' reports need file:line, not variables: line tables only (-g1) are cheaper to compile and
# link than full -g, and still symbolize every frame.
if(INSPECTOR_SANITIZE OR INSPECTOR_TSAN)
    target_compile_options(inspector_options INTERFACE -g1)
endif()
if(INSPECTOR_SANITIZE)
    target_compile_options(inspector_options INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer
                                                       -fno-sanitize-recover=undefined)
    target_link_options(inspector_options INTERFACE -fsanitize=address,undefined)
endif()
if(INSPECTOR_TSAN)
    if(INSPECTOR_SANITIZE)
        message(FATAL_ERROR "INSPECTOR_TSAN and INSPECTOR_SANITIZE cannot be combined (one sanitizer runtime)")
    endif()
    target_compile_options(inspector_options INTERFACE -fsanitize=thread -fno-omit-frame-pointer)
    target_link_options(inspector_options INTERFACE -fsanitize=thread)
endif()
if(INSPECTOR_FUZZ)
    if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
        message(FATAL_ERROR "INSPECTOR_FUZZ needs clang (libFuzzer): CC=clang CXX=clang++ cmake ...")
    endif()
    # Coverage feedback for every target (the libraries too); the fuzz programs add libFuzzer's main on link.
    target_compile_options(inspector_options INTERFACE -fsanitize=fuzzer-no-link,address,undefined
                                                       -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
    target_link_options(inspector_options INTERFACE -fsanitize=address,undefined)
endif()

# inspector_add_test(NAME SOURCES ... [LIBS ...] [ENV ...] [TIMEOUT s] [NO_REGISTER])
# NO_REGISTER builds the program only, for suites registered several times under other names.
function(inspector_add_test name)
    cmake_parse_arguments(ARG "NO_REGISTER" "TIMEOUT" "SOURCES;LIBS;ENV" ${ARGN})
    qt_add_executable(${name} ${ARG_SOURCES})
    target_link_libraries(${name} PRIVATE Qt6::Test inspector_testsupport inspector_options ${ARG_LIBS})
    # Optimised tests keep line tables only: -O2 -g's variable tracking is a third of a big suite's compile time.
    target_compile_options(${name} PRIVATE $<$<CONFIG:RelWithDebInfo>:-g1>)
    # the tests' precompiled headers (tests/CMakeLists.txt), the window's set for the window's tests
    if(TARGET inspector_test_pch_core)
        if("Inspector::Ui" IN_LIST ARG_LIBS)
            target_precompile_headers(${name} REUSE_FROM inspector_test_pch_ui)
        else()
            target_precompile_headers(${name} REUSE_FROM inspector_test_pch_core)
        endif()
        # a test's moc output is usually empty (its .moc is included by the source): loading the header would be
        # a second of CPU for nothing
        set_source_files_properties(${CMAKE_CURRENT_BINARY_DIR}/${name}_autogen/mocs_compilation.cpp
                                    PROPERTIES SKIP_PRECOMPILE_HEADERS ON)
    endif()
    if(ARG_NO_REGISTER)
        return()
    endif()
    if(NOT ARG_TIMEOUT)
        set(ARG_TIMEOUT 300)
    endif()
    add_test(NAME ${name} COMMAND ${name})
    set_tests_properties(${name} PROPERTIES TIMEOUT ${ARG_TIMEOUT}
        ENVIRONMENT "QT_QPA_PLATFORM=offscreen;${ARG_ENV}")
endfunction()
# A target's moc waits only for its own sources, not for the libraries it links (which generate no headers), so
# the model's and the window's files compile beside the storage library's instead of after it.
set(CMAKE_AUTOGEN_ORIGIN_DEPENDS OFF)
