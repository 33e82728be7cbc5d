# written by bench/summarize.py for bench/crng-ready.gp
set xtics ("golden image, first boot, host seed (6.1)" 0, "golden image, first boot, host seed, host_seed_fresh = yes (6.1)" 1)
set xrange [-0.6:1.6]
nconf = 1
boxw = 0.8000
array conf[1] = ["bootseed-itools"]
