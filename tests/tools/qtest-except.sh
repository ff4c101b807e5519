#!/bin/sh
# usage: qtest-except.sh PROGRAM FUNCTION...
# Runs every test function of the Qt Test PROGRAM except the ones named: the rest of a suite whose long functions
# are ctest entries of their own (inspector_add_parts in tests/CMakeLists.txt). New functions land here unasked.
set -eu
program=$1
shift
functions=" $("$program" -functions | tr '\n' ' ') "
for f in "$@"; do
    case "$functions" in
    *" $f() "*) ;;
    *)
        echo "qtest-except.sh: $program has no test function $f" >&2
        exit 2
        ;;
    esac
done
keep=""
for f in $functions; do
    f=${f%"()"}
    case " $* " in
    *" $f "*) ;;
    *) keep="$keep $f" ;;
    esac
done
if [ -z "$keep" ]; then # with no names Qt Test would run them all
    echo "qtest-except.sh: every function of $program is in a part of its own" >&2
    exit 2
fi
# shellcheck disable=SC2086 # one argument a function name
exec "$program" $keep
