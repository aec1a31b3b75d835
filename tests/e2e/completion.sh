# Shell completion as a user meets it: Tab typed in an interactive bash
# (bash-completion loaded) and zsh (compinit), in a terminal (tmux), with
# completion/'s scripts; and what the bash function offers for each
# command's options against the command's own --list-options and --help.
. "$(dirname "$0")/lib"

need_tools tmux bash zsh
[ -r /usr/share/bash-completion/bash_completion ] || need_tools _init_completion	# bash-completion
need_kernel		# the system call names come from the built kernel's table

server=labctl-comp-$$
tm() { tmux -L "$server" "$@"; }
trap 'tm kill-server 2>/dev/null; ended' EXIT
mkdir -p "$T/home/dir-a" "$T/bin"
ln -s "$LABCTL" "$T/bin/labctl"

# The two shells, clean, labctl on PATH as `labctl`.
cat >"$T/bashrc" <<EOF
PS1='$ '
PATH=$T/bin:\$PATH
. /usr/share/bash-completion/bash_completion
. $ROOT/completion/labctl.bash
cd $T/home
EOF
cat >"$T/zshrc" <<EOF
PROMPT='%% '
path=($T/bin \$path)
fpath=($ROOT/completion \$fpath)
autoload -U compinit && compinit -u -D
cd $T/home
EOF
tm new-session -d -s bash -x 200 -y 20 "bash --noprofile --rcfile $T/bashrc -i"
mkdir -p "$T/zdot" && mv "$T/zshrc" "$T/zdot/.zshrc"
tm new-session -d -s zsh -x 200 -y 20 "ZDOTDIR=$T/zdot zsh -i"

# line SHELL: the terminal's last non-empty line (the command being typed).
line() { tm capture-pane -p -t "$1" | sed '/^ *$/d' | tail -1; }
# wait_line SHELL TEXT: until the line being typed is TEXT.
wait_line() {
	local i
	for i in $(seq 100); do
		[ "$(line "$1")" = "$2" ] && return 0
		sleep 0.1
	done
	echo "    the line: [$(line "$1")], wanted [$2]"
	return 1
}
# tab SHELL PROMPT TYPED WANTED: TYPED, Tab, then a Z make the line
# WANTED followed by Z (the Z shows the space a whole word gets, which the
# terminal's last line does not); the line is cleared afterwards.
tab() {
	local ok=0
	tm send-keys -t "$1" -l "$3"
	tm send-keys -t "$1" Tab
	tm send-keys -t "$1" -l Z
	wait_line "$1" "$2$4Z" || ok=1
	tm send-keys -t "$1" C-u
	wait_line "$1" "${2% }" >/dev/null
	return $ok
}
wait_line bash '$' >/dev/null
wait_line zsh '%' >/dev/null

for sh in bash zsh; do
	p='$ '; [ $sh = zsh ] && p='% '
	check "$sh: labctl tr<Tab> is trace" tab $sh "$p" "labctl tr" "labctl trace "
	check "$sh: after labctl's own options, the command" \
		tab $sh "$p" "labctl -q --cache-dir $(user_cache) doc" "labctl -q --cache-dir $(user_cache) doctor "
	check "$sh: an option of the command" tab $sh "$p" "labctl trace --ab" "labctl trace --abi "
	check "$sh: an option's words (--abi i3)" tab $sh "$p" "labctl trace --abi i3" "labctl trace --abi i386 "
	check "$sh: an option's words after = (--abi=i3)" \
		tab $sh "$p" "labctl trace --abi=i3" "labctl trace --abi=i386 "
	check "$sh: a list's next word (--format md,ht)" \
		tab $sh "$p" "labctl trace --format md,ht" "labctl trace --format md,html "
	check "$sh: a kernel version (trace --kernel 5)" \
		tab $sh "$p" "labctl trace --kernel 5" "labctl trace --kernel 5.10 "
	check "$sh: a kernel version, the longer of two (build --kernel 6.12)" \
		tab $sh "$p" "labctl build --kernel 6.12" "labctl build --kernel 6.12 "
	check "$sh: a scenario from scenarios/ (--scenario ud)" \
		tab $sh "$p" "labctl boot --scenario ud" "labctl boot --scenario udp "
	check "$sh: a system call of the built kernel (trace getpp)" \
		tab $sh "$p" "labctl trace getpp" "labctl trace getppid "
	check "$sh: a directory where one is expected (grade --out di)" \
		tab $sh "$p" "labctl grade --out di" "labctl grade --out dir-a/"
	check "$sh: help's command (help gra)" tab $sh "$p" "labctl help gra" "labctl help grade "
done

# The system call names are the built kernel's: each is in its syscall_64.tbl.
"$LABCTL" __complete trace "" >"$T/calls"
tbl=$(user_cache)/kernels/current/source/arch/x86/entry/syscalls/syscall_64.tbl
check "trace's operands are the table's x86-64 names, every one" \
	diff <(sed 1d "$T/calls" | sort) \
	     <(awk '!/^#/ && NF >= 3 && $2 != "x32" { print $3 }' "$tbl" | sort -u)

# For every command, what Tab offers after "--" is its table: --list-options
# and the options --help prints (cli.sh checks those two agree).
. /usr/share/bash-completion/bash_completion
. "$ROOT/completion/labctl.bash"
PATH=$T/bin:$PATH
# offered LINE: what the bash function offers at the end of LINE.
offered() {
	local COMP_LINE=$1 COMP_POINT=${#1} COMP_WORDS COMP_CWORD COMPREPLY=()
	read -ra COMP_WORDS <<<"$1"
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	_labctl labctl "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
	printf '%s\n' "${COMPREPLY[@]}"
}
for cmd in "" $("$LABCTL" __complete "" | sed 1d | grep -v '^help$'); do
	name=${cmd:-labctl}
	offered "labctl $cmd --" | sort >"$T/offered"
	"$LABCTL" $cmd --list-options | sort >"$T/table"
	check "$name: Tab after -- offers its --list-options, every one ($(wc -l <"$T/table"))" \
		diff "$T/offered" "$T/table"
	[ -s "$T/table" ] || not_ok "$name: --list-options printed nothing"
done
check "the commands offered are those of labctl --help" \
	diff <("$LABCTL" __complete "" | sed 1d | sort) \
	     <( { echo help; "$LABCTL" --help | sed -n '/^commands:/,/^$/s/^  \([a-z]\+\) .*/\1/p'; } | sort)
done_testing
