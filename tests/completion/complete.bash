#!/usr/bin/env bash
# complete.bash SCRIPT [--line LINE] WORD...: what bash completes, with the completion script
# SCRIPT, for the command line WORD... with the cursor at the end of the last word (give "" to
# complete a new word). Prints COMPREPLY, one candidate a line. No terminal needed: the
# completion function is called as bash calls it, with COMP_WORDS, COMP_CWORD, COMP_LINE and
# COMP_POINT set. COMP_LINE is the words joined by spaces unless --line gives it: bash splits
# words at COMP_WORDBREAKS too, so "--env-format=" is the words "--env-format" and "=".
set -u
# shellcheck disable=SC1091
source /usr/share/bash-completion/bash_completion
# shellcheck disable=SC1090
source "$1"
shift
line=
if [ "$1" = --line ]; then
    line=$2
    shift 2
fi
COMP_WORDS=("$@")
COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
COMP_LINE=${line:-"${COMP_WORDS[*]}"}
COMP_POINT=${#COMP_LINE}
COMPREPLY=()
# compopt only works inside real completion; its complaint is not the script's.
compopt() { :; }
_tokenfleet "${COMP_WORDS[0]}" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
printf '%s\n' "${COMPREPLY[@]}"
