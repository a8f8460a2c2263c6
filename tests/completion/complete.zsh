#!/usr/bin/env zsh
# complete.zsh COMPLETION_DIR LINE: what zsh completes, with the completion functions in
# COMPLETION_DIR, for the command line LINE with the cursor at its end. Prints the candidates,
# one a line. Completion only runs inside the line editor, so an interactive zsh is started on
# a pseudo-terminal (zsh/zpty) with compinit; a wrapper around compadd writes every candidate
# offered to a file, and the completion exits that shell once it is done.
zmodload zsh/zpty || exit 2
dir=$1 line=$2
out=$(mktemp) done_mark=__complete_zsh_done__

zpty capture zsh -f -i || exit 2
zpty -w capture "PS1= PROMPT= RPROMPT=; unsetopt zle_bracketed_paste 2>/dev/null; fpath=(${(q)dir} \$fpath); autoload -Uz compinit; compinit -u -D"
zpty -w capture "zstyle ':completion:*' list-grouped false; zstyle ':completion:*' insert-tab false"
# Calls that only collect matches (-O, -A, -D) are the completion system's own: passed on.
zpty -w capture "compadd() { if [[ \${@[1,(i)(-|--)]} == *-(O|A|D)\\ * ]]; then builtin compadd \"\$@\"; return; fi; local -a __hits; builtin compadd -A __hits \"\$@\"; (( \$#__hits )) && print -rl -- \$__hits >> ${(q)out}; builtin compadd \"\$@\"; }"
zpty -w capture "__capture_done() { print -r -- $done_mark >> ${(q)out}; exit; }; comppostfuncs=(__capture_done)"
zpty -w capture "bindkey '^I' complete-word"
zpty -w -n capture "$line"$'\t'

# Wait (at most 20 s) for the completion to finish.
for (( i = 0; i < 200; i++ )); do
  [[ -s $out ]] && grep -qx $done_mark $out && break
  sleep 0.1
  zpty -r -t capture junk 2>/dev/null  # keep the terminal's output flowing
done
zpty -d capture
if ! grep -qx $done_mark $out; then
  print -u2 "complete.zsh: no completion for: $line"
  rm -f $out
  exit 1
fi
grep -vx $done_mark $out
rm -f $out
