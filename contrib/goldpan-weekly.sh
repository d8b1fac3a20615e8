#!/bin/sh
# goldpan-weekly.sh: this week's customer lists, and who moved since the last run.
#
# Put this script in a folder of its own (the "store folder") with:
#   exports/        the order exports (CSV, CSV.gz or zip). Overlapping exports are
#                   fine: an order found in several files counts once.
#   goldpan.toml    optional: thresholds, currency, ... (goldpan config --print)
# Each run writes:
#   runs/YYYY-MM-DD/        the segment files as of that day
#   runs/YYYY-MM-DD/moves/  <segment>.entered.csv / .left.csv against the
#                           latest earlier run, and diff_summary.csv
#
# Usage: goldpan-weekly.sh [YYYY-MM-DD]     (default: today)
set -eu

# cron runs with PATH=/usr/bin:/bin; `cargo install` puts goldpan in ~/.cargo/bin.
PATH="$HOME/.cargo/bin:/usr/local/bin:$PATH"
STORE=$(cd "$(dirname "$0")" && pwd)
cd "$STORE"

AS_OF=${1:-$(date +%Y-%m-%d)}
RUN="runs/$AS_OF"
mkdir -p runs

# The latest earlier run that finished, if any (run folders sort by date).
# goldpan writes goldpan-manifest.json after every list, so a run that was
# killed or failed has none and is skipped (diff checks the files against it).
PREVIOUS=
for dir in runs/????-??-??; do
    # Folders of earlier days only.
    [ -d "$dir" ] && expr "$dir" \< "$RUN" > /dev/null || continue
    if [ -f "$dir/goldpan-manifest.json" ]; then
        PREVIOUS=$dir
    else
        echo "Skipped $dir: that run did not finish (it has no goldpan-manifest.json)."
    fi
done

goldpan segments exports/* --as-of "$AS_OF" --out "$RUN"

if [ -n "$PREVIOUS" ] && [ -d "$PREVIOUS" ]; then
    echo "Moves from $PREVIOUS to $RUN:"
    goldpan diff "$PREVIOUS" "$RUN" --out "$RUN/moves"
    # Win-back: who crossed a lapse threshold since the last run (lapsed_60:
    # 60 days without an order; the next band, lapsed_90, for a bigger
    # discount), from the bands goldpan.toml's lapsed_days gives, in order.
    FIRST=yes
    for file in $(ls "$RUN/moves" | grep -E '^lapsed_[0-9]+\.entered\.csv$' | sort -t_ -k2 -n); do
        DAYS=${file#lapsed_}
        DAYS=${DAYS%%.*}
        COUNT=$(($(wc -l < "$RUN/moves/$file") - 1))
        if [ "$FIRST" = yes ]; then OFFER="Win-back"; else OFFER="Win-back, bigger discount"; fi
        FIRST=no
        echo "$OFFER: $COUNT customer(s) reached $DAYS days without an order since the last run: $STORE/$RUN/moves/$file"
    done
else
    echo "First run: the lists are in $STORE/$RUN; moves start with the next run."
fi
