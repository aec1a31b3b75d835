# bash completion for labctl.  labctl itself says what may come next
# (`labctl __complete WORD...`, from the tables that parse its command line),
# so that Tab offers what the installed labctl takes, its options and their
# values, scenarios and the built kernel's system calls.

_labctl()
{
	local cur prev words cword split
	# Words whole ("--abi=i3", "https://..."), then "--abi=i3" split: readline
	# replaces only what follows the '=' or the ':'.
	_init_completion -s -n : || return

	local IFS=$'\n'
	local -a out
	out=($("$1" __complete "${words[@]:1:cword}" 2>/dev/null)) || return
	case ${out[0]-} in
	words)
		COMPREPLY=("${out[@]:1}")
		$split && COMPREPLY=("${COMPREPLY[@]#"$prev="}")
		__ltrim_colon_completions "$cur"
		;;
	files) _filedir ;;
	dirs) _filedir -d ;;
	esac
}
complete -F _labctl labctl
