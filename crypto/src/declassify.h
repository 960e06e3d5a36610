// Marks bytes computed from secrets as public for Valgrind's constant-time check (ctgrind): the
// matrix seed rho of an ML-KEM key, whether an X25519 point is zero. Outside Valgrind these are a
// few instructions that do nothing.
#pragma once

#include <cstddef>

#if __has_include(<valgrind/memcheck.h>)
#include <valgrind/memcheck.h>
#define GAVAH_DECLASSIFY(ptr, len) VALGRIND_MAKE_MEM_DEFINED((ptr), (len))
#else
#define GAVAH_DECLASSIFY(ptr, len) ((void)(ptr), (void)(len))
#endif
