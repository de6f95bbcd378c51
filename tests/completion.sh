#!/bin/sh
# Shell completion: bash's _nodemux driven as bash does it (COMP_WORDS,
# COMP_CWORD, then COMPREPLY): commands, each command's options, config
# files, the config's profiles, the plan's node numbers for env, a
# running console's nodes for ctl restart; zsh's script parses.  The
# words come from the hidden `nodemux __complete`, checked too.
. "${TOP_SRCDIR:-.}/tests/lib.sh"

bash_script=$TOP_SRCDIR/data/completion/bash/nodemux
zsh_script=$TOP_SRCDIR/data/completion/zsh/_nodemux
command -v bash >/dev/null 2>&1 || { t_ok "# SKIP no bash"; t_done; exit; }

# comp WORD...: what _nodemux offers for the line WORD... (the last word
# is the one being completed), sorted, on one line.
comp() {
	bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
	    COMP_LINE="$*"; _nodemux; printf "%s\n" "${COMPREPLY[@]}"' \
	    comp "$bash_script" "$NODEMUX" "$@" 2>"$T_TMP/comp.err" |
	    sort | tr '\n' ' ' | sed 's/ $//'
}

# offers WANT WORD...: the completion of WORD... is exactly WANT.
offers() {
	want=$1; shift
	got=$(comp "$@")
	[ "$got" = "$want" ] && [ ! -s "$T_TMP/comp.err" ] || {
		t_diag "nodemux $*<TAB>: got '$got', want '$want'"
		t_diag "$(cat "$T_TMP/comp.err")"
		return 1
	}
}

# has WORD LINE...: the completion of LINE includes WORD.
has() {
	w=$1; shift
	comp "$@" | tr ' ' '\n' | grep -qxF -- "$w" ||
	    { t_diag "nodemux $*<TAB>: no '$w' in '$(comp "$@")'"; return 1; }
}

# lacks WORD LINE...: the completion of LINE does not include WORD.
lacks() {
	! has "$@" >/dev/null 2>&1
}

mkdir "$T_TMP/work" && cd "$T_TMP/work" || exit 1
cat >two.cfg <<'CFG'
cluster = { default_size = 2; name_prefix = "cp"; host = "127.0.0.1";
  ports = { http_base = 23810; dist_base = 23910; stride = 1; }; log_dir = ""; };
node = { command = [ "sleep", "600.75" ]; };
profiles = { dev = { cluster = { default_size = 3; }; };
  test = { cluster = { name_prefix = "cpt"; }; }; };
CFG
printf 'not a config\n' >notes.txt
mkdir sub

all="ctl demo-node doctor env exec plan run-node up"
t_check "commands" offers "$all" ""
t_check "a command by its start" offers "exec" ex
t_check "the hidden helper is not offered" lacks __complete ""
t_check "--help does not list it either" \
    sh -c "! '$NODEMUX' --help | grep -q __complete"
t_check "exec's options include --size" has --size exec -
t_check "exec's options include --log-dir" has --log-dir exec --
t_check "exec's options lack --json (exec takes none)" lacks --json exec --
t_check "exec's options lack --socket" lacks --socket exec --
t_check "plan's options include --json" has --json plan --
t_check "options before any command are up's (--headless)" has --headless --h
t_check "-c: config files and directories" offers "sub two.cfg" -c ""
t_check "--config: the same" offers "sub two.cfg" plan --config ""
t_check "-p: the profiles of the config given by -c" \
    offers "dev test" -c two.cfg -p ""
t_check "--profile after --config=FILE" \
    offers "dev test" plan --config = two.cfg --profile ""
NODEMUX_CONFIG=two.cfg
export NODEMUX_CONFIG
t_check "-p: the profiles of \$NODEMUX_CONFIG, by their start" \
    offers "dev" plan -p d
unset NODEMUX_CONFIG
t_check "env N: the plan's nodes (default size 2)" offers "1 2" -c two.cfg env ""
t_check "env N: -n 4 gives 4 nodes" offers "1 2 3 4" -c two.cfg -n 4 env ""
t_check "env N: profile dev's size 3" offers "1 2 3" env -c two.cfg -p dev ""
t_check "env 2 <TAB>: nothing more" offers "" -c two.cfg env 2 ""
t_check "ctl: its requests" \
    offers "logs pause quit restart resume start status stop" ctl ""
t_check "ctl status: --json among its options" has --json ctl status --
t_check "ctl restart without a console: nothing, quietly" \
    offers "" -c two.cfg ctl restart ""
t_check "exec -- CMD: commands to run" has echo exec -c two.cfg -- ech

# A running console of 4 nodes (the config says 2): ctl offers its nodes.
"$NODEMUX" up --headless -c two.cfg -n 4 >console.out 2>&1 &
console=$!
t_wait_for 10 sh -c "'$NODEMUX' ctl -c two.cfg status >/dev/null 2>&1"
t_check "ctl restart: the running console's nodes and all" \
    offers "1 2 3 4 all" -c two.cfg ctl restart ""
t_check "ctl stop 3: by its start" offers "3" ctl stop -c two.cfg 3
t_check "ctl logs with --socket of the console" \
    offers "1 2 3 4 all" ctl --socket "$XDG_RUNTIME_DIR/nodemux/two.sock" logs ""
t_check "__complete nodes prints them too" sh -c \
    "[ \"\$('$NODEMUX' __complete nodes -c two.cfg | tr '\\n' ' ')\" = 'all 1 2 3 4 ' ]"
kill -TERM $console
wait $console
t_check "the console is gone" t_wait_for 5 sh -c '! pgrep -f "sleep 600[.]75" >/dev/null'

t_check "__complete with nonsense: exit 2, no output" \
    sh -c "'$NODEMUX' __complete nonsense >out 2>&1; [ \$? -eq 2 ] && [ ! -s out ]"
t_check "__complete profiles of a broken config: nothing, quietly" \
    sh -c "'$NODEMUX' __complete profiles -c notes.txt >out 2>&1; [ ! -s out ]"

# zsh: _nodemux with compadd, _files and _command_names stubbed to
# collect what it offers (no terminal needed).
cat >"$T_TMP/zcomp.zsh" <<'ZSH'
fpath=($1 $fpath)
typeset -ga got
compadd() { local a; for a in "$@"; do [[ $a == -- ]] || got+=($a); done }
_files() { got+=(FILES) }
_command_names() { got+=(COMMANDS) }
autoload -Uz _nodemux
words=("${@[2,-1]}"); CURRENT=${#words}
_nodemux
print -r -- ${(o)got}
ZSH
# zoffers WANT WORD...: zsh's completion of WORD... is exactly WANT.
zoffers() {
	want=$1; shift
	got=$(zsh "$T_TMP/zcomp.zsh" "$(dirname "$zsh_script")" "$NODEMUX" \
	    "$@" 2>&1)
	[ "$got" = "$want" ] ||
	    { t_diag "zsh: nodemux $*<TAB>: got '$got', want '$want'"; return 1; }
}
if command -v zsh >/dev/null 2>&1; then
	t_check "zsh's script parses" zsh -n "$zsh_script"
	t_check "zsh: commands" zoffers "$all" ""
	t_check "zsh: -p: the profiles of the config" \
	    zoffers "dev test" -c two.cfg -p ""
	t_check "zsh: --config=FILE, then -p" \
	    zoffers "dev test" --config=two.cfg plan -p ""
	t_check "zsh: env N: -n 4 gives 4 nodes" \
	    zoffers "1 2 3 4" -c two.cfg -n 4 env ""
	t_check "zsh: ctl: its requests" \
	    zoffers "logs pause quit restart resume start status stop" ctl ""
	t_check "zsh: -c: files" zoffers "FILES" -c ""
	t_check "zsh: exec's options lack --json" \
	    sh -c "! zsh '$T_TMP/zcomp.zsh' '$(dirname "$zsh_script")' '$NODEMUX' exec -- | grep -q -- --json"
else
	for i in 1 2 3 4 5 6 7; do t_ok "# SKIP zsh not installed"; done
fi
t_done
