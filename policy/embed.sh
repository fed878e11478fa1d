#!/bin/sh
# Turn a file into a C source defining a NUL-terminated byte array and its
# length (without the NUL), so that data files stay readable in the tree.
#   embed.sh FILE SYMBOL > out.c
set -eu
file=$1
sym=$2
echo "/* generated from $(basename "$file") by policy/embed.sh; do not edit */"
echo "#include <stddef.h>"
echo "const char ${sym}_data[] = {"
od -An -v -tx1 "$file" | sed -e 's/ \([0-9a-f][0-9a-f]\)/0x\1,/g' -e 's/^/\t/'
echo "	0x00"
echo "};"
echo "const size_t ${sym}_size = sizeof(${sym}_data) - 1;"
