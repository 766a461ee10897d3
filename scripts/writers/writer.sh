#!/bin/sh
# writer.sh: a writebench external writer in POSIX sh, to show the protocol
# (docs/protocol.md) is language-neutral. Slow: one
# printf and one cat per 4 KiB block. Each block is the 24-byte header
# "WB<file, 8 hex>@<block, 12 hex>\n" followed by bytes 24..4095 of the
# pattern file the request names; head -c cuts the last block.
#
#   writebench run --exec 'sh-writer=sh scripts/writers/writer.sh' --files 4 --sizes 64KiB
set -u
set -f
tmp=$(mktemp -d) || exit 1
# Remove the temporary directory however the script ends: at the end of
# input (EXIT) and when killed by a catchable signal (writebench sends
# SIGTERM before SIGKILL). A shell runs no EXIT trap when a signal kills it,
# hence the signal traps, which exit with the signal's usual status.
trap 'rm -rf "$tmp"' EXIT
trap 'rm -rf "$tmp"; trap - EXIT; exit 129' HUP
trap 'rm -rf "$tmp"; trap - EXIT; exit 130' INT
trap 'rm -rf "$tmp"; trap - EXIT; exit 143' TERM
tab=$(printf '\t')
echo "ready sh writer.sh"
while IFS= read -r line; do
	case $line in
	write"$tab"*) ;;
	*) echo "error not a write request"; continue ;;
	esac
	dir='' files=0 size=0 pattern='' sync=none prealloc=none prefix=''
	IFS=$tab
	for kv in $line; do
		case $kv in
		dir=*) dir=${kv#dir=} ;;
		files=*) files=${kv#files=} ;;
		size=*) size=${kv#size=} ;;
		width=*) width=${kv#width=} ;;
		prefix=*) prefix=${kv#prefix=} ;;
		pattern=*) pattern=${kv#pattern=} ;;
		sync=*) sync=${kv#sync=} ;;
		prealloc=*) prealloc=${kv#prealloc=} ;;
		esac
	done
	unset IFS
	case $sync in none | close | data | end) ;; *)
		echo "skip sync mode $sync is not implemented by writer.sh"
		continue
		;;
	esac
	if [ "$prealloc" != none ]; then
		echo "skip preallocation $prealloc is not implemented by writer.sh"
		continue
	fi
	if [ "$pattern" != "${cached:-}" ]; then
		tail -c +25 "$pattern" >"$tmp/body" || { echo "error cannot read pattern $pattern"; continue; }
		cached=$pattern
	fi
	blocks=$(((size + 4095) / 4096))
	i=0 err=''
	while [ "$i" -lt "$files" ]; do
		path=$(printf '%s/%sf%0*d' "$dir" "$prefix" "$width" "$i")
		k=0
		while [ "$k" -lt "$blocks" ]; do
			printf 'WB%08x@%012x\n' "$i" "$k"
			cat "$tmp/body"
			k=$((k + 1))
		done | head -c "$size" >"$path" || err="cannot write $path"
		case $sync in
		close) sync "$path" || err="sync $path failed" ;;
		data) sync -d "$path" || err="sync -d $path failed" ;;
		esac
		[ -n "$err" ] && break
		i=$((i + 1))
	done
	if [ -n "$err" ]; then echo "error $err"; else echo ok; fi
done
