# SPDX-License-Identifier: BSD-3-Clause
# bench/plot.gp: grouped bars of per-operation latency per target, log scale.
#   gnuplot -e "datfile='micro.dat'; outfile='micro.png'" bench/plot.gp
# micro.dat (written by bench/report.sh): op, then median us for tmpfs,
# /var/tmp, pool via pmemfile-run, core in-process, host file via
# pmemfile-run; NaN where a target could not run.
if (!exists("datfile")) datfile = 'micro.dat'
if (!exists("outfile")) outfile = 'micro.png'

set terminal pngcairo size 1400,650 font "sans,10"
set output outfile
set title "pmemfile-run: per-operation latency (median, lower is better)"
set ylabel "microseconds (log scale)"
set logscale y
set yrange [0.1:*]
set grid ytics mytics
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set xtics rotate by -30 scale 0 noenhanced
set key top left
set datafile missing "NaN"

plot datfile using 2:xtic(1) title "tmpfs", \
     '' using 3 title "/var/tmp", \
     '' using 4 title "pool via pmemfile-run", \
     '' using 5 title "core in-process", \
     '' using 6 title "host file via pmemfile-run"
