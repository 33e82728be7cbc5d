# written by bench/summarize.py for bench/crng-ready.gp
set xtics ("TPM only (6.1)" 0, "virtio-rng only (6.1)" 1, "TPM + seed file (6.1)" 2, "seed file only (6.1)" 3, "TPM only (6.12)" 4)
set xrange [-0.6:4.6]
nconf = 4
boxw = 0.2000
array conf[4] = ["stock", "rngd", "bootseed-itools", "bootseed-dracut"]
