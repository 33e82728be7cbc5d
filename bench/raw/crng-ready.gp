# written by bench/summarize.py for bench/crng-ready.gp
set xtics ("TPM only (6.1)" 0, "virtio-rng only (6.1)" 1, "TPM + seed file (6.1)" 2, "seed file only (6.1)" 3, "nothing, first boot (6.1)" 4, "TPM only (6.12)" 5)
set xrange [-0.6:5.6]
nconf = 4
boxw = 0.2000
array conf[4] = ["stock", "rngd", "bootseed-itools", "bootseed-dracut"]
