# SPDX-License-Identifier: GPL-2.0-or-later
# bench/crng-ready.gp: bench/raw/crng-ready.dat (bench/summarize.py) ->
# bench/crng-ready.png: per scenario and configuration, the median time from
# the kernel's start to "crng init done" (bar; min-max as error bars) and the
# median time the initramfs handed over to the real root (black dash): a bar
# below its dash means the crng was ready inside the initramfs.
# Run from the top of the repository.
load "bench/raw/crng-ready.gp"
set terminal pngcairo size 1200,600 font "sans,10" noenhanced
set output "bench/crng-ready.png"
set title "Time from kernel start to 'random: crng init done' (median, min-max); dash: initramfs hands over (median)\nDebian 12 under QEMU TCG, no RDRAND, random.trust_cpu=off"
set ylabel "seconds since the kernel started"
set yrange [0:*]
set grid ytics
set key below horizontal
set style fill solid 0.8 border -1
set boxwidth boxw absolute
set bars 0.5
plot for [i=0:nconf-1] "bench/raw/crng-ready.dat" index i \
        using 1:2:3:4:(boxw) with boxerrorbars lc i + 1 title conf[i + 1], \
     for [i=0:nconf-1] "bench/raw/crng-ready.dat" index i \
        using ($1 - boxw / 2):5:(boxw):(0) with vectors nohead lw 3 lc "black" notitle
