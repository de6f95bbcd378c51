#!/bin/sh
# The console with a node on another machine (SPEC §9): its pane shows
# its output, its remote pty has the pane's size and follows a resize,
# keys typed in interactive mode reach it, and q leaves nothing on the
# host.  The host is a network namespace with its own sshd.
. "${TOP_SRCDIR:-.}/tests/ui-lib.sh"
. "$TOP_SRCDIR/tests/lib-netns.sh"

n_setup 1
h1=$(n_addr 1)
cat >"$T_TMP/ui.cfg" <<EOF
cluster = {
  name_prefix = "u"; host = "127.0.0.1"; log_dir = "";
  hosts = ( { name = "h1"; ssh = "root@$h1"; } );
  ssh_options = [ "-F", "$N_SSHCFG" ];
  stop_timeout_ms = 1000;
};
node = {
  command = "echo ready on \$(hostname -I | cut -d' ' -f1); stty size; trap 'stty size' WINCH; while :; do if read l; then echo got \$l; fi; done";
};
EOF
ui_start 100 20 -c "$T_TMP/ui.cfg" -n 1
trap 'ui_cleanup; n_teardown' EXIT
trap 'ui_cleanup; n_teardown; exit 1' INT TERM HUP
t_check "the pane shows the remote node's output" ui_wait 15 "ready on $h1"
t_check "its remote pty has the pane's size" ui_wait 5 "17 98" ||
    t_diag "$(ui_screen)"
ui_keys i
t_check "i: interactive mode" ui_wait 5 "INTERACTIVE"
ui_keys 'hello-remote' Enter
t_check "keys typed in interactive mode reach it" ui_wait 5 "got hello-remote"
ui_keys C-]
ui_tmux resize-window -t t -x 120 -y 30
t_check "a resize reaches its remote pty" ui_wait 5 "27 118"
ui_keys q
t_check "q: nodemux exits" t_wait_for 10 ui_exited
t_check "q: exit status 0" [ "$(ui_status)" = 0 ]
t_check "q: nothing is left on the host" t_wait_for 5 n_empty 1
ui_cleanup
n_teardown
trap - EXIT INT TERM HUP
t_check "nodemux wrote nothing to stderr" [ ! -s "$T_TMP/stderr" ]
[ -s "$T_TMP/stderr" ] && t_diag "$(head -c 4000 "$T_TMP/stderr")"
t_done
