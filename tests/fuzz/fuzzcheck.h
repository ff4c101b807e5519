// SPDX-License-Identifier: MIT
#pragma once

#include <cstdio>
#include <cstdlib>

// An invariant of a fuzz target: abort (a finding for libFuzzer, a failure for the replay test) when it is false.
// Not assert(): it must also hold in release builds.
#define FUZZ_CHECK(condition)                                                                                          \
    do {                                                                                                               \
        if (!(condition)) {                                                                                            \
            std::fprintf(stderr, "%s:%d: fuzz invariant failed: %s\n", __FILE__, __LINE__, #condition);                \
            std::abort();                                                                                              \
        }                                                                                                              \
    } while (false)
