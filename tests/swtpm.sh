# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/swtpm.sh: a fresh swtpm for tests that point bootseed's device TCTI at
# a fake /dev: swtpm on a free TCP port pair, bridged to a pty by socat.
#
#   swtpm_pty STATE_DIR SWTPM_LOG PTY [SOCAT_LOG]
#       Starts both; rc 0 once PTY exists. Sets SW_PID and SOCAT_PID and adds
#       them to the caller's PIDS array (for its cleanup). SOCAT_LOG gets
#       socat's hex dump of every byte (-x), one line per direction and chunk.

#   wait_path PATH PID
#       rc 0 once PATH exists (within 5 s), 1 if PID dies first.

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_path() {
	for _ in $(seq 250); do
		[ -e "$1" ] && return 0
		kill -0 "$2" 2>/dev/null || return 1
		sleep 0.02
	done
	return 1
}

swtpm_pty() {
	local state=${1:?swtpm_pty STATE LOG PTY [SOCAT_LOG]} log=${2:?} pty=${3:?}
	local slog=${4:-/dev/null} port
	SW_PID='' SOCAT_PID=''
	mkdir -p "$state" || return 1
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		port=$((20000 + (RANDOM % 10000) * 2))
		port_busy "$port" || port_busy $((port + 1)) || {
			swtpm socket --tpm2 --flags not-need-init,startup-clear \
				--server type=tcp,port=$port,bindaddr=127.0.0.1 \
				--ctrl type=tcp,port=$((port + 1)),bindaddr=127.0.0.1 \
				--tpmstate dir="$state" --log file="$log" &
			SW_PID=$!
			PIDS+=("$SW_PID")
			# Readiness on the control port: the server port serves one client.
			for _ in $(seq 100); do
				kill -0 "$SW_PID" 2>/dev/null || break
				port_busy $((port + 1)) && break 2
				sleep 0.02
			done
			kill -9 "$SW_PID" 2>/dev/null
		}
	done
	kill -0 "$SW_PID" 2>/dev/null || return 1
	# rawer: no echo, no CR/NL mapping, no XON/XOFF, no signals: binary-clean.
	# -t 0.05: pass on swtpm's end of stream at once (closing the pty).
	socat -t 0.05 -x pty,link="$pty",rawer "tcp:127.0.0.1:$port" 2>"$slog" &
	SOCAT_PID=$!
	PIDS+=("$SOCAT_PID")
	wait_path "$pty" "$SOCAT_PID"
}
