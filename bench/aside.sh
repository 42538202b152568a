# Sourced by the benchmarks that fill a directory with thousands of files
# per run: `aside DIR...` moves earlier outputs out of the way instead of
# deleting them; everything set aside is deleted when the script exits.
#
# Why: on this machine's ext4 (no journal), a file created within ~35 s of
# a mass deletion in the same block group costs ~0.3 ms instead of
# ~0.03 ms, because the inode allocator skips each recently deleted inode
# with one block lookup at a time. Deleting the last tool's 10,000 files
# right before the next tool charged that tool about 3 s of system time:
# whoever ran after a deletion paid, not whoever was slower.
# Needs WORK set.
TRASH=$WORK/trash
if [[ -d $TRASH ]]; then
  # Left by an interrupted run: delete it, then let the deletion age.
  rm -rf "$TRASH"
  sync
  sleep 40
fi
mkdir -p "$TRASH"
aside() {
  local d
  for d in "$@"; do
    if [[ -e $d ]]; then mv "$d" "$TRASH/$(basename "$d").$(date +%s%N)"; fi
  done
}
trap 'rm -rf "$TRASH"' EXIT
