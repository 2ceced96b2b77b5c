#!/usr/bin/env bash
# Compares `informe build` with Hugo on the same synthetic report, warm, on tmpfs.
#
#   benches/compare-hugo.sh [PAGES]        (default 1000)
#
# Environment:
#   RUNS, WARMUP  timed and warm-up runs of each command (default 10 and 2 up to 2,000 pages;
#                 3 and 1 up to 5,000; 2 and 0 above, where one build of ours takes minutes)
#   SEED          the generator's seed (default 20230630)
#   BENCH_DIR     where the content and outputs go (default /dev/shm, a tmpfs). At 10,000
#                 pages our build peaks near 0.4 GB, Hugo's near 4.5 GB, and tmpfs holds 3 GB
#                 of outputs: if RAM is short, use a disk folder (BENCH_DIR=/var/tmp); the
#                 floor then measures the disk's page cache.
#
# Builds informe and the generator in release, writes the synthetic report
# (examples/sintetico.rs) as informe content and as its Hugo twin, builds each once (cold,
# under /usr/bin/time -v: it must succeed, and it gives the page counts and the peak RSS), then
# times warm rebuilds with hyperfine: informe's build, Hugo's build, and the floor (`cp -r` of
# our output tree within the same file system). Both tools rebuild over their previous output,
# as a webmaster does: informe takes from the previous output the pages, data files and search
# index parts of every quarter whose inputs did not change (src/reuse.rs), renders the rest,
# links from the previous output each file that comes out the same and writes the rest into a
# staging folder, swaps it in and deletes the old one; Hugo renders every page and overwrites
# every file in place.
# It also times `informe build --sin-busqueda`, so the search index's share is reported apart,
# and runs that build and Hugo's in turn (benches/pares.sh) for a pair-by-pair ratio.
# A warm rebuild with nothing changed takes every quarter from the previous output, so each
# build of ours (with and without search) is also timed two more ways: after a one-word edit
# of a unit of the latest quarter before each build (the webmaster's rebuild: that quarter,
# its year's views and the site-wide pages are made again, and the last part of the index),
# and into an empty folder with no parses stored beside it (everything made again, as a first
# build). The pair-by-pair run is made both ways.
# The last line is `informe/hugo at N pages: R` (R = our median / Hugo's median, N = our pages).
set -euo pipefail
cd "$(dirname "$0")/.."

pages=${1:-1000}
case $pages in '' | *[!0-9]*)
  echo "uso: $0 [PÁGINAS]" >&2
  exit 2
  ;;
esac
if [ "$pages" -le 2000 ]; then
  runs=${RUNS:-10} warmup=${WARMUP:-2}
elif [ "$pages" -le 5000 ]; then
  runs=${RUNS:-3} warmup=${WARMUP:-1}
else
  runs=${RUNS:-2} warmup=${WARMUP:-0}
fi
seed=${SEED:-20230630}

missing=()
command -v hugo >/dev/null 2>&1 || missing+=(hugo)
command -v hyperfine >/dev/null 2>&1 || missing+=(hyperfine)
[ -x /usr/bin/time ] || missing+=(time)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]}" >&2
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

cargo build --release --quiet --bin informe --example sintetico
bin=${CARGO_TARGET_DIR:-target}/release
work=$(mktemp -d "${BENCH_DIR:-/dev/shm}/informe-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
# Copies, so that another `cargo build` or template edit in this work tree cannot change what
# is measured mid-run.
cp "$bin/informe" "$work/informe"
cp -r theme "$work/theme"
informe=$work/informe
theme=$work/theme
content=$work/gen/informe/content
hugo_src=$work/gen/hugo
out_informe=$work/out-informe
# Where our builds store their parses of the content, beside the output (README).
stored_informe=$work/.out-informe.informe-lecturas
out_hugo=$work/out-hugo
floor=$work/floor

"$bin/examples/sintetico" --paginas "$pages" --salida "$work/gen" --semilla "$seed" >"$work/gen.log"
head -1 "$work/gen.log"
echo "on $(df --output=fstype "$work" | tail -1) ($work), $(nproc) cores, $(free -g | awk '/Mem/{print $2}') GB"

# peak_mb FILE: the peak RSS, in MB, that /usr/bin/time -v wrote to FILE.
peak_mb() { awk -F': ' '/Maximum resident set size/{printf "%.0f", $2 / 1024}' "$1"; }

# One cold build of each: it must succeed; it gives the page counts and the peak RSS.
if ! /usr/bin/time -v -o "$work/informe.time" \
  "$informe" build --content "$content" --theme "$theme" --output "$out_informe" >"$work/informe.log" 2>&1; then
  tail -40 "$work/informe.log" >&2
  echo "informe build failed on the synthetic report" >&2
  exit 1
fi
summary=$(grep -E '^Sitio generado' "$work/informe.log" | tail -1)
echo "informe: $summary"
n_informe=$(sed -E 's/.*: ([0-9]+) páginas.*/\1/' <<<"$summary")
if ! /usr/bin/time -v -o "$work/hugo.time" \
  hugo --source "$hugo_src" --destination "$out_hugo" >"$work/hugo.log" 2>&1; then
  cat "$work/hugo.log" >&2
  echo "hugo failed on the synthetic report" >&2
  exit 1
fi
n_hugo=$(awk -F'|' '/^ *Pages /{gsub(/ /, "", $2); print $2; exit}' "$work/hugo.log")
echo "hugo: $n_hugo pages ($(hugo version | cut -d' ' -f2))"
/usr/bin/time -v -o "$work/floor.time" cp -r "$out_informe" "$floor"
rm -rf "$floor"
rss_informe=$(peak_mb "$work/informe.time")
rss_hugo=$(peak_mb "$work/hugo.time")
rss_floor=$(peak_mb "$work/floor.time")
du -sh "$content" "$hugo_src/content" "$out_informe" "$out_hugo" | sed "s|$work/||"

echo
latest=$(find "$content/informes" -mindepth 1 -maxdepth 1 -type d | sort | tail -1)
edited=$(find "$latest/unidades" -name '*.yaml' | sort | head -1)
# Toggles a word at the end of the unit's objective (line 5 of a synthetic unit file).
cat >"$work/edita.sh" <<EDITA
#!/bin/sh
if grep -q ' (revisado)\$' '$edited'; then sed -i '5s/ (revisado)\$//' '$edited'
else sed -i '5s/\$/ (revisado)/' '$edited'; fi
EDITA
sh "$work/edita.sh"
grep -q ' (revisado)$' "$edited" || { echo "edita.sh does not edit $edited" >&2; exit 1; }
echo "== warm builds: $warmup warm-up + $runs timed runs each (hyperfine)"
hyperfine -N --style basic --warmup "$warmup" --runs "$runs" --export-csv "$work/builds.csv" \
  -n informe "$informe build --content $content --theme $theme --output $out_informe" \
  -n informe-sin-busqueda "$informe build --sin-busqueda --content $content --theme $theme --output $out_informe" \
  -n hugo "hugo --quiet --source $hugo_src --destination $out_hugo"
echo
echo "== informe without search: after an edit of the latest quarter, and into an empty folder"
hyperfine -N --style basic --warmup "$warmup" --runs "$runs" \
  --export-csv "$work/edit-nosearch.csv" --prepare "sh $work/edita.sh" \
  -n informe-sin-busqueda-tras-edicion "$informe build --sin-busqueda --content $content --theme $theme --output $out_informe"
hyperfine -N --style basic --warmup 0 --runs "$runs" --export-csv "$work/cold-nosearch.csv" \
  --prepare "rm -rf $out_informe $stored_informe" \
  -n informe-sin-busqueda-desde-cero "$informe build --sin-busqueda --content $content --theme $theme --output $out_informe"
echo
echo "== informe with search: after an edit of the latest quarter, and into an empty folder"
# At least one warm-up: the last build before these is one without search, whose output has no
# index to take parts from.
hyperfine -N --style basic --warmup "$((warmup > 0 ? warmup : 1))" --runs "$runs" \
  --export-csv "$work/search.csv" --prepare "sh $work/edita.sh" \
  -n informe-tras-edicion "$informe build --content $content --theme $theme --output $out_informe"
hyperfine -N --style basic --warmup 0 --runs "$runs" --export-csv "$work/cold.csv" \
  --prepare "rm -rf $out_informe $stored_informe" \
  -n informe-desde-cero "$informe build --content $content --theme $theme --output $out_informe"

echo
echo "== floor: cp -r of our output tree within the same file system"
hyperfine -N --style basic --warmup "$warmup" --runs "$runs" --export-csv "$work/floor.csv" \
  --prepare "rm -rf $floor" -n floor "cp -r $out_informe $floor"
rm -rf "$floor"

# hyperfine times each command's runs one after another, so a drift of the machine's speed
# between them (a fifth, some days) moves the ratio of two medians. Runs in turn (informe
# without search, then Hugo, RUNS times) give a ratio pair by pair that holds better.
echo
echo "== in turn: informe build --sin-busqueda and hugo, $runs pairs (benches/pares.sh)"
paired=$(benches/pares.sh "$runs" \
  "$informe build --sin-busqueda --content $content --theme $theme --output $out_informe" \
  "hugo --quiet --source $hugo_src --destination $out_hugo")
echo "$paired"
ratio_pairs=$(sed -nE 's/^A\/B wall, pair by pair: median ([0-9.]+).*/\1/p' <<<"$paired")
# The same after a one-word edit of the latest quarter before each of our builds (the edit's
# own few milliseconds counted as ours).
echo "== in turn: edit + informe build --sin-busqueda, and hugo, $runs pairs (benches/pares.sh)"
paired=$(benches/pares.sh "$runs" \
  "sh $work/edita.sh && $informe build --sin-busqueda --content $content --theme $theme --output $out_informe" \
  "hugo --quiet --source $hugo_src --destination $out_hugo")
echo "$paired"
ratio_pairs_edit=$(sed -nE 's/^A\/B wall, pair by pair: median ([0-9.]+).*/\1/p' <<<"$paired")

# hyperfine's CSV: command,mean,stddev,median,user,system,min,max (seconds).
col() { awk -F, -v name="$2" -v c="$3" '$1 == name {print $c}' "$work/$1.csv"; }
med_i=$(col builds informe 4) med_h=$(col builds hugo 4) med_f=$(col floor floor 4)
med_p=$(col builds informe-sin-busqueda 4)
med_e=$(col search informe-tras-edicion 4) med_c=$(col cold informe-desde-cero 4)
med_pe=$(col edit-nosearch informe-sin-busqueda-tras-edicion 4)
med_pc=$(col cold-nosearch informe-sin-busqueda-desde-cero 4)
cpu_p=$(awk -v u="$(col builds informe-sin-busqueda 5)" -v s="$(col builds informe-sin-busqueda 6)" 'BEGIN{print u + s}')
cpu_i=$(awk -v u="$(col builds informe 5)" -v s="$(col builds informe 6)" 'BEGIN{print u + s}')
cpu_h=$(awk -v u="$(col builds hugo 5)" -v s="$(col builds hugo 6)" 'BEGIN{print u + s}')
cpu_f=$(awk -v u="$(col floor floor 5)" -v s="$(col floor floor 6)" 'BEGIN{print u + s}')

echo
dirty=$(git diff --quiet HEAD -- src theme Cargo.toml Cargo.lock 2>/dev/null || echo '+uncommitted changes')
echo "== $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(git rev-parse --short HEAD)$dirty, seed $seed, $runs runs"
awk -v mi="$med_i" -v mh="$med_h" -v mf="$med_f" -v ci="$cpu_i" -v ch="$cpu_h" -v cf="$cpu_f" \
  -v mp="$med_p" -v cp="$cpu_p" -v me="$med_e" -v mc="$med_c" -v mpe="$med_pe" -v mpc="$med_pc" \
  -v ni="$n_informe" -v nh="$n_hugo" -v ri="$rss_informe" -v rh="$rss_hugo" -v rf="$rss_floor" 'BEGIN {
  f = "| %-13s | %6d | %10.0f | %8.2f | %12.0f | %11d | %6.2f | %7.1f |\n"
  printf "| %-13s | %6s | %10s | %8s | %12s | %11s | %6s | %7s |\n", "", "pages", "median ms", "ms/page", "cpu ms (u+s)", "peak RSS MB", "× Hugo", "× floor"
  printf "|---------------|-------:|-----------:|---------:|-------------:|------------:|-------:|--------:|\n"
  printf f, "informe", ni, mi * 1000, mi * 1000 / ni, ci * 1000, ri, mi / mh, mi / mf
  printf "| %-13s | %6d | %10.0f | %8.2f | %12.0f | %11s | %6.2f | %7.1f |\n", "  sin búsqueda", ni, mp * 1000, mp * 1000 / ni, cp * 1000, "", mp / mh, mp / mf
  printf "| %-13s | %6d | %10.0f | %8.2f | %12s | %11s | %6.2f | %7.1f |\n", "    tras ed.", ni, mpe * 1000, mpe * 1000 / ni, "", "", mpe / mh, mpe / mf
  printf "| %-13s | %6d | %10.0f | %8.2f | %12s | %11s | %6.2f | %7.1f |\n", "    desde cero", ni, mpc * 1000, mpc * 1000 / ni, "", "", mpc / mh, mpc / mf
  printf "| %-13s | %6s | %10.0f | %8s | %12.0f | %11s | %6.2f | %7s |\n", "  búsqueda", "", (mi - mp) * 1000, "", (ci - cp) * 1000, "", (mi - mp) / mh, ""
  printf "| %-13s | %6d | %10.0f | %8.2f | %12s | %11s | %6.2f | %7.1f |\n", "  tras edición", ni, me * 1000, me * 1000 / ni, "", "", me / mh, me / mf
  printf "| %-13s | %6d | %10.0f | %8.2f | %12s | %11s | %6.2f | %7.1f |\n", "  desde cero", ni, mc * 1000, mc * 1000 / ni, "", "", mc / mh, mc / mf
  printf f, "hugo", nh, mh * 1000, mh * 1000 / nh, ch * 1000, rh, 1, mh / mf
  printf f, "floor (cp -r)", ni, mf * 1000, mf * 1000 / ni, cf * 1000, rf, mf / mh, 1
}'
awk -v mp="$med_p" -v mpe="$med_pe" -v mpc="$med_pc" -v mh="$med_h" -v n="$n_informe" 'BEGIN {
  printf "informe/hugo without search at %d pages: %.2f; after an edit: %.2f; into an empty folder: %.2f\n", n, mp / mh, mpe / mh, mpc / mh }'
awk -v me="$med_e" -v mc="$med_c" -v mh="$med_h" -v n="$n_informe" 'BEGIN {
  printf "informe/hugo with search at %d pages, after an edit: %.2f; into an empty folder: %.2f\n", n, me / mh, mc / mh }'
echo "informe/hugo without search at $n_informe pages, pair by pair: $ratio_pairs; after an edit: $ratio_pairs_edit"
awk -v mi="$med_i" -v mh="$med_h" -v n="$n_informe" 'BEGIN { printf "informe/hugo at %d pages: %.2f\n", n, mi / mh }'
